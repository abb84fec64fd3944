package org.pcmdmabuf.script;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads a script file as the parser needs it: a regular file (a FIFO with no writer would block the read
 * forever, and a device such as /dev/zero never ends), within {@link Limits#scriptBytes()}, and UTF-8: the
 * first byte that is not is named by its line and offset.
 */
public final class ScriptFile {
    private ScriptFile() {
    }

    /** The text of {@code path}; a missing file is a {@link NoSuchFileException}, anything unusable a {@link ScriptException}. */
    public static String read(Path path, Limits limits) throws IOException, ScriptException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        if (!Files.isRegularFile(path)) {
            throw new ScriptException(0, null, "not a regular file (a directory, FIFO or device); give a script file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            // The file may grow while it is read: read one byte past the limit, never more.
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.scriptBytes() + 1));
        }
        if (bytes.length > limits.scriptBytes()) {
            throw new ScriptException(0, null, Limits.exceeded("bytes", Math.max(bytes.length, Files.size(path)),
                    limits.scriptBytes()));
        }
        return decode(bytes);
    }

    /** UTF-8 {@code bytes} as text; the first malformed byte is reported with its line and offset. */
    static String decode(byte[] bytes) throws ScriptException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int line = 1;
            // Line ends as the parser counts them: CR LF, LF, or a lone CR.
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n' || bytes[i] == '\r' && bytes[i + 1] != '\n') {
                    line++;
                }
            }
            throw new ScriptException(line, null, "byte offset " + at + ": 0x"
                    + String.format(Locale.ROOT, "%02X", bytes[at] & 0xff) + " is not UTF-8");
        }
        // UTF-8 keeps no state between calls: flushing only completes the decoder's protocol.
        decoder.flush(out);
        return out.flip().toString();
    }
}
