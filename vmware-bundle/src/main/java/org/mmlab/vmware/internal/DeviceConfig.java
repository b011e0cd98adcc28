package org.mmlab.vmware.internal;

import org.mmlab.mm.Sizes;

/**
 * One device's configuration (factory PID org.mmlab.vmware.balloon), validated before anything is
 * built: a bad value is refused with the property, the value and what is allowed.
 *
 * @param name           the device name
 * @param hostTarget     the hypervisor's first target, in frames
 * @param offered        the capabilities the hypervisor offers
 * @param behaviour      how the hypervisor answers
 * @param shrinker       vmwballoon_shrinker_enable
 * @param migrateVersion which kernel's vmballoon_migratepage() handles a refused new page
 */
public record DeviceConfig(String name, long hostTarget, long offered, HostBehaviour behaviour, boolean shrinker,
        MigrateVersion migrateVersion) {
    /** Every capability: what the lab's hypervisor offers unless told otherwise. */
    static final String ALL_CAPABILITIES = "BASIC_CMDS,BATCHED_CMDS,BATCHED_2M_CMDS,SIGNALLED_WAKEUP_CMD,64_BIT_TARGET";

    /**
     * @param name         the device name; blank: the factory configuration's name (after '~' in its PID)
     * @param pid          the configuration's PID
     * @param hostTarget   frames, or a size such as 512M
     * @param capabilities capability names, comma-separated
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    public static DeviceConfig parse(String name, String pid, String hostTarget, String capabilities,
            String behaviour, boolean shrinker, String migratepage) {
        String n = name == null || name.isBlank() ? fromPid(pid) : name.trim();
        if (!n.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("name=" + n + ": a device name is 1 to 32 letters, digits, '_' or '-'");
        }
        long target;
        try {
            target = frames(hostTarget);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hostTarget=" + hostTarget + ": " + e.getMessage(), e);
        }
        long caps;
        try {
            caps = Protocol.parseCapabilities(capabilities);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hostCapabilities=" + capabilities + ": " + e.getMessage(), e);
        }
        HostBehaviour b;
        try {
            b = HostBehaviour.parse(behaviour);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hostBehaviour=" + behaviour + ": " + e.getMessage(), e);
        }
        return new DeviceConfig(n, target, caps, b, shrinker, MigrateVersion.parse(migratepage));
    }

    private static String fromPid(String pid) {
        if (pid != null && pid.contains("~")) {
            return pid.substring(pid.lastIndexOf('~') + 1);
        }
        return pid == null ? "" : pid;
    }

    /** A balloon size as a user types it, in 4 KiB frames (pages): 262144, or 1G. */
    public static long frames(String text) {
        return Sizes.pages(text);
    }
}
