package org.mmlab.vmware.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the simulated hypervisor answers the guest (not in the kernel: the lab's knob for a hypervisor
 * under pressure): normally, refusing a share of the pages the guest locks (ERROR_PPN_PINNED), answering
 * ERROR_BUSY to every LOCK and UNLOCK (batched or not; GET_TARGET still works, so the guest keeps
 * trying), or changing its target without ringing the doorbell.
 *
 * @param refusePct  the share of LOCKed pages it refuses, 0..100
 * @param busy       LOCK and UNLOCK (batched or not) answer ERROR_BUSY
 * @param noDoorbell a new target rings no doorbell: the guest sees it at its next timer tick
 */
record HostBehaviour(int refusePct, boolean busy, boolean noDoorbell) {
    static final HostBehaviour NORMAL = new HostBehaviour(0, false, false);
    /** What {@link #parse} accepts, for error messages. */
    private static final List<String> FORMS = List.of("normal", "refuse PCT (0..100)", "busy", "no-doorbell");

    HostBehaviour {
        if (refusePct < 0 || refusePct > 100) {
            throw new IllegalArgumentException("refuse " + refusePct + ": the share is 0..100 (per cent)");
        }
    }

    /**
     * "normal", "refuse PCT" (e.g. "refuse 30" or "refuse 30%"), "busy" or "no-doorbell".
     *
     * @throws IllegalArgumentException for anything else, saying what is allowed
     */
    static HostBehaviour parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "", "normal":
                return NORMAL;
            case "busy":
                return new HostBehaviour(0, true, false);
            case "no-doorbell":
                return new HostBehaviour(0, false, true);
            default:
                break;
        }
        if (t.startsWith("refuse")) {
            String n = t.substring("refuse".length()).trim();
            n = n.endsWith("%") ? n.substring(0, n.length() - 1).trim() : n;
            try {
                return new HostBehaviour(Integer.parseInt(n), false, false);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': refuse needs a share in per cent, e.g. refuse 30");
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a hypervisor behaviour: use " + allowed());
    }

    /** "normal, refuse PCT (0..100), busy or no-doorbell", with more forms a caller accepts too before the "or". */
    static String allowed(String... more) {
        List<String> all = new ArrayList<>(FORMS);
        all.addAll(List.of(more));
        return String.join(", ", all.subList(0, all.size() - 1)) + " or " + all.get(all.size() - 1);
    }

    @Override
    public String toString() {
        return busy ? "busy" : noDoorbell ? "no-doorbell" : refusePct > 0 ? "refuse " + refusePct + "%" : "normal";
    }
}
