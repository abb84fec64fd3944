package org.pcmdmabuf.conformance.mutate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.conformance.validate.BadSeries;
import org.pcmdmabuf.conformance.validate.Series;

/** The mutants of a C file: which changes, where, and that each still applies as a patch. */
class MutatorTest {
    static final Path KERNEL_PATCH = Path.of("..", "kernel-patch").toAbsolutePath().normalize();
    private static final Path FIXTURE = Path.of("src/test/resources/mutate/fixture").toAbsolutePath();

    @TempDir
    Path tmp;

    /**
     * Every operator on a small file, and nothing in its comments, kernel-doc, string literal, preprocessor line,
     * struct, initializer table or declaration.
     */
    @Test
    void theFixtureGetsExactlyTheseMutants() throws Exception {
        CoreSource source = CoreSource.of(Series.open(FIXTURE));
        List<String> got = Mutator.mutants(source.lines()).stream().map(m -> m.id() + " " + m.description()).toList();
        assertEquals(List.of(
                "drop-lock:26:2 pcm_dmabuf.c:26 drop lock: guard(mutex)(&fixture_lock); -> { }",
                "negate-condition:27:6 pcm_dmabuf.c:27 negate condition: if (!f) -> if (f)",
                "errno:28:10 pcm_dmabuf.c:28 swap errno: return -EINVAL; -> return -ENXIO;",
                "return-zero:28:10 pcm_dmabuf.c:28 return 0: return -EINVAL; -> return 0;",
                "negate-condition:29:6 pcm_dmabuf.c:29 negate condition: if (f->gone || f->users >= 8) -> if (!(f->gone || f->users >= 8))",
                "logical:29:14 pcm_dmabuf.c:29 logical operator: if (f->gone || f->users >= 8) -> if ((f->gone && f->users >= 8))",
                "relational:29:26 pcm_dmabuf.c:29 relational operator: if (f->gone || f->users >= 8) -> if (f->gone || f->users > 8)",
                "constant:29:29 pcm_dmabuf.c:29 constant off by one: if (f->gone || f->users >= 8) -> if (f->gone || f->users >= 9)",
                "errno:30:10 pcm_dmabuf.c:30 swap errno: return -ENODEV; /* if (x) -EBUSY */ -> return -ENXIO; /* if (x) -EBUSY */",
                "return-zero:30:10 pcm_dmabuf.c:30 return 0: return -ENODEV; /* if (x) -EBUSY */ -> return 0; /* if (x) -EBUSY */",
                "drop-assignment:31:2 pcm_dmabuf.c:31 drop assignment: err = fixture_check(f, \"a == b\"); -> { }",
                "negate-condition:32:6 pcm_dmabuf.c:32 negate condition: if (err) -> if (!err)",
                "return-zero:33:10 pcm_dmabuf.c:33 return 0: return err; -> return 0;",
                "drop-assignment:34:2 pcm_dmabuf.c:34 drop assignment: f->users++; -> { }",
                "increment:34:10 pcm_dmabuf.c:34 swap increment: f->users++; -> f->users--;",
                "drop-assignment:35:2 pcm_dmabuf.c:35 drop assignment: f->gone = false; -> { }",
                "boolean:35:12 pcm_dmabuf.c:35 swap boolean: f->gone = false; -> f->gone = true;",
                "drop-call:36:2 pcm_dmabuf.c:36 drop call: kfree(f->old); -> { }",
                "drop-lock:37:2 pcm_dmabuf.c:37 drop lock: scoped_guard(mutex, &fixture_lock) -> (empty line)",
                "drop-call:38:3 pcm_dmabuf.c:38 drop call: fixture_wake(f, ... -> { } ...",
                "constant:39:9 pcm_dmabuf.c:39 constant off by one: 0); -> 1);"), got);
    }

    /** A statement of two lines is dropped whole: its first line an empty block, the rest empty lines. */
    @Test
    void aStatementOfSeveralLinesIsDroppedWhole() throws Exception {
        CoreSource source = CoreSource.of(Series.open(FIXTURE));
        Mutant m = Mutator.mutants(source.lines()).stream().filter(x -> x.id().equals("drop-call:38:3")).findFirst()
                .orElseThrow();
        assertEquals(List.of(new Mutant.Edit(38, "\t\t{ }"), new Mutant.Edit(39, "")), m.edits());
    }

    @Test
    void oneOperandIsNegatedWithoutParentheses() {
        assertTrue(Mutator.operand("snd_pcm_dmabuf_gone(buf)"));
        assertTrue(Mutator.operand("attach->dev->dma_mask"));
        assertTrue(Mutator.operand("(vma->vm_flags & VM_SHARED)"));
        assertTrue(!Mutator.operand("a || b"));
        assertTrue(!Mutator.operand("(a) || (b)"));
        assertTrue(!Mutator.operand("fd < 0"));
    }

    /**
     * The shipped series: every operator finds something, ids are unique, the order is by line and column, and each
     * mutant's patch differs from the series only in the + lines of pcm_dmabuf.c's hunk, line for line, so it
     * applies wherever the series does.
     */
    @Test
    void everyMutantOfTheShippedSeriesChangesOnlyItsLines() throws Exception {
        CoreSource source = CoreSource.of(Series.open(KERNEL_PATCH.resolve("series")));
        List<Mutant> all = Mutator.mutants(source.lines());
        assertEquals(all, Mutator.mutants(source.lines()), "the same file, the same mutants");
        Set<Operator> used = EnumSet.noneOf(Operator.class);
        Set<String> ids = new HashSet<>();
        List<String> original = List.of(String.join("\n", source.patchLines()).split("\n", -1));
        Mutant previous = null;
        for (Mutant m : all) {
            used.add(m.operator());
            assertTrue(ids.add(m.id()), "two mutants " + m.id());
            assertTrue(previous == null || previous.line() < m.line()
                    || (previous.line() == m.line() && previous.column() <= m.column()), m.id());
            previous = m;
            List<String> mutated = List.of(source.patchText(m).split("\n", -1));
            assertEquals(original.size(), mutated.size(), m.id());
            int changed = 0;
            for (int i = 0; i < original.size(); i++) {
                if (!original.get(i).equals(mutated.get(i))) {
                    changed++;
                    assertTrue(i >= source.firstLine() && i < source.firstLine() + source.lines().size()
                            && mutated.get(i).startsWith("+"), m.id() + " changes patch line " + (i + 1));
                }
            }
            assertTrue(changed >= 1, m.id() + " changes nothing");
        }
        assertEquals(EnumSet.allOf(Operator.class), used);
        assertTrue(all.size() > 300, "only " + all.size() + " mutants");
    }

    /**
     * build.sh, the harness build validate runs, applies the first mutant of each operator (it exits 2 when a patch
     * does not apply); the first errno swap builds.
     */
    @Test
    void theHarnessBuildAppliesAMutantOfEachOperator() throws Exception {
        Series series = Series.open(KERNEL_PATCH.resolve("series"));
        CoreSource source = CoreSource.of(series);
        Set<Operator> seen = EnumSet.noneOf(Operator.class);
        List<String> problems = new ArrayList<>();
        for (Mutant m : Mutator.mutants(source.lines())) {
            if (!seen.add(m.operator())) {
                continue;
            }
            Path dir = tmp.resolve(m.operator().id());
            source.write(series, m, dir);
            int exit = build(dir, tmp.resolve(m.operator().id() + "-out"));
            if (exit == 2 || (m.operator() == Operator.ERRNO && exit != 0)) {
                problems.add(m.id() + ": build.sh exit " + exit);
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void aSeriesWhoseFileIsNoNewFileIsRefused() throws Exception {
        Path dir = tmp.resolve("modified");
        Files.createDirectories(dir);
        Path fixture = Files.list(FIXTURE).findFirst().orElseThrow();
        Files.writeString(dir.resolve(fixture.getFileName()),
                Files.readString(fixture, StandardCharsets.UTF_8).replace("@@ -0,0 +1,41 @@", "@@ -0,0 +1,45 @@"));
        BadSeries e = org.junit.jupiter.api.Assertions.assertThrows(BadSeries.class,
                () -> CoreSource.of(Series.open(dir)));
        assertTrue(e.getMessage().contains("announces 45 lines but has 41"), e.getMessage());
        assertNotEquals(-1, e.getMessage().indexOf(fixture.getFileName().toString()), e.getMessage());
    }

    private static int build(Path series, Path out) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(KERNEL_PATCH.resolve("harness/build.sh").toString(), series.toString(),
                out.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "build.sh did not end");
        return p.exitValue();
    }
}
