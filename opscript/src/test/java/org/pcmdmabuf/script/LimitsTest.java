package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every limit the parser and the script reader check: a script at a limit parses, one a step beyond it is
 * refused with one line naming the value and the limit, at the line that passed it.
 */
class LimitsTest {
    private static final Limits L = Limits.DEFAULT;
    private static final String CONFIGURE =
            " access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=16384 periods=1024";

    /** Parses the script {@code make} writes for {@code n} and for {@code n + 1}; the second must fail. */
    private static ScriptException atAndBeyond(int n, IntFunction<String> make) throws ScriptException {
        ScriptParser.parse(make.apply(n));
        return assertThrows(ScriptException.class, () -> ScriptParser.parse(make.apply(n + 1)));
    }

    private static String lines(int n, IntFunction<String> line) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(line.apply(i));
        }
        return String.join("\n", l);
    }

    @Test
    void devices() throws ScriptException {
        ScriptException e = atAndBeyond(L.devices(), n -> lines(n, i -> "device pcm" + i + " playback"));
        assertEquals("line 65: 'pcm64': devices: 65, more than the limit of 64", e.describe());
    }

    @Test
    void processes() throws ScriptException {
        ScriptException e = atAndBeyond(L.processes(), n -> lines(n, i -> "proc p" + i));
        assertEquals("line 257: 'p256': processes: 257, more than the limit of 256", e.describe());
    }

    @Test
    void substreams() throws ScriptException {
        ScriptException e = atAndBeyond(L.substreams(), n -> "device pcm0 playback substreams=" + n);
        assertEquals("line 1: 'substreams=33': must be between 1 and 32", e.describe());
    }

    @Test
    void ops() throws ScriptException {
        ScriptException e = atAndBeyond(L.ops(), n -> "device pcm0 playback\n" + lines(n, i -> "leaks"));
        assertEquals("line 50002: 'leaks': ops: 50001, more than the limit of 50000", e.describe());
    }

    @Test
    void fdsAndMappingsCreated() throws ScriptException {
        // open, then dups: every one a live object until the script closes it.
        ScriptException e = atAndBeyond(L.handles(), n -> "device pcm0 playback\nproc a\na open pcm0 as p\n"
                + lines(n - 1, i -> "a dup p as d"));
        assertEquals("line " + (3 + L.handles()) + ": 'dup': fds and mappings the script creates: 4097, more than "
                + "the limit of 4096", e.describe());
    }

    @Test
    void bufferMemoryHeldAtOnce() throws ScriptException {
        String twoSubstreams = "device pcm0 playback substreams=2 buffer_bytes_max=67108864\nproc a\n";
        ScriptParser.parse(twoSubstreams + "a open pcm0 as p\na hw_params p" + CONFIGURE);
        ScriptException e = assertThrows(ScriptException.class, () -> ScriptParser.parse(twoSubstreams
                + "a open pcm0 as p\na hw_params p" + CONFIGURE + "\na open pcm0 as q\na hw_params q" + CONFIGURE));
        assertEquals("line 6: 'hw_params': bytes of buffer the script may hold at once: 134217728, more than the "
                + "limit of 67108864", e.describe());
        // One substream and no export hold one buffer, however often it is configured again.
        ScriptParser.parse("device pcm0 playback buffer_bytes_max=67108864\nproc a\na open pcm0 as p\n"
                + lines(100, i -> "a hw_params p" + CONFIGURE));
    }

    @Test
    void transferBytesAreFramesTimesTheWidestFrame() throws ScriptException {
        String plain = "device pcm0 playback\nproc a\na open pcm0 as p\na writei p frames=";
        ScriptParser.parse(plain + (L.transferBytes() / 4));
        ScriptException e = assertThrows(ScriptException.class, () -> ScriptParser.parse(plain + 1099511627776L));
        assertEquals("line 4: 'frames=1099511627776': bytes of one transfer (1099511627776 frames of up to 4 bytes): "
                + "4398046511104, more than the limit of 16777216", e.describe());
        String wide = "device pcm0 playback channels_max=256 formats=FLOAT64_LE\nproc a\na open pcm0 as p\n"
                + "a readi p frames=";
        ScriptParser.parse(wide + 8192);
        assertThrows(ScriptException.class, () -> ScriptParser.parse(wide + 8193));
    }

    @Test
    void aScriptFileMustBeRegularSmallAndUtf8(@TempDir Path dir) throws IOException, ScriptException {
        Path ok = dir.resolve("ok.ops");
        Files.writeString(ok, "device pcm0 playback\n");
        assertEquals("device pcm0 playback\n", ScriptFile.read(ok, L));

        ScriptException e = assertThrows(ScriptException.class, () -> ScriptFile.read(dir, L));
        assertEquals("not a regular file (a directory, FIFO or device); give a script file", e.describe());

        Path big = dir.resolve("big.ops");
        Files.write(big, new byte[(int) L.scriptBytes() + 1]);
        e = assertThrows(ScriptException.class, () -> ScriptFile.read(big, L));
        assertEquals("bytes: 8388609, more than the limit of 8388608", e.describe());

        Path garbage = dir.resolve("garbage.ops");
        Files.write(garbage, "device pcm0 playback\nproc a\na open pcm0 as \u00e9\u00ff".getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(ScriptException.class, () -> ScriptFile.read(garbage, L));
        assertEquals("line 3: byte offset 43: 0xE9 is not UTF-8", e.describe());
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo.ops");
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            assumeTrue(false, "no mkfifo here: " + e.getMessage());
            return;
        }
        assumeTrue(p.waitFor() == 0, "mkfifo failed");
        ScriptException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(ScriptException.class, () -> ScriptFile.read(fifo, L)));
        assertTrue(e.getMessage().startsWith("not a regular file"), e.getMessage());
    }
}
