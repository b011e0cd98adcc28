package org.mmlab.mm;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Arguments of the lab's shell commands as users type them, for every bundle's commands: a missing
 * argument, and a number that is not a whole number in range, are refused with what is allowed.
 * <p>
 * Why commands take numbers as text and parse them here: Gogo passes null for an unset variable and
 * for the word {@code null}, and narrows a number to an {@code int} parameter by dropping its high
 * bits (4294967297 became 1), as the kernel's kstrtoint() refuses to (-ERANGE).
 */
public final class CommandArgs {
    private CommandArgs() {
    }

    /**
     * The argument itself, unless it is missing.
     *
     * @param name what the command calls it, e.g. "PFN" or "--runs"
     * @throws IllegalArgumentException for null
     */
    public static String given(String name, String text) {
        if (text == null) {
            throw new IllegalArgumentException(name + " is missing (an unset variable, or null)");
        }
        return text;
    }

    /**
     * A whole number from {@code min} to {@code max}, decimal or 0x-hex, with an optional sign.
     *
     * @param name what the command calls it, e.g. "--runs"
     * @throws IllegalArgumentException for anything else, saying what is allowed
     */
    public static long number(String name, String text, long min, long max) {
        String t = given(name, text).trim();
        boolean negative = t.startsWith("-");
        String digits = negative || t.startsWith("+") ? t.substring(1) : t;
        boolean hex = digits.startsWith("0x") || digits.startsWith("0X");
        digits = hex ? digits.substring(2) : digits;
        if (!digits.matches(hex ? "[0-9a-fA-F]+" : "[0-9]+")) { // ASCII only: Java's parsers take any script's digits
            throw new IllegalArgumentException(name + " '" + text + "' is not a whole number: give " + range(min, max));
        }
        BigInteger v = new BigInteger(digits, hex ? 16 : 10);
        v = negative ? v.negate() : v;
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(name + " " + t + " is out of range: give " + range(min, max));
        }
        return v.longValue();
    }

    /** {@link #number} for an int. */
    public static int intNumber(String name, String text, int min, int max) {
        return (int) number(name, text, min, max);
    }

    /**
     * A file to write, as the user typed it, made absolute: refused if empty, not a file name, a directory, or
     * in a directory that does not exist, before anything is written.
     *
     * @param name what the command calls it, e.g. "FILE" or "--json"
     * @throws IllegalArgumentException saying what is allowed
     */
    public static Path newFile(String name, String text) {
        if (given(name, text).isBlank()) {
            throw new IllegalArgumentException(name + " is empty: give the file to write");
        }
        Path path;
        try {
            path = Path.of(text).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + text + "' is not a file name: " + e.getReason());
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(path + " is a directory: give a file in it");
        }
        if (!Files.isDirectory(path.getParent())) {
            throw new IllegalArgumentException(path + ": there is no directory " + path.getParent());
        }
        return path;
    }

    private static String range(long min, long max) {
        if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
            return "a whole number of 64 bits";
        }
        return min + " to " + max;
    }
}
