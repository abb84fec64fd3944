package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.pcmdmabuf.cli.PcmsimRunTest.Run;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.conformance.harness.RaceScenarios;
import org.pcmdmabuf.conformance.validate.ProcessRunner;
import picocli.CommandLine;

/**
 * {@code pcmsim validate}'s handling of its child processes, on Mockito doubles of them ({@link ProcessRunner}):
 * a check.sh step that fails, a case and a step that run past their time limits, a harness process that
 * crashes, and an interrupted run, each with the report it prints and the exit status. The children's output is
 * theirs verbatim (check.sh's step lines, HarnessChecks' protocol, a JVM's crash report); the cases and the
 * report are the real ones.
 */
class ValidateProcessesTest {
    /**
     * A series that declares no findings (kernel-patch/known-bad/v1): the children here are stand-ins that pass
     * every case, which the shipped series' FINDINGS would turn into failures.
     */
    private static final String SERIES = PcmsimValidateTest.SERIES.getParent().resolve("known-bad/v1").toString();
    private static final String DIFFERENTIAL = "10 random op sequences agree with the model, op by op (seed 1)";

    private final ProcessRunner processes = mock(ProcessRunner.class);

    private Run validate(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Pcmsim.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == ValidateCommand.class ? cls.cast(new ValidateCommand(processes))
                        : CommandLine.defaultFactory().create(cls);
            }
        });
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        // the stand-ins report the cases and the differential; the fault sweep is reported skipped
        List<String> all = new ArrayList<>(List.of("validate", "--sequences", "10", "--seed", "1", "--no-faults"));
        all.addAll(List.of(args));
        int exit = cl.execute(all.toArray(String[]::new));
        // a failure found by the parent (a stop, a crash) is timed by the wall clock, which a loaded machine
        // stretches past the 0.1 s the report starts to show: compare those lines without it
        return new Run(exit, out.toString().replaceAll("(?m)^(FAIL .*?)  \\(\\d+\\.\\d s\\)$", "$1"),
                err.toString());
    }

    /** A child that prints {@code lines}, then ends with {@code exit}. */
    private static ProcessRunner.Child child(int exit, List<String> lines) throws Exception {
        ProcessRunner.Child c = mock(ProcessRunner.Child.class);
        List<String> then = new ArrayList<>(lines);
        then.add(null);
        when(c.readLine(any())).thenReturn(then.getFirst(), then.subList(1, then.size()).toArray(String[]::new));
        when(c.waitFor()).thenReturn(exit);
        return c;
    }

    private void whenStarted(String program, ProcessRunner.Child first, ProcessRunner.Child... then) throws Exception {
        // the program itself, or the command after sandbox.sh's "--"
        when(processes.start(argThat(c -> c != null && c.subList(Math.max(0, c.indexOf("--") + 1), c.size())
                .getFirst().endsWith("/" + program)))).thenReturn(first, then);
    }

    /** HarnessChecks' report of the checks it runs from {@code from} to before {@code to}, all passing. */
    private static List<String> passing(int from, int to) throws Exception {
        List<String> out = new ArrayList<>();
        List<Case> cases = Case.all();
        for (int i = from; i < to; i++) {
            int race = i - cases.size();
            if (i < cases.size()) {
                out.add(String.join("\t", "begin", "conformance", cases.get(i).name(), cases.get(i).rule()));
                out.add(String.join("\t", "end", "conformance", cases.get(i).name(), cases.get(i).rule(), "PASS", "0.1"));
            } else if (race <= RaceScenarios.NAMES.size()) {
                // the race scenarios, then the lock order over them
                String name = race < RaceScenarios.NAMES.size() ? RaceScenarios.title(RaceScenarios.NAMES.get(race))
                        : "races/lock-order";
                out.add(String.join("\t", "begin", "race", name, "PLAT-CONCURRENCY PLAT-DATA-RACE"));
                out.add(String.join("\t", "end", "race", name, "PLAT-CONCURRENCY PLAT-DATA-RACE", "PASS", "0.1"));
            } else {
                out.add(String.join("\t", "begin", "differential", DIFFERENTIAL, ""));
                out.add(String.join("\t", "end", "differential", DIFFERENTIAL + ": 420 ops", "", "PASS", "0.5"));
            }
        }
        return out;
    }

    /** The harness checks of a validate with --no-faults: the cases, the race scenarios, the lock order, the differential. */
    private static int checks() throws Exception {
        return Case.all().size() + RaceScenarios.NAMES.size() + 2;
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    private static String title(int i) throws Exception {
        Case c = Case.all().get(i);
        return c.name() + " (" + c.rule() + ")";
    }

    @Test
    void aCheckShStepThatFailsIsReportedWithItsDetailsAndExit1() throws Exception {
        whenStarted("check.sh", child(1, List.of(
                "# pcm-dmabuf kernel series check of " + SERIES + ", cache /cache (validate), -j2",
                "# running 1 - dependencies installed",
                "ok 1 - dependencies installed (0.1s)",
                "#   sparse 0.6.4",
                "# running 2 - series applies cleanly to the pristine tree",
                "ok 2 - series applies cleanly to the pristine tree (1.2s)",
                "# running 3 - checkpatch.pl --strict: 0 errors, 0 warnings, 0 checks",
                "not ok 3 - checkpatch.pl --strict: 0 errors, 0 warnings, 0 checks (9.5s)",
                "#   0002-ALSA-pcm-Share-the-PCM-buffer-via-dma-buf.patch: total: 0 errors, 1 warnings, 0 checks",
                "#   WARNING: line length of 101 exceeds 100 columns",
                "#   full log: /cache/logs/validate/step-3.log",
                "# total 11s",
                "2 passed, 1 failed")));
        whenStarted("build.sh", child(0, List.of()));
        whenStarted("java", child(0, passing(0, checks())));
        Run r = validate(SERIES);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("""
                ok    kernel      dependencies installed  (0.1 s)
                ok    kernel      series applies cleanly to the pristine tree  (1.2 s)
                FAIL  kernel      checkpatch.pl --strict: 0 errors, 0 warnings, 0 checks
                                  0002-ALSA-pcm-Share-the-PCM-buffer-via-dma-buf.patch: total: 0 errors, 1 warnings, 0 checks
                                  WARNING: line length of 101 exceeds 100 columns
                                  full log: /cache/logs/validate/step-3.log
                ok    harness     sound/core/pcm_dmabuf.c builds in the harness (-Wall -Wextra -Werror)
                """), r.out());
        assertTrue(r.out().strip().endsWith((checks() + 3) + " passed, 1 failed, 1 skipped"), r.out());
        verify(processes).start(List.of(PcmsimValidateTest.SERIES.getParent().resolve("scripts/check.sh").toString(),
                "-j", "2", "--series", SERIES, "--work", "validate"));
    }

    @Test
    void aCaseThatHangsPastItsLimitFailsNamingItsFramesAndTheNextCaseRunsInANewChild() throws Exception {
        int stuck = 3;
        List<String> frames = List.of(
                "at org.pcmdmabuf.conformance.harness.Harness.dmabufAttach(Harness.java:212)",
                "at org.pcmdmabuf.conformance.harness.HarnessTarget.execute(HarnessTarget.java:40)");
        Case c = Case.all().get(stuck);
        ProcessRunner.Child hangs = mock(ProcessRunner.Child.class);
        List<String> lines = concat(passing(0, stuck), String.join("\t", "begin", "conformance", c.name(), c.rule()),
                "detail\t" + c.name() + ":9 server open: ok");
        when(hangs.readLine(any())).thenReturn(lines.getFirst(), lines.subList(1, lines.size()).toArray(String[]::new))
                .thenThrow(new TimeoutException());
        when(hangs.where()).thenReturn(frames);
        ProcessRunner.Child next = child(0, passing(stuck + 1, checks()));
        whenStarted("build.sh", child(0, List.of()));
        whenStarted("java", hangs, next);
        Run r = validate("--no-kernel-checks", "--case-timeout", "2s", SERIES);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL  conformance " + title(stuck) + "\n" + """
                                  %s:9 server open: ok
                                  did not finish within 2 s: the harness process was stopped; it was at
                                    at org.pcmdmabuf.conformance.harness.Harness.dmabufAttach(Harness.java:212)
                                    at org.pcmdmabuf.conformance.harness.HarnessTarget.execute(HarnessTarget.java:40)
                ok    conformance %s  (0.1 s)
                """.formatted(c.name(), title(stuck + 1))), r.out());
        assertTrue(r.out().contains("breaks " + c.rule() + " (" + c.name() + ")"), r.out());
        assertTrue(r.out().strip().endsWith(checks() + " passed, 1 failed, 2 skipped"), r.out());
        // the limit was the one asked for, the frames taken before the child was stopped
        verify(hangs, atLeastOnce()).readLine(argThat(d -> !d.isNegative() && d.compareTo(Duration.ofSeconds(2)) <= 0));
        InOrder order = inOrder(hangs, processes);
        order.verify(hangs).where();
        order.verify(hangs).close();
        ArgumentCaptor<List<String>> commands = commands();
        List<String> second = commands.getAllValues().getLast();
        assertEquals(String.valueOf(stuck + 1), second.getLast(), "the new child starts at the next case");
    }

    @Test
    void aCheckShStepThatHangsPastTheStageLimitFailsNamingWhatItRanAndTheHarnessChecksGoOn() throws Exception {
        String w1 = "W=1 build of sound/core/ drivers/dma-buf/: no new warning";
        ProcessRunner.Child check = mock(ProcessRunner.Child.class);
        when(check.readLine(any())).thenReturn("# running 1 - dependencies installed",
                "ok 1 - dependencies installed (0.1s)", "# running 5 - " + w1).thenThrow(new TimeoutException());
        String make = "make -C /cache/trees/validate-6.12 ARCH=x86_64 O=/cache/build/validate -j2 W=1 sound/core/";
        when(check.where()).thenReturn(List.of(make));
        whenStarted("check.sh", check);
        whenStarted("build.sh", child(0, List.of()));
        whenStarted("java", child(0, passing(0, checks())));
        Run r = validate("--stage-timeout", "5s", SERIES);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("""
                FAIL  kernel      %s
                                  did not finish within 5 s: check.sh was stopped; it was at
                                    %s
                ok    harness     sound/core/pcm_dmabuf.c builds""".formatted(w1, make)), r.out());
        assertTrue(r.out().strip().endsWith((checks() + 2) + " passed, 1 failed, 1 skipped"), r.out());
        InOrder order = inOrder(check);
        order.verify(check).where();
        order.verify(check).close();
        verify(check, never()).waitFor();
    }

    @Test
    void aCrashOfTheHarnessProcessFailsTheCaseWithItsFrameAndTheNextCaseRunsInANewChild() throws Exception {
        int crashed = 2;
        Case c = Case.all().get(crashed);
        List<String> output = concat(passing(0, crashed),
                String.join("\t", "begin", "conformance", c.name(), c.rule()),
                "#",
                "# A fatal error has been detected by the Java Runtime Environment:",
                "#",
                "#  SIGSEGV (0xb) at pc=0x00007f3b2c1d2e4f, pid=4242, tid=4243",
                "#",
                "# JRE version: OpenJDK Runtime Environment Temurin-25+36 (25.0+36) (build 25+36-LTS)",
                "# Problematic frame:",
                "# C  [libpcmdmabuf-harness.so+0x2e4f]  snd_pcm_dmabuf_release+0x1f",
                "#",
                "# An error report file with more information is saved as:",
                "# /tmp/pcmsim-validate-1/hs_err_4242.log",
                "Aborted");
        ProcessRunner.Child dies = child(134, output);
        whenStarted("build.sh", child(0, List.of()));
        whenStarted("java", dies, child(0, passing(crashed + 1, checks())));
        Run r = validate("--no-kernel-checks", SERIES);
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("FAIL  conformance " + title(crashed) + "\n" + """
                                  the harness process died (exit status 134): the revision's C code crashed it
                                  #  SIGSEGV (0xb) at pc=0x00007f3b2c1d2e4f, pid=4242, tid=4243
                                  # Problematic frame:
                                  # C  [libpcmdmabuf-harness.so+0x2e4f]  snd_pcm_dmabuf_release+0x1f
                                  Aborted
                ok    conformance %s  (0.1 s)
                """.formatted(title(crashed + 1))), r.out());
        assertTrue(r.out().strip().endsWith(checks() + " passed, 1 failed, 2 skipped"), r.out());
        assertEquals(String.valueOf(crashed + 1), commands().getAllValues().getLast().getLast());
    }

    @Test
    void anInterruptedRunStopsItsChildRemovesItsFilesAndExits130() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        ProcessRunner.Child running = mock(ProcessRunner.Child.class);
        List<String> lines = passing(0, 2);
        when(running.readLine(any())).thenReturn(lines.getFirst(), lines.subList(1, lines.size()).toArray(String[]::new))
                .thenAnswer(inv -> {
                    waiting.countDown();
                    Thread.sleep(TimeUnit.MINUTES.toMillis(10)); // a case in progress, until the interrupt
                    return null;
                });
        whenStarted("build.sh", child(0, List.of()));
        whenStarted("java", running);
        AtomicReference<Run> result = new AtomicReference<>();
        Thread validating = Thread.ofPlatform().start(() -> result.set(validate("--no-kernel-checks", SERIES)));
        assertTrue(waiting.await(60, TimeUnit.SECONDS), "the harness child never ran");
        validating.interrupt(); // what the JVM's shutdown hook does on SIGINT
        validating.join(TimeUnit.SECONDS.toMillis(60));
        assertFalse(validating.isAlive());
        Run r = result.get();
        assertEquals(130, r.exit(), r.out() + r.err());
        assertEquals("pcmsim validate: interrupted: every child process stopped, the temporary files removed\n",
                r.err());
        assertTrue(r.out().contains("ok    conformance " + title(1) + "  (0.1 s)\n"), r.out());
        assertFalse(r.out().contains(" passed, "), "no tally of a run that did not end:\n" + r.out());
        verify(running).close();
        // the scratch folder of the run (the build's output, the JVM's crash reports) is gone
        List<String> harness = commands().getAllValues().getLast();
        String errorFile = harness.stream().filter(a -> a.startsWith("-XX:ErrorFile=")).findFirst().orElseThrow();
        Path scratch = Path.of(errorFile.substring("-XX:ErrorFile=".length())).getParent();
        assertTrue(scratch.getFileName().toString().startsWith("pcmsim-validate-"), scratch.toString());
        assertFalse(Files.exists(scratch), scratch + " is left behind");
    }

    @SuppressWarnings("unchecked")
    private ArgumentCaptor<List<String>> commands() throws Exception {
        ArgumentCaptor<List<String>> c = ArgumentCaptor.forClass(List.class);
        verify(processes, atLeastOnce()).start(c.capture());
        return c;
    }
}
