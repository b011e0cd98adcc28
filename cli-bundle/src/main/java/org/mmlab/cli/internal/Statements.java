package org.mmlab.cli.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits a Gogo program into its top-level statements, so that each can be run, reported and
 * stopped on by itself.
 * <p>
 * Rules, in the order they apply:
 * <ol>
 * <li>Inside '...' nothing is special; inside "..." a backslash escapes the next character.</li>
 * <li>Outside quotes a backslash escapes the next character; a backslash before a newline joins
 * the two lines.</li>
 * <li>(), {} and [] nest; a statement inside them is part of the enclosing one.</li>
 * <li>At top level, {@code ;} and newlines end a statement, and a {@code #} that starts a word
 * starts a comment that runs to the end of the line.</li>
 * <li>Blank statements are dropped; each statement is trimmed.</li>
 * </ol>
 */
final class Statements {

    private Statements() {}

    /**
     * @return the top-level statements of {@code program}, in order
     * @throws IllegalArgumentException on an unclosed quote or bracket, or a closing bracket that
     *         does not match
     */
    static List<String> split(CharSequence program) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        Deque<Character> open = new ArrayDeque<>();
        Deque<Integer> openedOnLine = new ArrayDeque<>();
        char quote = 0;
        int quoteLine = 0;
        int line = 1;
        int n = program.length();
        for (int i = 0; i < n; i++) {
            char c = program.charAt(i);
            if (c == '\n') {
                line++;
            }
            if (quote == '\'') {
                current.append(c);
                if (c == '\'') {
                    quote = 0;
                }
                continue;
            }
            if (quote == '"') {
                current.append(c);
                if (c == '\\' && i + 1 < n) {
                    char next = program.charAt(++i);
                    if (next == '\n') {
                        line++;
                    }
                    current.append(next);
                } else if (c == '"') {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '\\':
                    if (i + 1 < n) {
                        char next = program.charAt(++i);
                        if (next == '\n') {
                            line++;
                            current.append(' '); // line continuation
                        } else {
                            current.append(c).append(next);
                        }
                    } else {
                        current.append(c);
                    }
                    break;
                case '\'':
                case '"':
                    quote = c;
                    quoteLine = line;
                    current.append(c);
                    break;
                case '(':
                case '{':
                case '[':
                    open.push(c);
                    openedOnLine.push(line);
                    current.append(c);
                    break;
                case ')':
                case '}':
                case ']':
                    if (open.isEmpty() || open.peek() != opening(c)) {
                        throw new IllegalArgumentException("unexpected '" + c + "' on line " + line);
                    }
                    open.pop();
                    openedOnLine.pop();
                    current.append(c);
                    break;
                case '#':
                    if (open.isEmpty() && startsWord(current)) {
                        while (i + 1 < n && program.charAt(i + 1) != '\n' && program.charAt(i + 1) != '\r') {
                            i++;
                        }
                    } else {
                        current.append(c);
                    }
                    break;
                case ';':
                case '\n':
                case '\r':
                    if (open.isEmpty()) {
                        add(statements, current);
                    } else {
                        current.append(c);
                    }
                    break;
                default:
                    current.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unclosed " + quote + " opened on line " + quoteLine);
        }
        if (!open.isEmpty()) {
            throw new IllegalArgumentException("unclosed '" + open.peek() + "' opened on line " + openedOnLine.peek());
        }
        add(statements, current);
        return statements;
    }

    private static char opening(char closing) {
        return closing == ')' ? '(' : closing == '}' ? '{' : '[';
    }

    private static boolean startsWord(StringBuilder current) {
        return current.length() == 0 || Character.isWhitespace(current.charAt(current.length() - 1));
    }

    private static void add(List<String> statements, StringBuilder current) {
        String statement = current.toString().strip();
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        current.setLength(0);
    }
}
