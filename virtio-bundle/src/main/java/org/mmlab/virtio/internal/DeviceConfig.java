package org.mmlab.virtio.internal;

import org.mmlab.mm.Sizes;

/**
 * One device's configuration (factory PID org.mmlab.virtio.balloon), validated before anything is
 * built: a bad value is refused with what is allowed.
 */
public record DeviceConfig(String name, int index, long offered, long hostTarget, HostMisbehaviour misbehaviour,
        long ackTimeoutMs) {
    /** The highest virtio index: dev names run virtio0..virtio999. */
    static final int MAX_INDEX = 999;
    static final long MAX_ACK_TIMEOUT_MS = 600_000;

    /**
     * @param name          the device name; blank: the factory configuration's name (after '~' in its PID)
     * @param pid           the configuration's PID
     * @param index         the virtio index, or -1 for the name if it is a number (else 0)
     * @param features      the offered features, e.g. "MUST_TELL_HOST,STATS_VQ"
     * @param hostTarget    the host's first target: pages, or a size such as 512M
     * @param ackDelayMs    the host acknowledges each buffer this late
     * @param misbehaviour  "normal" or "no-ack"
     * @param ackTimeoutMs  how long the driver waits for an acknowledgement before it breaks the device
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    public static DeviceConfig parse(String name, String pid, int index, String features, String hostTarget,
            long ackDelayMs, String misbehaviour, long ackTimeoutMs) {
        String n = name == null || name.isBlank() ? fromPid(pid) : name.trim();
        if (!n.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("name=" + n + ": a device name is 1 to 32 letters, digits, '_' or '-'");
        }
        int i = index;
        if (i < 0) {
            i = n.matches("\\d{1,3}") ? Integer.parseInt(n) : 0;
        }
        if (i > MAX_INDEX) {
            throw new IllegalArgumentException("index=" + index + ": a virtio index is 0.." + MAX_INDEX);
        }
        long offered;
        try {
            offered = Features.parse(features);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("offeredFeatures=" + features + ": " + e.getMessage(), e);
        }
        long target;
        try {
            target = pages(hostTarget);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("hostTarget=" + hostTarget + ": " + e.getMessage(), e);
        }
        HostMisbehaviour m;
        if ("no-ack".equals(misbehaviour)) {
            m = new HostMisbehaviour(0, true);
        } else if (misbehaviour == null || "normal".equals(misbehaviour)) {
            if (ackDelayMs < 0 || ackDelayMs > HostMisbehaviour.MAX_ACK_DELAY_MS) {
                throw new IllegalArgumentException("hostAckDelayMs=" + ackDelayMs + ": must be 0.."
                        + HostMisbehaviour.MAX_ACK_DELAY_MS);
            }
            m = new HostMisbehaviour(ackDelayMs, false);
        } else {
            throw new IllegalArgumentException("hostMisbehaviour=" + misbehaviour + ": must be normal or no-ack");
        }
        if (ackTimeoutMs < 1 || ackTimeoutMs > MAX_ACK_TIMEOUT_MS) {
            throw new IllegalArgumentException("ackTimeoutMs=" + ackTimeoutMs + ": must be 1.." + MAX_ACK_TIMEOUT_MS);
        }
        return new DeviceConfig(n, i, offered, target, m, ackTimeoutMs);
    }

    private static String fromPid(String pid) {
        if (pid != null && pid.contains("~")) {
            return pid.substring(pid.lastIndexOf('~') + 1);
        }
        return pid == null ? "" : pid;
    }

    /**
     * A balloon size as a user types it: a plain number is pages, a number with K, M, G or T is bytes
     * (a whole number of 4 KiB pages): 1G = 262144 pages. At most 2^32 - 1 pages (config num_pages is a
     * __le32).
     */
    public static long pages(String text) {
        long pages = Sizes.pages(text);
        if (pages > 0xffff_ffffL) {
            throw new IllegalArgumentException("'" + text + "' is more than 2^32 - 1 pages (num_pages is a __le32)");
        }
        return pages;
    }
}
