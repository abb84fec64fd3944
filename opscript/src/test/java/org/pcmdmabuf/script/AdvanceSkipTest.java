package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.model.DmaObserver;
import org.pcmdmabuf.model.MemorySystem;
import org.pcmdmabuf.model.Pcm;
import org.pcmdmabuf.model.SndDmaBuffer;
import org.pcmdmabuf.model.Substream;
import org.pcmdmabuf.model.World;

/**
 * An advance skips the buffer cycles that cannot change anything (docs/decisions.md item 15a); a world with an
 * observer, which hears every frame, runs each of them. Random streams (either direction, coherent or not,
 * free-running or not, appl_ptr out of the window, memory the CPU wrote with and without syncs, one stream on
 * another's dma-buf) answer the same in both, op by op, and end with the same pointers and memory; the
 * skipping world's DMA reads a fraction of the words (most advances here are a few cycles long).
 */
class AdvanceSkipTest {
    private static final int SCRIPTS = 300;

    @Test
    void skippingCyclesAnswersAsRunningThemAll() throws ScriptException {
        Random r = new Random(15);
        long readsAll = 0;
        long readsSkipping = 0;
        for (int i = 0; i < SCRIPTS; i++) {
            String text = script(r);
            Script script = ScriptParser.parse(text);
            Counting all = new Counting();
            World every = new World(all);
            every.setObserver(new DmaObserver() {
            });
            Counting skipping = new Counting();
            World skipper = new World(skipping);
            assertEquals(json(script, every), json(script, skipper), text);
            assertSameState(every, skipper, text);
            readsAll += all.dmaReads;
            readsSkipping += skipping.dmaReads;
        }
        assertTrue(readsSkipping * 5 < readsAll, "the DMA read " + readsSkipping + " words skipping, "
                + readsAll + " running every cycle");
    }

    @Test
    void aFreeRunningStreamAdvancesATrillionFramesAtOnce() throws ScriptException {
        Script script = ScriptParser.parse("""
                device pcm0 playback
                proc a
                a open pcm0 as p
                a hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=16 periods=4
                a sw_params p stop_threshold=boundary
                a prepare p
                a sync_ptr p appl_ptr=64
                a start p
                a sync_ptr p appl_ptr=4611686018427387000
                advance frames=999999999999
                a delay p
                """);
        List<String> out = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> json(script, new World()));
        assertEquals("{\"line\":11,\"proc\":\"a\",\"op\":\"delay\",\"ret\":-1000000000903,\"errno\":null,"
                + "\"state\":\"RUNNING\"}", out.getLast());
    }

    private static List<String> json(Script script, World world) {
        List<String> out = new ArrayList<>();
        ScriptRunner.run(script, new ModelTarget(world), step -> out.add(step.json()));
        return out;
    }

    private static void assertSameState(World want, World got, String script) {
        for (int p = 0; p < want.pcms().size(); p++) {
            Pcm a = want.pcms().get(p);
            Pcm b = got.pcms().get(p);
            for (int k = 0; k < a.substreams().size(); k++) {
                Substream s = a.substreams().get(k);
                Substream t = b.substreams().get(k);
                if (s.runtime() == null) {
                    continue;
                }
                assertEquals(s.runtime().hwPtr(), t.runtime().hwPtr(), script);
                assertEquals(s.runtime().applPtr(), t.runtime().applPtr(), script);
                sameMemory(s.runtime().dmaBuffer(), t.runtime().dmaBuffer(), script);
            }
        }
        for (int d = 0; d < want.dmaBufs().size(); d++) {
            sameMemory(want.dmaBufs().get(d).buffer, got.dmaBufs().get(d).buffer, script);
        }
        assertEquals(want.staleDmaReads(), got.staleDmaReads(), script);
        assertEquals(want.violationCount(), got.violationCount(), script);
    }

    private static void sameMemory(SndDmaBuffer a, SndDmaBuffer b, String script) {
        if (a == null || b == null) {
            assertEquals(a == null, b == null, script);
            return;
        }
        for (int w = 0; w < a.bytes / SndDmaBuffer.WORD_BYTES; w++) {
            if (a.word(w) != b.word(w) || a.logical(w) != b.logical(w)) {
                assertEquals(a.word(w) + "/" + a.logical(w), b.word(w) + "/" + b.logical(w), "word " + w + "\n" + script);
            }
        }
    }

    /** Memory itself, counting the words DMA reads: how much of the advance was run. */
    private static final class Counting implements MemorySystem {
        long dmaReads;

        @Override
        public void cpuWrite(SndDmaBuffer b, int word, long value) {
            MemorySystem.DIRECT.cpuWrite(b, word, value);
        }

        @Override
        public long cpuRead(SndDmaBuffer b, int word) {
            return MemorySystem.DIRECT.cpuRead(b, word);
        }

        @Override
        public long dmaRead(SndDmaBuffer b, int word, boolean coherent) {
            dmaReads++;
            return MemorySystem.DIRECT.dmaRead(b, word, coherent);
        }

        @Override
        public void dmaWrite(SndDmaBuffer b, int word, long value, boolean coherent) {
            MemorySystem.DIRECT.dmaWrite(b, word, value, coherent);
        }

        @Override
        public void clean(SndDmaBuffer b, int from, int to) {
        }

        @Override
        public void invalidate(SndDmaBuffer b, int from, int to) {
        }
    }

    /**
     * Two devices of one direction, each stream configured at random; the second maybe running on the first's
     * export, which the CPU maps and writes with or without the syncs; then advances with checks between.
     */
    private static String script(Random r) {
        boolean playback = r.nextBoolean();
        String dir = playback ? "playback" : "capture";
        List<String> l = new ArrayList<>();
        l.add("device pcm0 " + dir + " coherent=" + r.nextBoolean());
        l.add("device pcm1 " + dir + " coherent=" + r.nextBoolean());
        l.add("proc a");
        int[] periodFrames = {16, 24, 100, 256};
        for (String p : List.of("p", "q")) {
            l.add("a open pcm" + (p.equals("p") ? 0 : 1) + " as " + p);
            l.add("a hw_params " + p + " access=MMAP_INTERLEAVED format=" + (r.nextBoolean() ? "S16_LE" : "U8")
                    + " channels=" + (1 + r.nextInt(2)) + " rate=" + (8000 + r.nextInt(40001)) + " period_frames="
                    + periodFrames[r.nextInt(periodFrames.length)] + " periods=" + (1 + r.nextInt(8)));
            switch (r.nextInt(3)) {
                case 0 -> l.add("a sw_params " + p + " stop_threshold=boundary");
                case 1 -> l.add("a sw_params " + p + " stop_threshold=" + (1 + r.nextInt(1 << 20)));
                default -> {
                }
            }
        }
        l.add("a dmabuf_export p as d");
        l.add("a mmap d len=4096 prot=rw as m");
        if (r.nextBoolean()) {
            l.add("a dmabuf_attach q d");
        }
        if (r.nextBoolean()) {
            boolean synced = r.nextBoolean();
            if (synced) {
                l.add("a sync d start,write");
            }
            l.add("a fill m off=0 len=" + 4 * (1 + r.nextInt(256)));
            if (synced) {
                l.add("a sync d end,write");
            }
        }
        for (String p : List.of("p", "q")) {
            l.add("a prepare " + p);
            if (playback) {
                l.add("a sync_ptr " + p + " appl_ptr=" + r.nextInt(4096));
            }
            l.add("a start " + p);
        }
        if (r.nextInt(4) == 0) {
            l.add("a sync_ptr p appl_ptr=" + (1L << 40) * (1 + r.nextInt(1000)));
        }
        for (int k = 0; k < 4; k++) {
            l.add(switch (r.nextInt(3)) {
                case 0 -> "advance frames=" + r.nextInt(1 << 18);
                case 1 -> "advance " + (1 + r.nextInt(5000)) + "ms";
                default -> "advance " + r.nextInt(100_000) + "us";
            });
            l.add("a delay p");
            l.add("a hwsync q");
            l.add("a check m off=0 len=1024");
        }
        return String.join("\n", l) + "\n";
    }
}
