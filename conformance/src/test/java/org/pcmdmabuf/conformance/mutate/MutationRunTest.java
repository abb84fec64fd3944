package org.pcmdmabuf.conformance.mutate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.validate.Check;
import org.pcmdmabuf.conformance.validate.Check.Kind;
import org.pcmdmabuf.conformance.validate.Check.Status;
import org.pcmdmabuf.conformance.validate.Sandbox;
import org.pcmdmabuf.conformance.validate.Series;
import org.pcmdmabuf.conformance.validate.SystemProcessRunner;
import org.pcmdmabuf.conformance.validate.Validation;

/** What validate makes of a mutant: mutants whose fate is known, judged for real, in the sandbox. */
class MutationRunTest {
    private static Series series;
    private static CoreSource source;
    private static List<Mutant> all;
    private static Sandbox sandbox;

    @BeforeAll
    static void load() throws Exception {
        series = Series.open(MutatorTest.KERNEL_PATCH.resolve("series"));
        source = CoreSource.of(series);
        all = Mutator.mutants(source.lines());
        sandbox = Sandbox.probe(MutatorTest.KERNEL_PATCH);
    }

    private static MutationRun run(Duration timeout) {
        return new MutationRun(series, source, new MutationRun.Settings(MutatorTest.KERNEL_PATCH, sandbox,
                new SystemProcessRunner(), 2, new Validation.Differential(20, 1), timeout, null));
    }

    /** The line of pcm_dmabuf.c holding {@code text}: the mutants are named by the file as it is. */
    static int line(String text) {
        List<String> lines = source.lines();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError("pcm_dmabuf.c has no line with " + text);
    }

    private static Mutant mutant(String id) {
        return all.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError(
                id + " is no mutant of the shipped series any more: pick another of its kind"));
    }

    /**
     * The opt-in check of EXPORT returning 0 where the PCM cannot be mmapped is killed by export.ops, which checks
     * EXPORT-ENXIO-NO-MMAP; a dropped assignment that leaves err unset does not build (-Werror); the flags of a DMA
     * mapping, which the harness's DMA API ignores, survive. The results come back in the order asked.
     */
    @Test
    void aKilledAStillbornAndASurvivor() throws Exception {
        List<Mutant> mutants = List.of(mutant("return-zero:" + (line("if (!(runtime->info & SNDRV_PCM_INFO_MMAP))") + 1) + ":10"), mutant("drop-assignment:" + line("err = sg_alloc_table(dst, src->orig_nents, GFP_KERNEL);") + ":2"),
                mutant("constant:" + line("err = dma_map_sgtable(m->dev, &m->sgt, m->dir, 0);") + ":49"));
        List<MutantResult> seen = new ArrayList<>();
        List<MutantResult> results = run(Duration.ofSeconds(300)).run(mutants, seen::add);
        assertEquals(mutants, results.stream().map(MutantResult::mutant).toList());
        assertEquals(3, seen.size());
        Outcome.Killed killed = assertInstanceOf(Outcome.Killed.class, results.get(0).outcome());
        assertEquals("conformance export.ops", killed.check());
        assertTrue(killed.rule().contains("EXPORT-ENXIO-NO-MMAP"), killed.rule());
        Outcome.Stillborn stillborn = assertInstanceOf(Outcome.Stillborn.class, results.get(1).outcome());
        assertTrue(stillborn.why().getFirst().startsWith("sound/core/pcm_dmabuf.c:"), stillborn.why().toString());
        assertInstanceOf(Outcome.Survived.class, results.get(2).outcome());
    }

    /** A validation that runs past the limit is stopped: the mutant timed out. */
    @Test
    void aMutantPastItsTimeLimitTimedOut() throws Exception {
        List<MutantResult> results = run(Duration.ofMillis(1)).run(List.of(mutant("return-zero:" + (line("if (!(runtime->info & SNDRV_PCM_INFO_MMAP))") + 1) + ":10")), r -> {
        });
        assertInstanceOf(Outcome.TimedOut.class, results.getFirst().outcome());
    }

    @Test
    void theShippedSeriesPassesAsItsMutantsAreJudged() throws Exception {
        assertNull(run(Duration.ofSeconds(300)).baseline());
    }

    /** The first failure decides, whatever its kind; a check stopped at its limit is a time-out. */
    @Test
    void theFirstFailedCheckClassifiesTheMutant() {
        Check pass = new Check(Kind.conformance, "a.ops", "R", Status.PASS, List.of(), 0);
        Check known = new Check(Kind.conformance, "k.ops", "R", Status.KNOWN, List.of(), 0);
        Check build = new Check(Kind.harness, "build", null, Status.FAIL, List.of("x.c:1: error: y"), 0);
        Check failed = new Check(Kind.differential, "seq", null, Status.FAIL, List.of("sequence 3"), 0);
        Check stuck = new Check(Kind.conformance, "b.ops", "R", Status.FAIL,
                List.of("did not finish within 3 s: the harness process was stopped; it was at"), 0);
        assertInstanceOf(Outcome.Survived.class, MutationRun.classify(List.of(pass, known)));
        assertEquals(new Outcome.Stillborn(List.of("x.c:1: error: y")), MutationRun.classify(List.of(pass, build)));
        assertEquals(new Outcome.Killed("differential seq", null, List.of("sequence 3")),
                MutationRun.classify(List.of(pass, failed, stuck)));
        assertInstanceOf(Outcome.TimedOut.class, MutationRun.classify(List.of(known, stuck, failed)));
    }
}
