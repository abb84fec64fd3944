package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.harness.Harness;
import org.pcmdmabuf.conformance.harness.Lockstep;
import org.pcmdmabuf.script.Ddmin;
import org.pcmdmabuf.script.RandomScript;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.sim.SplitMix64;
import org.quicktheories.core.Gen;

/**
 * Differential stateful property test: random op sequences run on the model and on the patch's C code in
 * lockstep, both behind the same cache. After every op the two must agree on the answer (return value,
 * errno, substream state, check and stale counts, violations), and the C code's own objects on the model's:
 * every dma-buf's file reference count, orphan state and attachment count, the number of live dma-bufs and
 * buffers, and which buffer each runtime's DMA uses ({@link Lockstep} runs and compares; its benchmark,
 * DifferentialBenchmark, runs the same). A disagreement fails with the shrunk sequence as an op script
 * ({@code pcmsim run FILE --target harness} replays it).
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

    private final Lockstep lockstep = new Lockstep(Harness.fromProperty());

    @Test
    void modelAndPatchAgreeOnEveryOp() {
        var theory = qt().withExamples(SEQUENCES).withGenerateAttempts(SEQUENCES * 10)
                .withFixedSeed(Long.getLong("pcmdmabuf.seed", 1L));
        theory.forAll(sequences()).checkAssert(cs -> lockstep.run(RandomScript.of(cs)));

        Map<String, Integer> seen = lockstep.seen();
        System.out.println("differential: " + SEQUENCES + " sequences, " + lockstep.opsRun() + " ops, 0 disagreements; " + seen);
        assertTrue(lockstep.opsRun() >= SEQUENCES, "ran only " + lockstep.opsRun() + " ops");
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

    /** Stateful sequences per run ({@link Lockstep#drawDeep}): valid ops mostly, so they reach deep states. */
    static final int DEEP_SEQUENCES = Integer.getInteger("pcmdmabuf.deep-sequences", 5_000);

    /**
     * The stateful generator's sequences, from a seed (pcmdmabuf.seed, else 1): a disagreement fails with its
     * script minimized. The sequences must reach the states the free generator seldom does: CPU writes through a
     * mapped dma-buf, DMA started, syncs, attachments, hand-overs, in every fifth sequence or more.
     */
    @Test
    void modelAndPatchAgreeOnDeepSequences() {
        SplitMix64 r = new SplitMix64(Long.getLong("pcmdmabuf.seed", 1L));
        for (int i = 0; i < DEEP_SEQUENCES; i++) {
            Script script = Lockstep.drawDeep(r);
            if (disagreement(script) != null) {
                Script least = Ddmin.minimize(script, s -> parses(s) && disagreement(s) != null, 2000);
                throw new AssertionError("deep sequence " + (i + 1) + ": " + disagreement(least) + "\n"
                        + ScriptWriter.write(least));
            }
        }
        Map<String, Integer> seen = lockstep.seen();
        System.out.println("differential (deep): " + DEEP_SEQUENCES + " sequences, " + lockstep.opsRun()
                + " ops, 0 disagreements; " + seen);
        for (String must : List.of("fill ok", "check ok", "start ok", "sync ok", "mmap ok", "dmabuf_attach ok",
                "dmabuf_export ok", "hw_free ok", "disconnect ok")) {
            assertTrue(seen.getOrDefault(must, 0) >= DEEP_SEQUENCES / 5,
                    "the stateful generator made " + seen.getOrDefault(must, 0) + " '" + must + "' in "
                            + DEEP_SEQUENCES + " sequences; seen: " + seen);
        }
    }

    /** Whether a part of a sequence is still a script: dropping the op that binds a name leaves its uses unbound. */
    private static boolean parses(Script script) {
        try {
            ScriptParser.parse(ScriptWriter.write(script));
            return true;
        } catch (ScriptException e) {
            return false;
        }
    }

    /** The first line of what differs when {@code script} runs in lockstep, or null. */
    private String disagreement(Script script) {
        try {
            lockstep.run(ScriptParser.parse(ScriptWriter.write(script)));
            return null;
        } catch (ScriptException e) {
            throw new AssertionError("the stateful generator wrote an invalid script: " + e.describe(), e);
        } catch (AssertionError e) {
            return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
        }
    }

    /** Protocol sequences per run: the RFC flow set up, then random syncs, CPU accesses and DMA. */
    static final int PROTOCOL_SEQUENCES = Integer.getInteger("pcmdmabuf.protocol-sequences", 5_000);

    static Gen<List<int[]>> protocolSequences() {
        Gen<int[]> op = integers().between(0, 15).zip(integers().between(0, 1 << 16), integers().between(0, 1 << 16),
                (k, a, b) -> new int[] {k, a, b});
        return lists().of(op).ofSizeBetween(1, 60).describedAs(ops -> "\n" + protocolScript(ops));
    }

    static String protocolScript(List<int[]> ops) {
        return Lockstep.protocolScript(ops);
    }

    @Test
    void modelAndPatchAgreeOnTheSyncProtocol() {
        var theory = qt().withExamples(PROTOCOL_SEQUENCES).withGenerateAttempts(PROTOCOL_SEQUENCES * 10)
                .withFixedSeed(Long.getLong("pcmdmabuf.seed", 1L));
        theory.forAll(protocolSequences()).checkAssert(ops -> {
            try {
                lockstep.run(ScriptParser.parse(protocolScript(ops)));
            } catch (ScriptException e) {
                throw new AssertionError("generated an invalid script: " + e.describe(), e);
            }
        });
        Map<String, Integer> seen = lockstep.seen();
        System.out.println("differential (sync protocol): " + PROTOCOL_SEQUENCES + " sequences, 0 disagreements; " + seen);
        for (String must : List.of("fill ok", "check ok", "sync ok", "advance ok", "dmabuf_attach ok")) {
            assertTrue(seen.containsKey(must), "the protocol generator never produced " + must + "; seen: " + seen);
        }
    }
}
