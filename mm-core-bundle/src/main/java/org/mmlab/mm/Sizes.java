package org.mmlab.mm;

import java.util.Locale;

/** Sizes as users type them: "4G", "512M", "64K", "2048" (bytes), in binary units. */
public final class Sizes {
    private Sizes() {
    }

    /**
     * Bytes in a size such as "4G", "512M", "1T", "65536K" or a plain byte count.
     *
     * @throws IllegalArgumentException for anything else, saying what is allowed
     */
    public static long parseBytes(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("B") && t.length() > 1 && !Character.isDigit(t.charAt(t.length() - 2))) {
            t = t.substring(0, t.length() - 1);
        }
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K': shift = 10; break;
                case 'M': shift = 20; break;
                case 'G': shift = 30; break;
                case 'T': shift = 40; break;
                default: break;
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            if (!digits.trim().matches("[0-9]+")) { // ASCII only: Long.parseLong takes any script's digits
                throw new NumberFormatException();
            }
            long v = parseDigits(digits.trim(), text);
            if (v > (Long.MAX_VALUE >> shift)) {
                throw new TooLarge(text);
            }
            return v << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size: use a byte count or a number with"
                    + " K, M, G or T (e.g. 512M, 4G)");
        }
    }

    /**
     * 4 KiB pages in a balloon size as a user types it: a plain number is pages, a number with K, M, G or T
     * is bytes, a whole number of pages (1G = 262144 pages).
     *
     * @throws IllegalArgumentException for anything else, saying what is allowed
     */
    public static long pages(String text) {
        String t = text == null ? "" : text.trim();
        if (t.matches("[0-9]+")) {
            return parseDigits(t, text);
        }
        long bytes;
        try {
            bytes = parseBytes(t);
        } catch (TooLarge e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size: give pages (e.g. 262144) or a size"
                    + " such as 512M or 1G");
        }
        if (bytes % Mm.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of 4 KiB pages");
        }
        return bytes >> Mm.PAGE_SHIFT;
    }

    /** ASCII digits as a long, or "too large" with the bound when they overflow one. */
    private static long parseDigits(String digits, String text) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new TooLarge(text);
        }
    }

    /** A number past what a size can be: said with the bound, not as "not a size". */
    private static final class TooLarge extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TooLarge(String text) {
            super("'" + text + "' is too large: a size is at most " + (Long.MAX_VALUE >> 40) + "T");
        }
    }

    /** "4096 MiB"-style text for a page count: the largest unit that divides it. */
    public static String format(long pages) {
        long bytes = pages << Mm.PAGE_SHIFT;
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        int u = -1;
        long v = bytes;
        while (u < units.length - 1 && v % 1024 == 0 && v >= 1024) {
            v /= 1024;
            u++;
        }
        return u < 0 ? v + " B" : v + " " + units[u];
    }
}
