package org.mmlab.hyperv.internal;

import org.mmlab.mm.Sizes;

/**
 * One device's configuration (factory PID org.mmlab.hyperv.balloon), validated before anything is built: a
 * bad value is refused with the property, the value and what is allowed.
 *
 * @param name        the device name
 * @param hostTarget  the balloon size the host wants first, in pages
 * @param hotAddSpace the pages of the device's hot-add space (0: none)
 */
public record DeviceConfig(String name, long hostTarget, long hotAddSpace) {
    /** The most a hot-add space may take of the guest: a quarter. */
    static final int MAX_SPACE_SHARE = 4;

    /**
     * @param name        the device name; blank: the factory configuration's name (after '~' in its PID)
     * @param pid         the configuration's PID
     * @param hostTarget  pages, or a size such as 512M
     * @param hotAddSpace pages, or a size such as 256M
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    public static DeviceConfig parse(String name, String pid, String hostTarget, String hotAddSpace) {
        String n = name == null || name.isBlank() ? fromPid(pid) : name.trim();
        if (!n.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("name=" + n + ": a device name is 1 to 32 letters, digits, '_' or '-'");
        }
        return new DeviceConfig(n, pages("hostTarget", hostTarget), pages("hotAddSpace", hotAddSpace));
    }

    private static long pages(String property, String value) {
        try {
            return Sizes.pages(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + "=" + value + ": " + e.getMessage(), e);
        }
    }

    private static String fromPid(String pid) {
        if (pid != null && pid.contains("~")) {
            return pid.substring(pid.lastIndexOf('~') + 1);
        }
        return pid == null ? "" : pid;
    }
}
