package org.mmlab.mm.shell;

import org.mmlab.mm.Mm;
import org.mmlab.mm.internal.MmCore;

/** Parsing of command arguments into PFNs and orders, with errors that say what is allowed. */
final class Args {
    private Args() {
    }

    /** A PFN in hex (0x1a2b) or decimal, inside memory. */
    static int pfn(String text, int nrPages) {
        long v;
        try {
            String t = text.trim();
            v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a PFN: give a number, decimal or 0x-hex");
        }
        if (v < 0 || v >= nrPages) {
            throw new IllegalArgumentException(String.format("pfn %s is outside memory: PFNs run from 0 to %#x", text,
                    nrPages - 1));
        }
        return (int) v;
    }

    /** An allocation order, 0..MAX_PAGE_ORDER. */
    static int order(String text) {
        int v;
        try {
            v = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an order: give 0 to " + Mm.MAX_PAGE_ORDER);
        }
        if (v < 0 || v > Mm.MAX_PAGE_ORDER) {
            throw new IllegalArgumentException("order " + v + " is outside 0.." + Mm.MAX_PAGE_ORDER
                    + " (MAX_PAGE_ORDER: 4 MiB blocks)");
        }
        return v;
    }

    /** The guest the commands are bound to, or a clear error when mm-core has not booted one. */
    static MmCore running(MmCore core) {
        if (core == null) {
            throw new IllegalStateException("no guest is running: mm-core did not boot one (see its configuration"
                    + " with mm:config, and the log: log warn)");
        }
        return core;
    }

    /** A count of things, 0 or more, for the named setting. */
    static int count(String name, String text) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(name + " '" + text + "': give a number, 0 or more");
    }

    static boolean onOff(String text) {
        if ("on".equals(text) || "1".equals(text) || "true".equals(text)) {
            return true;
        }
        if ("off".equals(text) || "0".equals(text) || "false".equals(text)) {
            return false;
        }
        throw new IllegalArgumentException("'" + text + "' is neither on nor off");
    }
}
