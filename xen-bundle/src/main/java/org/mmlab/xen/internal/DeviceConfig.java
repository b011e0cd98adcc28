package org.mmlab.xen.internal;

import org.mmlab.mm.Sizes;

/**
 * One device's configuration (factory PID org.mmlab.xen.balloon), validated before anything is built: a bad
 * value is refused with the property, the value and what is allowed.
 *
 * @param name          the device name
 * @param balloonTarget the balloon size the toolstack's first memory/target asks for, in pages
 */
public record DeviceConfig(String name, long balloonTarget) {
    /**
     * @param name          the device name; blank: the factory configuration's name (after '~' in its PID)
     * @param pid           the configuration's PID
     * @param balloonTarget pages, or a size such as 512M
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    public static DeviceConfig parse(String name, String pid, String balloonTarget) {
        String n = name == null || name.isBlank() ? fromPid(pid) : name.trim();
        if (!n.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("name=" + n + ": a device name is 1 to 32 letters, digits, '_' or '-'");
        }
        try {
            return new DeviceConfig(n, Sizes.pages(balloonTarget));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("balloonTarget=" + balloonTarget + ": " + e.getMessage(), e);
        }
    }

    private static String fromPid(String pid) {
        if (pid != null && pid.contains("~")) {
            return pid.substring(pid.lastIndexOf('~') + 1);
        }
        return pid == null ? "" : pid;
    }
}
