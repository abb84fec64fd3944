package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.harness.Harness;
import org.pcmdmabuf.harness.HarnessDriver;
import org.pcmdmabuf.harness.HarnessTarget;
import org.pcmdmabuf.model.DmaBuf;
import org.pcmdmabuf.model.DmaBuffer;
import org.pcmdmabuf.model.Pcm;
import org.pcmdmabuf.model.Substream;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Names;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.RandomScript;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.sim.Cache;
import org.pcmdmabuf.sim.SplitMix64;
import org.quicktheories.core.Gen;

/**
 * Differential stateful property test: random op sequences run on the model and on the patch's C code in
 * lockstep, both behind the same cache. After every op the two must agree on the answer (return value,
 * errno, substream state, check and stale counts, violations), and the C code's own objects on the model's:
 * every dma-buf's file reference count, orphan state and attachment count, the number of live dma-bufs and
 * buffers, and which buffer each runtime's DMA uses. A disagreement fails with the shrunk sequence as an op
 * script ({@code pcmsim run FILE --target harness} replays it).
 */
class DifferentialTest {
    /** At least 20,000 sequences per CI run (issue 5). */
    static final int SEQUENCES = Integer.getInteger("pcmdmabuf.sequences", 20_000);

    /**
     * As the model's property test, but half of the free parameters small: fill and check ranges then fit in
     * a mapping, so CPU writes, syncs and DMA meet in the cache often enough to judge the C code's syncs.
     */
    static Gen<RandomScript.Choice> choices() {
        return integers().between(0, RandomScript.KINDS - 1).zip(integers().between(0, 2), parameter(),
                parameter(), parameter(), RandomScript.Choice::new);
    }

    private static Gen<Integer> parameter() {
        return integers().between(0, 1 << 20).mix(integers().between(0, 1023));
    }

    static Gen<List<RandomScript.Choice>> sequences() {
        return lists().of(choices()).ofSizeBetween(1, 80)
                .describedAs(cs -> "\n" + ScriptWriter.write(RandomScript.of(cs)));
    }

    private final Map<String, Integer> seen = new TreeMap<>();
    private long opsRun;

    @Test
    void modelAndPatchAgreeOnEveryOp() {
        var theory = qt().withExamples(SEQUENCES).withGenerateAttempts(SEQUENCES * 10);
        Long seed = Long.getLong("pcmdmabuf.seed");
        if (seed != null) {
            theory = theory.withFixedSeed(seed);
        }
        theory.forAll(sequences()).checkAssert(this::runOne);

        System.out.println("differential: " + SEQUENCES + " sequences, " + opsRun + " ops, 0 disagreements; " + seen);
        assertTrue(opsRun >= SEQUENCES, "ran only " + opsRun + " ops");
        List<String> missing = new ArrayList<>();
        for (String must : List.of("dmabuf_export ok", "dmabuf_attach ok", "dmabuf_attach ENODEV",
                "dmabuf_attach EBUSY", "dmabuf_attach EINVAL", "dmabuf_detach ok", "dmabuf_detach EBUSY",
                "mmap ENODEV", "sync ok", "sync ENODEV", "disconnect ok", "hw_free ok")) {
            if (!seen.containsKey(must)) {
                missing.add(must);
            }
        }
        assertTrue(missing.isEmpty(), "the generator never produced " + missing + "; seen: " + seen);
    }

    /** Protocol sequences per run: the RFC flow set up, then random syncs, CPU accesses and DMA. */
    static final int PROTOCOL_SEQUENCES = Integer.getInteger("pcmdmabuf.protocol-sequences", 5_000);

    private static final String PROTOCOL_SETUP = """
            device pcm0 playback coherent=false
            device cap0 capture coherent=false
            device pcm1 playback coherent=false
            proc server
            proc app
            server open pcm0 as p
            server hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            server dmabuf_export p as d
            server dmabuf_attach p d
            server send d app as d
            app mmap d len=16384 prot=rw as m
            server open cap0 as c
            server hw_params c access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            server dmabuf_export c as cd
            server dmabuf_attach c cd
            server send cd app as cd
            app mmap cd len=16384 prot=r as cm
            server open pcm1 as q
            server hw_params q access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            """;

    /** One protocol op from three random numbers. */
    static String protocolOp(int kind, int a, int b) {
        String fd = List.of("p", "c", "q").get(a % 3);
        long off = 4L * (a % 4096);
        long len = 4L * (1 + b % Math.max(1, 4096 - a % 4096));
        return switch (kind % 16) {
            case 0, 1 -> "app sync d " + List.of("start,write", "end,write", "start,read", "end,read", "start,read,write",
                    "end,read,write").get(b % 6);
            case 2 -> "app sync cd " + List.of("start,read", "end,read").get(b % 2);
            case 3, 4 -> "app fill m off=" + off + " len=" + len + " stamp";
            case 5 -> "app check " + (b % 2 == 0 ? "cm" : "m") + " off=" + off + " len=" + len;
            case 6 -> "server " + List.of("prepare", "start", "drop", "hwsync").get(b % 4) + " " + fd;
            case 7 -> "server sync_ptr " + fd + " appl_ptr=" + (b % 9000);
            case 8, 9 -> "advance frames=" + (1 + b % 2048);
            case 10 -> "server hw_free " + fd;
            case 11 -> "server hw_params " + fd + " access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 "
                    + "period_frames=1024 periods=4";
            case 12 -> "server dmabuf_detach " + fd;
            case 13 -> "server dmabuf_attach " + fd + " " + List.of("d", "cd").get(b % 2);
            case 14 -> "server dmabuf_export " + fd + " as " + List.of("d", "cd").get(b % 2);
            default -> b % 8 == 0 ? "disconnect " + List.of("pcm0", "cap0", "pcm1").get(a % 3)
                    : "app munmap " + (b % 2 == 0 ? "m" : "cm");
        };
    }

    static Gen<List<int[]>> protocolSequences() {
        Gen<int[]> op = integers().between(0, 15).zip(integers().between(0, 1 << 16), integers().between(0, 1 << 16),
                (k, a, b) -> new int[] {k, a, b});
        return lists().of(op).ofSizeBetween(1, 60).describedAs(ops -> "\n" + protocolScript(ops));
    }

    static String protocolScript(List<int[]> ops) {
        StringBuilder sb = new StringBuilder(PROTOCOL_SETUP);
        for (int[] o : ops) {
            sb.append(protocolOp(o[0], o[1], o[2])).append('\n');
        }
        return sb.append("app exit\nserver exit\nleaks\n").toString();
    }

    @Test
    void modelAndPatchAgreeOnTheSyncProtocol() {
        var theory = qt().withExamples(PROTOCOL_SEQUENCES).withGenerateAttempts(PROTOCOL_SEQUENCES * 10);
        Long seed = Long.getLong("pcmdmabuf.seed");
        if (seed != null) {
            theory = theory.withFixedSeed(seed);
        }
        theory.forAll(protocolSequences()).checkAssert(ops -> {
            try {
                runScript(ScriptParser.parse(protocolScript(ops)));
            } catch (ScriptException e) {
                throw new AssertionError("generated an invalid script: " + e.describe(), e);
            }
        });
        System.out.println("differential (sync protocol): " + PROTOCOL_SEQUENCES + " sequences, 0 disagreements; " + seen);
        for (String must : List.of("fill ok", "check ok", "sync ok", "advance ok", "dmabuf_attach ok")) {
            assertTrue(seen.containsKey(must), "the protocol generator never produced " + must + "; seen: " + seen);
        }
    }

    private static Cache cache() {
        return new Cache(new Cache.Config(64, 4096, 0, 0), new SplitMix64(0));
    }

    private void runOne(List<RandomScript.Choice> cs) {
        runScript(RandomScript.of(cs));
    }

    private void runScript(Script script) {
        ModelTarget model = new ModelTarget(new World(cache()));
        HarnessTarget harness = new HarnessTarget(Harness.fromProperty(), 64, 4096);
        model.declare(script);
        harness.declare(script);
        Names modelNames = new Names();
        Names harnessNames = new Names();
        for (Op op : script.ops()) {
            opsRun++;
            Outcome m = model.execute(op, modelNames);
            Outcome h = harness.execute(op, harnessNames);
            seen.merge(op.name() + " " + (m.errno() == null ? "ok" : m.errno()), 1, Integer::sum);
            String at = "line " + op.line() + " " + ScriptWriter.line(op) + ": ";
            assertEquals(m, h, at + "model and patch answer differently");
            compareState(at, model.world(), harness);
        }
        HarnessDriver d = harness.driver();
        if (model.world().leaks().equals(new org.pcmdmabuf.model.Leaks(0, 0, 0, 0, 0))) {
            assertEquals(0, d.liveDmabufs(), "the C code keeps dma-bufs after the model freed everything");
            assertEquals(0, d.liveBuffers(), "the C code keeps buffers after the model freed everything");
            assertEquals(0, d.deviceReferences(), "the C code keeps device references");
        }
    }

    /**
     * What memory holds, word by word: the syncs the C code does (or skips) show here first, before any DMA
     * reads it. Both worlds stamp the same writes with the same values.
     */
    private static void sameMemory(String at, DmaBuffer want, DmaBuffer got) {
        long words = want.bytes / DmaBuffer.WORD_BYTES;
        for (int w = 0; w < words; w++) {
            if (want.word(w) != got.word(w)) {
                throw new AssertionError(at + "word " + w + " is " + got.word(w) + " with the C code, "
                        + want.word(w) + " in the model (a cache sync differs)");
            }
        }
    }

    private static void compareState(String at, World model, HarnessTarget harness) {
        World host = harness.world();
        HarnessDriver c = harness.driver();
        assertEquals(List.of(), c.problems(), at + "the C code went wrong");
        assertEquals(model.leaks(), host.leaks(), at + "live objects differ");
        List<DmaBuf> md = model.dmaBufs();
        List<DmaBuf> hd = host.dmaBufs();
        assertEquals(md.size(), c.liveDmabufs(), at + "live dma-bufs: model vs C");
        for (int i = 0; i < md.size(); i++) {
            DmaBuf want = md.get(i);
            DmaBuf got = hd.get(i);
            String which = at + "dma-buf #" + i + " ";
            assertEquals(want.file().count(), c.fileCount(got), which + "file reference count: model vs C");
            assertEquals(want.live() ? 0 : 1, c.orphaned(got), which + "orphaned: model vs C");
            assertEquals(want.attachments().size(), c.attachments(got), which + "attachments: model vs C");
            sameMemory(which + "memory: ", want.buffer, got.buffer);
        }
        for (Pcm p : host.pcms()) {
            for (Substream s : p.substreams()) {
                if (s.runtime() == null) {
                    continue;
                }
                Substream ms = model.pcm(p.name()).substreams().get(s.number);
                if (ms.runtime() != null && ms.runtime().dmaBuffer() != null && s.runtime().dmaBuffer() != null) {
                    sameMemory(at + s + " memory: ", ms.runtime().dmaBuffer(), s.runtime().dmaBuffer());
                }
                var b = s.runtime().activeBuffer();
                assertEquals(b == null ? 0 : b.id, c.runtimeBuffer(s), at + s + ": buffer the DMA uses: host vs C");
                assertEquals(s.runtime().attachment() != null, c.attached(s), at + s + ": attached: host vs C");
            }
        }
    }
}
