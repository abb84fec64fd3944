package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.conformance.harness.RaceScenarios;
import picocli.CommandLine;

/**
 * {@code pcmsim race-kernel} discriminates (PLAT-CONCURRENCY): a variant of the series made here that drops a lock
 * is killed by validate's race stage (DroppedLockTest drops each lock the patch takes), one with a lock-order
 * inversion is reported by the lock-order graph, revocations that miss a mapping not linked yet are killed, and
 * the shipped series passes every schedule of the scenarios.
 */
class RaceKernelTest {
    static final Path KERNEL_PATCH = BrokenVariantsTest.KERNEL_PATCH;
    static final Path RACES = Path.of("..", "conformance", "src", "main", "resources", "races").toAbsolutePath()
            .normalize();

    /**
     * One lock dropped: in the function whose definition starts with {@code function} in patch 0002, the first
     * line {@code from} after it becomes {@code to}; {@code scenario} must fail.
     */
    record Dropped(String name, String function, String from, String to, String scenario) {
    }

    /**
     * Validate's race stage kills a dropped lock. DroppedLockTest drops every lock the patch takes, each run through
     * the scenario that kills it with the race stage's settings; this one goes through validate as a developer
     * runs it, so that the stage's wiring (the library it loads, the scenarios, the failing check) is judged too.
     */
    static final Dropped DROPPED = new Dropped("cpu_access without buf->lock", "static int snd_pcm_dmabuf_cpu_access(",
            "guard(mutex)(&buf->lock);", "/* dropped */", "sync-detach");

    /** One line edited: the first line {@code from} after the function's definition becomes {@code to}. */
    record Edit(String from, String to) {
    }

    /** snd_pcm_dmabuf_revoke_finish() with lines edited: a revocation that can miss a mapping not linked yet. */
    record Revocation(String name, List<Edit> edits) {
    }

    static final String FINISH = "static void snd_pcm_dmabuf_revoke_finish(";
    static final Edit NO_WAIT = new Edit("\tif (mmget_not_zero(m->mm)) {", "\tif (0 && mmget_not_zero(m->mm)) {");
    static final Edit NO_LATE_ZAP = new Edit("snd_pcm_dmabuf_zap(buf);", "/* dropped */");

    static final List<Revocation> REVOCATIONS = List.of(
            // the mapping is linked after the late zap ran
            new Revocation("no wait for the mms that mapped it", List.of(NO_WAIT)),
            // the wait lets the mapping be linked, and nothing zaps it
            new Revocation("no late zap", List.of(NO_LATE_ZAP)),
            // the revision before the mm list: the revocation's one zap under buf->lock
            new Revocation("one zap, as the revision before the mm list", List.of(NO_WAIT, NO_LATE_ZAP)));

    /** The scenarios that mmap typed memory while it is revoked (HW_FREE of reused memory, a disconnect). */
    static final List<String> TYPED_MMAP_RACES = List.of("mmap-revoke", "mmap-disconnect-typed");

    @TempDir
    Path tmp;

    /**
     * The variant fails validate's race stage in its scenario. Validate runs the revision's code in a child JVM, so a
     * variant whose race is a use after free (freed memory holds the accounting's poison) fails the scenario with
     * the crash instead of taking this JVM down.
     */
    @Test
    void aDroppedLockIsKilledByValidatesRaceStage() throws IOException {
        Dropped v = DROPPED;
        Path series = variant(v.name(), v.function(), v.from(), v.to());
        Result r = execute("validate", "--no-kernel-checks", "--no-faults", "--sequences", "0", "--format", "ktap",
                series.toString());
        assertEquals(1, r.exit(), v.name() + ": validate does not kill it\n" + r.out() + r.err());
        String scenario = "race: races/" + v.scenario() + ".ops";
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("not ok ") && l.contains(scenario) && !l.contains("# TODO")),
                v.name() + ": the race stage does not fail " + scenario + "\n" + r.out());
    }

    /**
     * let_go takes snd_pcm_dmabuf_list_lock inside buf->lock, where disconnect_one takes them the other way: the
     * graph reports the cycle with both sites of both edges, although no schedule deadlocks (let_go runs before
     * the group).
     */
    @Test
    void aLockOrderInversionIsReportedWithoutADeadlock() throws Exception {
        Path lib = build("inversion", "static void snd_pcm_dmabuf_let_go(", "scoped_guard(mutex, &buf->lock) {",
                "scoped_guard(mutex, &buf->lock) { guard(mutex)(&snd_pcm_dmabuf_list_lock);");
        // PCT: a bounded depth-first enumeration varies the last decisions first, and the edge of disconnect_one
        // needs the disconnect to run before the close, a first decision
        Result r = raceKernel("--library", lib.toString(), "--schedules", "100", "--seed", "1", "--no-shrink",
                RACES.resolve("release-export.ops").toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("lock order: possible circular locking dependency: "), r.out());
        assertTrue(r.out().matches("(?s).*&buf->lock -> snd_pcm_dmabuf_list_lock \\(&buf->lock held at"
                + " sound/core/pcm_dmabuf.c:\\d+, snd_pcm_dmabuf_list_lock taken at sound/core/pcm_dmabuf.c:\\d+\\).*"),
                r.out());
        assertTrue(r.out().matches("(?s).*snd_pcm_dmabuf_list_lock -> &buf->lock \\(snd_pcm_dmabuf_list_lock held at"
                + " sound/core/pcm_dmabuf.c:\\d+, &buf->lock taken at sound/core/pcm_dmabuf.c:\\d+\\).*"), r.out());
        assertTrue(r.out().contains("release-export.ops: 100 schedule(s)") && r.out().contains(", 0 failed"),
                "no schedule may fail, let alone deadlock:\n" + r.out());
        assertFalse(r.out().contains("deadlock"), r.out());
    }

    /**
     * EXPORT checks the runtime again under the lock once it reserved and wrote the fd
     * (snd_pcm_dmabuf_export_locked()): the host holds no lock of its own around a dma-buf ioctl, as 6.12's
     * snd_pcm_common_ioctl() holds none, so a HW_FREE runs between the ioctl's two critical sections, and a
     * revision without the second check exports a freed runtime (docs/decisions.md, decision 77).
     */
    @Test
    void anExportWithoutItsSecondCheckMeetsAHwFreeBetweenItsCriticalSections() throws Exception {
        Path lib = build("second-check", "snd_pcm_dmabuf_export_locked(",
                "err = snd_pcm_dmabuf_may_export(substream, file, mode);", "err = 0;");
        Result r = raceKernel("--library", lib.toString(), "--schedules", "200", "--seed", "1", "--no-shrink",
                RACES.resolve("export-hw-free.ops").toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*export-hw-free\\.ops: 200 schedule\\(s\\), PCT depth 3 seeds [^,]*,"
                + " [1-9]\\d* failed.*"), r.out());
        Result shipped = raceKernel("--schedules", "200", "--seed", "1", "--no-shrink",
                RACES.resolve("export-hw-free.ops").toString());
        assertEquals(0, shipped.exit(), shipped.out() + shipped.err());
    }

    /**
     * The release takes snd_pcm_dmabuf_list_lock inside buf->lock, disconnect_one the other way, on the same
     * export: a schedule that runs both at once deadlocks, reported as its wait-for cycle with the locks' names
     * and where each task waits and each holder took its lock.
     */
    @Test
    void aDeadlockIsReportedAsItsWaitForCycle() throws Exception {
        Path lib = build("deadlock", "static void snd_pcm_dmabuf_release(",
                "scoped_guard(mutex, &snd_pcm_dmabuf_list_lock) {",
                "scoped_guard(mutex, &buf->lock) scoped_guard(mutex, &snd_pcm_dmabuf_list_lock) {");
        Result r = raceKernel("--library", lib.toString(), "--schedules", "200", "--seed", "1", "--no-shrink",
                RACES.resolve("release-export.ops").toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*    deadlock: task \\d waits for (snd_pcm_dmabuf_list_lock|&buf->lock) at"
                + " sound/core/pcm_dmabuf.c:\\d+, held by task \\d \\(taken at sound/core/pcm_dmabuf.c:\\d+\\);"
                + " task \\d waits for (snd_pcm_dmabuf_list_lock|&buf->lock) at .*"), r.out());
    }

    /**
     * The shipped series: every scenario passes its schedules (every one where 4,000 cover them) but those its
     * FINDINGS declares, and the lock-order graph shows only the inversion FINDINGS declares.
     */
    @Test
    void theShippedSeriesPassesEveryScheduleButItsFindings() throws IOException {
        List<String> findings = Files.readAllLines(KERNEL_PATCH.resolve("series/FINDINGS"), StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of("--exhaustive", "--schedules", "4000", "--no-shrink"));
        RaceScenarios.NAMES.forEach(s -> args.add(RACES.resolve(s + ".ops").toString()));
        Result r = raceKernel(args.toArray(String[]::new));
        for (String s : RaceScenarios.NAMES) {
            boolean declared = findings.stream().anyMatch(l -> l.startsWith(RaceScenarios.title(s) + " "));
            String failed = declared ? "[1-9]\\d*" : "0";
            assertTrue(r.out().matches("(?s).*" + s + "\\.ops: \\d+ schedule\\(s\\), (every one|not every one \\(bound"
                    + " reached\\)), " + failed + " failed.*"), s + ":\n" + r.out());
        }
        // the lock-order line: the inversion FINDINGS declares, or none when it declares none
        String expected = findings.stream().filter(l -> l.startsWith("races/lock-order ")).findFirst()
                .map(l -> "lock order: " + findings.get(findings.indexOf(l) + 1).substring(2))
                .orElse("lock order: no inversion over all schedules");
        assertEquals(List.of(expected), r.out().lines().filter(l -> l.startsWith("lock order")).toList(), r.out());
    }

    /**
     * snd_pcm_dmabuf_mmap() fills the page table of typed memory before mm links the mapping into the file's
     * i_mmap (mm/mmap.c, __mmap_region(): mmap_file(), then vma_link_file()), where the revocation's zap finds
     * it. A revocation that does not wait for the mm of such a mapping, or does not zap again after the wait,
     * leaves a page table reaching the memory it gave back: each variant fails both typed scenarios' 200 PCT
     * schedules, naming the rule.
     */
    @TestFactory
    Stream<DynamicTest> everyRevocationThatMissesAnUnlinkedMappingIsKilled() {
        return REVOCATIONS.stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            Path lib = build(v.name(), FINISH, v.edits());
            for (String s : TYPED_MMAP_RACES) {
                Result r = raceKernel("--library", lib.toString(), "--schedules", "200", "--seed", "1",
                        "--no-shrink", RACES.resolve(s + ".ops").toString());
                assertEquals(1, r.exit(), v.name() + ", " + s + ":\n" + r.out() + r.err());
                assertTrue(r.out().matches("(?s).*" + s + "\\.ops: 200 schedule\\(s\\), PCT depth \\d+ seeds [^,]*,"
                        + " [1-9]\\d* failed.*"), r.out());
                assertTrue(r.out().matches("(?s).*dma-buf \\d+ is revoked but 1 of its 1 CPU mapping\\(s\\) still reach"
                        + " its memory \\(LIFETIME-REVOKE-ZAP\\).*"), r.out());
            }
        }));
    }

    @Test
    void aScheduleThatDoesNotFitIsBadInput() {
        Result r = run(RACES.resolve("export-hw-free.ops"), "7,7,7");
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("does not fit"), r.err());
        assertEquals(2, run(RACES.resolve("export-hw-free.ops"), "0,x").exit());
    }

    /**
     * snd_pcm_pre_start() refuses a START while the EXPORT holds the runtime's buffer accesses blocked: the schedule
     * that runs the START inside the EXPORT's critical section gets EBADFD on a PREPARED stream, which the group's
     * rule allows (SCRIPT-CONCURRENT-BUSY); the one that runs it after gets the start.
     */
    @Test
    void aStartWhileAnExportHoldsTheAccessesIsRefusedWithEbadfd() {
        Result inside = run(RACES.resolve("export-start.ops"), "0,0,0,0,1");
        assertEquals(0, inside.exit(), inside.out() + inside.err());
        assertTrue(inside.out().matches("(?s).*server +start +EBADFD +\\[PREPARED\\].*"), inside.out());
        Result after = run(RACES.resolve("export-start.ops"), "0,0,0,0,0,0,0,0,0,0,0,0,0,0");
        assertEquals(0, after.exit(), after.out() + after.err());
        assertTrue(after.out().matches("(?s).*server +start += 0 +\\[RUNNING\\].*"), after.out());
    }

    @Test
    void theSameSeedGivesTheSameSchedules() {
        String[] args = {"--schedules", "30", "--seed", "7", "--no-shrink", RACES.resolve("mmap-revoke.ops").toString()};
        assertEquals(raceKernel(args).out(), raceKernel(args).out());
    }

    record Result(int exit, String out, String err) {
    }

    private static Result raceKernel(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "race-kernel";
        System.arraycopy(args, 0, all, 1, args.length);
        return execute(all);
    }

    private static Result run(Path script, String schedule) {
        return execute("run", script.toString(), "--target", "harness", "--schedule", schedule);
    }

    private static Result execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Pcmsim.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** The harness library of the series with one line of patch 0002 edited. */
    private Path build(String name, String function, String from, String to) throws IOException, InterruptedException {
        return build(name, function, List.of(new Edit(from, to)));
    }

    /** The harness library of the series with lines of one function of patch 0002 edited. */
    private Path build(String name, String function, List<Edit> edits) throws IOException, InterruptedException {
        Path series = variant(name, function, edits);
        return HarnessLibrary.build(name, series, Files.createDirectories(series.resolveSibling("out")));
    }

    /** The series with one line of patch 0002 edited, its FINDINGS with it. */
    private Path variant(String name, String function, String from, String to) throws IOException {
        return variant(name, function, List.of(new Edit(from, to)));
    }

    /** Where the definition of {@code function} starts in a patch from {@code from} on (a declaration ends in ';'). */
    private static int definition(String patch, String function, int from) {
        for (int at = patch.indexOf("\n+" + function, from); at >= 0; at = patch.indexOf("\n+" + function, at + 1)) {
            int eol = patch.indexOf('\n', at + 1);
            if (!patch.substring(at, eol < 0 ? patch.length() : eol).endsWith(";")) {
                return at;
            }
        }
        return -1;
    }

    /**
     * The series with lines of patch 0002 edited, its FINDINGS with it: in the function whose definition starts
     * with {@code function}, the first line of each edit's {@code from} after it becomes its {@code to}.
     */
    private Path variant(String name, String function, List<Edit> edits) throws IOException {
        Path dir = tmp.resolve(name.replaceAll("\\W+", "-"));
        Path series = dir.resolve("series");
        Files.createDirectories(series);
        try (Stream<Path> patches = Files.list(KERNEL_PATCH.resolve("series"))) {
            for (Path p : patches.sorted().toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                if (p.getFileName().toString().startsWith("0002-")) {
                    int fn = definition(text, function, 0);
                    assertTrue(fn >= 0 && definition(text, function, fn + 1) < 0,
                            name + ": no single definition starting " + function + " in patch 0002");
                    for (Edit e : edits) {
                        int at = text.indexOf("\t" + e.from() + "\n", fn);
                        assertTrue(at >= 0, name + ": no " + e.from() + " after " + function);
                        text = text.substring(0, at) + "\t" + e.to() + "\n"
                                + text.substring(at + e.from().length() + 2);
                    }
                }
                Files.writeString(series.resolve(p.getFileName()), text, StandardCharsets.UTF_8);
            }
        }
        return series;
    }
}
