package org.mmlab.cli.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Counts the component elements of a DS descriptor: its root, or its root's children (112.4.2: either is
 * allowed), by local name. It reads the markup only, so that the lab's readiness does not start an XML
 * parser for each of the lab's 80 descriptors on the way to the first statement (a parser's look-up and
 * set-up cost about a millisecond a descriptor there, more than the lab's wait for its last bundle).
 * <p>
 * Comments, CDATA sections, processing instructions and a DOCTYPE are skipped; a quoted attribute value
 * may hold '>'. A document that is not one well nested element counts 0, as SCR skips a descriptor it
 * cannot read: counting too few only shortens the wait, too many would make it wait for ever.
 */
final class ComponentElements {

    private ComponentElements() {}

    static int in(String xml) {
        Deque<String> open = new ArrayDeque<>();
        int components = 0;
        int roots = 0;
        for (int at = xml.indexOf('<'); at >= 0; ) {
            int end;
            if (xml.startsWith("<!--", at)) {
                end = after(xml, "-->", at + 4);
            } else if (xml.startsWith("<![CDATA[", at)) {
                end = open.isEmpty() ? -1 : after(xml, "]]>", at + 9);
            } else if (xml.startsWith("<?", at)) {
                end = after(xml, "?>", at + 2);
            } else if (xml.startsWith("<!DOCTYPE", at)) {
                end = afterDoctype(xml, at + 9);
            } else {
                end = afterTag(xml, at + 1);
                if (end < 0) {
                    return 0;
                }
                String tag = xml.substring(at + 1, end - 1);
                if (tag.startsWith("/")) {
                    if (open.isEmpty() || !open.pop().equals(tag.substring(1).strip())) {
                        return 0;
                    }
                } else {
                    String name = name(tag);
                    if (name.isEmpty()) {
                        return 0;
                    }
                    if (open.size() <= 1 && "component".equals(name.substring(name.indexOf(':') + 1))) {
                        components++;
                    }
                    roots += open.isEmpty() ? 1 : 0;
                    if (!tag.endsWith("/")) {
                        open.push(name);
                    }
                }
            }
            if (end < 0) {
                return 0;
            }
            at = xml.indexOf('<', end);
        }
        return open.isEmpty() && roots == 1 ? components : 0;
    }

    /** A start tag's name: what comes before its first white space or '/' (no regular expression per tag). */
    private static String name(String tag) {
        int i = 0;
        while (i < tag.length() && "/ \t\n\u000B\f\r".indexOf(tag.charAt(i)) < 0) {
            i++;
        }
        return tag.substring(0, i);
    }

    /** The index after {@code close}, searched from {@code from}; -1 if it never comes. */
    private static int after(String xml, String close, int from) {
        int i = xml.indexOf(close, from);
        return i < 0 ? -1 : i + close.length();
    }

    /** The index after the '>' that ends a tag begun before {@code from}, past quoted values; -1 if none. */
    private static int afterTag(String xml, int from) {
        char quote = 0;
        for (int i = from; i < xml.length(); i++) {
            char c = xml.charAt(i);
            if (c == '<') {
                return -1; // not even in a quoted value
            } else if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The index after a DOCTYPE's '>', past an internal subset in brackets; -1 if none. */
    private static int afterDoctype(String xml, int from) {
        int bracket = xml.indexOf('[', from);
        int close = xml.indexOf('>', from);
        if (bracket < 0 || close >= 0 && close < bracket) {
            return close < 0 ? -1 : close + 1;
        }
        int subsetEnd = xml.indexOf("]", bracket);
        int i = subsetEnd < 0 ? -1 : subsetEnd + 1;
        while (i >= 0 && i < xml.length() && Character.isWhitespace(xml.charAt(i))) {
            i++;
        }
        return i >= 0 && i < xml.length() && xml.charAt(i) == '>' ? i + 1 : -1;
    }
}
