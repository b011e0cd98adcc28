package org.mmlab.cli.internal;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.apache.felix.gogo.runtime.SyntaxError;

/**
 * The one line a failed statement is reported with: what the user can act on, never a Java class
 * name or a Gogo internal.
 * <p>
 * Rules, in the order they apply:
 * <ol>
 * <li>A command Gogo did not find: {@code command not found: NAME}.</li>
 * <li>Arguments Gogo could not match to any of the command's methods (a wrong number or kind of
 * arguments: Gogo's "Cannot coerce", or reflection refusing an argument): the command's usage
 * line ({@link CommandUsage}), found from the statement.</li>
 * <li>A statement Gogo cannot parse: {@code syntax error: WHAT}.</li>
 * <li>The JVM's own limits (heap, stack) and files that cannot be read or written: said in words.</li>
 * <li>The JVM's exceptions for a broken program (a NullPointerException, ...), and a failure without
 * a message: a bug in the lab, with where it happened.</li>
 * <li>Anything else: the innermost cause's message, the command's own words.</li>
 * </ol>
 */
final class FailureMessage {

    private static final Pattern CANNOT_COERCE = Pattern.compile("Cannot coerce _?([\\w-]+)\\(.*", Pattern.DOTALL);
    /** A word where a statement names a command: first, or after {, (, | or ;. */
    private static final Pattern COMMAND_WORD = Pattern.compile("(?:^|[{(|;])\\s*(?:([A-Za-z][\\w-]*):)?([A-Za-z_][\\w-]*)");
    private static final String GOGO_REFLECTIVE = "org.apache.felix.gogo.runtime.Reflective";

    private FailureMessage() {}

    /**
     * @param usages the usage lines of SCOPE:FUNCTION (scope null: of FUNCTION in every scope), none
     *        if there is no such command
     */
    static String of(Throwable failure, String statement, BiFunction<String, String, List<String>> usages) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CommandNotFoundException) {
                return "command not found: " + ((CommandNotFoundException) t).getCommand();
            }
            root = t;
        }
        String message = root.getMessage();
        Matcher coerce = CANNOT_COERCE.matcher(message == null ? "" : message);
        if (root instanceof IllegalArgumentException && coerce.matches()) {
            return usage(statement, coerce.group(1), usages);
        }
        if (thrownByGogoArgumentMatching(root)) {
            return usage(statement, null, usages);
        }
        if (root instanceof SyntaxError) {
            return "syntax error: " + message;
        }
        if (root instanceof OutOfMemoryError) {
            return "out of memory: the JVM's heap is too small for this (start the lab with more, e.g."
                    + " MMLAB_JAVA_OPTS=-Xmx8g, or ask for less)";
        }
        if (root instanceof StackOverflowError) {
            return "too deep: the statement nested or recursed until the JVM's stack ran out";
        }
        if (root instanceof InterruptedException) {
            return "interrupted";
        }
        if (root instanceof FileSystemException) {
            return file((FileSystemException) root);
        }
        if (isBug(root) || message == null || message.isBlank()) {
            return "failed: a bug in the lab (" + where(root) + ")";
        }
        return message;
    }

    /**
     * The JVM's own exceptions for a broken program: their messages ("Cannot invoke String.trim()",
     * "For input string") speak of Java, not of what the user gave.
     */
    private static boolean isBug(Throwable t) {
        return t instanceof NullPointerException || t instanceof ClassCastException
                || t instanceof IndexOutOfBoundsException || t instanceof ArithmeticException
                || t instanceof NumberFormatException || t instanceof ArrayStoreException
                || t instanceof NegativeArraySizeException || t instanceof ConcurrentModificationException;
    }

    /**
     * Gogo's Reflective matches arguments to a command's methods and calls the best; what it throws
     * itself (not the command) is about the arguments: an array element of the wrong type, a null
     * for a primitive parameter.
     */
    private static boolean thrownByGogoArgumentMatching(Throwable t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            String c = frame.getClassName();
            if (c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")) {
                continue;
            }
            return c.equals(GOGO_REFLECTIVE);
        }
        return false;
    }

    private static String usage(String statement, String function, BiFunction<String, String, List<String>> usages) {
        Set<String> lines = new LinkedHashSet<>();
        Matcher words = COMMAND_WORD.matcher(statement);
        while (words.find()) {
            if (function == null || function.equalsIgnoreCase(words.group(2))) {
                lines.addAll(usages.apply(words.group(1), words.group(2).toLowerCase()));
            }
        }
        if (lines.isEmpty() && function != null) {
            lines.addAll(usages.apply(null, function));
        }
        return lines.isEmpty() ? "wrong number or kind of arguments (help NAME shows a command's)"
                : "usage: " + String.join(" or ", new ArrayList<>(lines));
    }

    private static String file(FileSystemException e) {
        String file = e.getFile();
        String what;
        if (e instanceof NoSuchFileException) {
            what = "no such file or directory";
        } else if (e instanceof AccessDeniedException) {
            what = "permission denied";
        } else if (e instanceof FileAlreadyExistsException) {
            what = "exists already";
        } else if (e instanceof NotDirectoryException) {
            what = "not a directory";
        } else if (e instanceof DirectoryNotEmptyException) {
            what = "directory not empty";
        } else {
            what = e.getReason() == null ? "cannot be used" : e.getReason();
        }
        return (file == null ? "a file" : file) + ": " + what;
    }

    /** Where a failure without a message came from, for a bug report: the first frame of the lab's code. */
    private static String where(Throwable t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getClassName().startsWith("org.mmlab.")) {
                return "at " + frame.getFileName() + " line " + frame.getLineNumber() + "; please report it";
            }
        }
        return "please report it, with the statement";
    }

    /** The innermost cause's message, as {@link #of} without a statement to find usage lines in. */
    static String of(Throwable failure) {
        return of(failure, "", (scope, function) -> List.of());
    }
}
