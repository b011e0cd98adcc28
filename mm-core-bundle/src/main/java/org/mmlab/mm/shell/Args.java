package org.mmlab.mm.shell;

import java.math.BigInteger;

import org.mmlab.mm.CommandArgs;
import org.mmlab.mm.Mm;

/** Parsing of command arguments into PFNs and orders, with errors that say what is allowed. */
final class Args {
    private Args() {
    }

    /** A PFN in hex (0x1a2b) or decimal, inside memory. */
    static int pfn(String text, int nrPages) {
        String t = CommandArgs.given("PFN", text).trim();
        boolean hex = t.matches("0[xX][0-9a-fA-F]+");
        if (!hex && !t.matches("-?[0-9]+")) { // ASCII only: Java's parsers take any script's digits
            throw new IllegalArgumentException("'" + text + "' is not a PFN: give a number, decimal or 0x-hex");
        }
        long v;
        try {
            v = hex ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException tooLong) {
            v = -1;
        }
        if (v < 0 || v >= nrPages) {
            throw new IllegalArgumentException(String.format("pfn %s is outside memory: PFNs run from 0 to %#x", text,
                    nrPages - 1));
        }
        return (int) v;
    }

    /** An allocation order, 0..MAX_PAGE_ORDER. */
    static int order(String text) {
        String t = CommandArgs.given("ORDER", text).trim();
        if (!t.matches("-?[0-9]+")) { // ASCII only: Java's parsers take any script's digits
            throw new IllegalArgumentException("'" + text + "' is not an order: give 0 to " + Mm.MAX_PAGE_ORDER);
        }
        BigInteger v = new BigInteger(t);
        if (v.signum() < 0 || v.compareTo(BigInteger.valueOf(Mm.MAX_PAGE_ORDER)) > 0) {
            throw new IllegalArgumentException("order " + t + " is outside 0.." + Mm.MAX_PAGE_ORDER
                    + " (MAX_PAGE_ORDER: 4 MiB blocks)");
        }
        return v.intValue();
    }

    /** A percentage, more than 0 and at most 100. */
    static double percent(String name, String text) {
        String t = CommandArgs.given(name, text).trim();
        if (t.matches("[0-9]+(\\.[0-9]+)?")) {
            double v = Double.parseDouble(t);
            if (v > 0 && v <= 100) {
                return v;
            }
        }
        throw new IllegalArgumentException(name + " '" + text + "' is not a percentage: give a number above 0, at"
                + " most 100");
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
