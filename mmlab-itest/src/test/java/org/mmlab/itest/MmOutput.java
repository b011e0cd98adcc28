package org.mmlab.itest;

/** Reads what the mm commands print, for the tests that are about the text (the services give the facts). */
final class MmOutput {
    private MmOutput() {
    }

    /** The last non-blank line, stripped: where mm:check writes its verdict. */
    static String lastLine(String output) {
        String[] lines = output.strip().split("\\R");
        return lines[lines.length - 1].strip();
    }
}
