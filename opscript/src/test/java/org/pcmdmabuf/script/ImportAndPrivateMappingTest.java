package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code import} (another driver's import, IMPORT-*) and {@code mmap ... private} (PERM-MMAP-SHARED) on the model,
 * and how the parser and writer take them (docs/op-scripts.md).
 */
class ImportAndPrivateMappingTest {
    @Test
    void onlyRuntimePrivatePlainPagesAreMappedForAnotherDriversDevice() throws ScriptException {
        String ops = """
                a dmabuf_export p as d
                a import d
                a import d nodma
                a import p
                a hw_free p
                a import d
                """;
        for (String plain : List.of("buffer=continuous", "buffer=vmalloc")) {
            assertEquals(List.of("4", "0", "EINVAL", "EINVAL", "0", "ENODEV"), GupTest.answers(plain, ops), plain);
        }
        for (String other : List.of("buffer=dev", "buffer=dev-wc", "buffer=noncoherent", "contiguous=false buffer=dev-sg",
                "contiguous=false buffer=noncontig", "buffer=continuous driver=prealloc",
                "buffer=continuous driver=fixed")) {
            List<String> a = GupTest.answers(other, ops);
            assertEquals(List.of("4", "EINVAL", "EINVAL", "EINVAL", "0"), a.subList(0, 5), other);
        }
    }

    @Test
    void aPrivateMappingOfADmabufIsEinvalBeforeItsStateAndWithoutEacces() throws ScriptException {
        assertEquals(List.of("4", "EINVAL", "EINVAL", "5", "EINVAL", "0", "EINVAL", "ENODEV"), GupTest.answers("", """
                a dmabuf_export p as d
                a mmap d len=4096 prot=rw private as m
                a mmap d len=65536 prot=r private as m
                a dup d as e
                a mmap e len=4096 prot=r private as m
                a hw_free p
                a mmap e len=4096 prot=r private as m
                a mmap e len=4096 prot=r as m
                """));
    }

    @Test
    void onlyADmabufNameMayBeMappedPrivate() {
        ScriptException e = assertThrows(ScriptException.class, () -> ScriptParser.parse(
                "device pcm0 playback\nproc a\na open pcm0 as p\na mmap p len=4096 prot=r private as m\n"));
        assertTrue(e.getMessage().contains("is no dma-buf fd"), e.getMessage());
        // a name bound again to a PCM fd is no dma-buf any more
        e = assertThrows(ScriptException.class, () -> ScriptParser.parse("device pcm0 playback\nproc a\nproc b\n"
                + "a open pcm0 as p\na" + GupTest.HW + "a dmabuf_export p as d\na close d\na open pcm0 as d\n"
                + "a mmap d len=4096 prot=r private as m\n"));
        assertTrue(e.getMessage().contains("is no dma-buf fd"), e.getMessage());
    }

    @Test
    void bothAreWrittenBackAsTheyWereRead() throws ScriptException {
        String script = "device pcm0 playback\nproc a\nproc b\na open pcm0 as p\na" + GupTest.HW
                + "a dmabuf_export p as d\na send d b as x\nb mmap x off=0 len=4096 prot=r private as m\n"
                + "b import x nodma\nb import x\n";
        Script parsed = ScriptParser.parse(script);
        String prefix = script.lines().limit(7).reduce("", (x, y) -> x + y + "\n");
        List<String> lines = List.of("b mmap x off=0 len=4096 prot=r private as m", "b import x nodma", "b import x");
        for (int i = 4; i < 7; i++) {
            String line = ScriptWriter.line(parsed.ops().get(i));
            assertEquals(lines.get(i - 4), line);
            assertEquals(line, ScriptWriter.line(ScriptParser.parse(prefix + line + "\n").ops().getLast()));
        }
    }
}
