package org.mmlab.virtio.internal;

import java.util.Locale;

/**
 * How the simulated host treats the guest's buffers: normally (used at once), slowly (each buffer
 * acknowledged N ms after it was used), or not at all (buffers stay on the available ring until the
 * host behaves again). Not in the kernel: the lab's knob for the hangs the kernel does not bound.
 */
public record HostMisbehaviour(long ackDelayMs, boolean noAck) {
    public static final HostMisbehaviour NORMAL = new HostMisbehaviour(0, false);
    /** The longest ack delay accepted: a minute. */
    public static final long MAX_ACK_DELAY_MS = 60_000;

    public HostMisbehaviour {
        if (ackDelayMs < 0 || ackDelayMs > MAX_ACK_DELAY_MS) {
            throw new IllegalArgumentException("ack delay " + ackDelayMs + " ms is outside 0.." + MAX_ACK_DELAY_MS);
        }
    }

    /** "normal", "no-ack", or "ack-delay N" (N in ms). */
    public static HostMisbehaviour parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("normal") || t.isEmpty()) {
            return NORMAL;
        }
        if (t.equals("no-ack")) {
            return new HostMisbehaviour(0, true);
        }
        if (t.startsWith("ack-delay")) {
            String n = t.substring("ack-delay".length()).trim();
            try {
                if (!n.matches("-?[0-9]+")) { // ASCII only: Long.parseLong takes any script's digits
                    throw new NumberFormatException(n);
                }
                return new HostMisbehaviour(Long.parseLong(n), false);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': ack-delay needs a number of milliseconds, e.g."
                        + " ack-delay 50");
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a host behaviour: use normal, no-ack or ack-delay N");
    }

    @Override
    public String toString() {
        return noAck ? "no-ack" : ackDelayMs > 0 ? "ack-delay " + ackDelayMs + " ms" : "normal";
    }
}
