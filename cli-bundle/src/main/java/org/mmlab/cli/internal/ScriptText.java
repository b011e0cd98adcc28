package org.mmlab.cli.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The text of a script file, or why it has none that can run.
 * <p>
 * Rules:
 * <ol>
 * <li>A directory, a file that is not there and one larger than {@value #MAX_BYTES} bytes are
 * refused, saying which.</li>
 * <li>A script is UTF-8: a UTF-8 byte order mark (as some editors write) is dropped; a UTF-16
 * one, and bytes that are not UTF-8 (e.g. Latin-1's), are refused, naming the line and the byte.</li>
 * </ol>
 */
final class ScriptText {

    static final int MAX_BYTES = 16 << 20;

    private ScriptText() {}

    /** @throws IllegalArgumentException saying why the file is not a script that can run */
    static String read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("is a directory: give a script file");
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("no such file");
        }
        if (Files.isRegularFile(file) && Files.size(file) > MAX_BYTES) {
            throw new IllegalArgumentException("is " + Files.size(file) + " bytes: a script is at most " + MAX_BYTES);
        }
        return decode(Files.readAllBytes(file));
    }

    static String decode(byte[] bytes) {
        int start = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb && (bytes[2] & 0xff) == 0xbf) {
            start = 3;
        } else if (bytes.length >= 2 && ((bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xff) == 0xff
                || (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xfe)) {
            throw new IllegalArgumentException("is UTF-16 text: save it as UTF-8");
        }
        CharsetDecoder decoder = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, start, bytes.length - start);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int at = in.position();
            int line = 1;
            for (int i = start; i < at; i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new IllegalArgumentException(String.format("line %d is not UTF-8 (byte 0x%02x): save the script as UTF-8",
                    line, bytes[at] & 0xff));
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
