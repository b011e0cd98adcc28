package org.mmlab.lab.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * One lifecycle operation of a hot-plug storm on one driver family, written "KIND:FAMILY" (e.g.
 * "uninstall:virtio"). A cycle is one operation, or two on two families at once joined by "+"; a storm's
 * cycles, as lab:storm --replay takes them, are separated by spaces.
 */
record StormOp(StormOp.Kind kind, String family) {
    /** What happens to the family's driver bundle (or its devices). */
    enum Kind {
        /** Stopped and started again: the module unloaded and loaded, its class loader kept. */
        STOP,
        /** Uninstalled and installed again from its bytes (rmmod, insmod): new code, new statics. */
        UNINSTALL,
        /** Uninstalled, refreshed (the old class loader goes) and installed again from its bytes. */
        REFRESH,
        /** Updated to the same bytes: stopped, a new revision, started. */
        UPDATE,
        /** One of its devices' factory configurations deleted (the device removed) and created again. */
        CONFIG;

        String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        static String allowed() {
            return Arrays.stream(values()).map(Kind::value).collect(Collectors.joining(", "));
        }

        /** By its value, or a one-line error naming the operations there are. */
        static Kind parse(String text) {
            for (Kind k : values()) {
                if (k.value().equals(text)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("no storm operation '" + text + "': use " + allowed());
        }
    }

    @Override
    public String toString() {
        return kind.value() + ":" + family;
    }

    /** "stop:virtio+config:vmware" as a cycle's operations. */
    static String cycle(List<StormOp> ops) {
        return ops.stream().map(StormOp::toString).collect(Collectors.joining("+"));
    }

    /** Cycles as lab:storm --replay takes them. */
    static String cycles(List<List<StormOp>> cycles) {
        return cycles.stream().map(StormOp::cycle).collect(Collectors.joining(" "));
    }

    /**
     * Cycles written by {@link #cycles}: refused in one line, before anything runs, for an operation or
     * family there is not, or one family twice in a cycle.
     */
    static List<List<StormOp>> parseCycles(String text, List<String> families) {
        List<List<StormOp>> out = new ArrayList<>();
        for (String cycle : text.trim().split("\\s+")) {
            if (cycle.isEmpty()) {
                continue;
            }
            List<StormOp> ops = new ArrayList<>();
            for (String op : cycle.split("\\+", -1)) {
                int colon = op.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("storm operation '" + op + "': write KIND:FAMILY, e.g."
                            + " stop:virtio, KIND one of " + Kind.allowed());
                }
                StormOp o = new StormOp(Kind.parse(op.substring(0, colon)), op.substring(colon + 1));
                if (!families.contains(o.family())) {
                    throw new IllegalArgumentException("storm operation '" + op + "' names no driver family of this"
                            + " lab: the families are " + String.join(", ", families));
                }
                if (ops.stream().anyMatch(x -> x.family().equals(o.family()))) {
                    throw new IllegalArgumentException("storm cycle '" + cycle + "' names " + o.family()
                            + " twice: two operations at once are on two families");
                }
                ops.add(o);
            }
            out.add(List.copyOf(ops));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no storm operations: give cycles such as 'stop:virtio"
                    + " uninstall:vmware+config:virtio'");
        }
        return out;
    }
}
