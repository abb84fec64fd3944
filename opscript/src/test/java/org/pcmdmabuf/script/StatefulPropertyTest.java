package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.model.InvariantVerdicts;
import org.quicktheories.core.Gen;

/**
 * Random op sequences over three processes and three devices (one with two substreams): after every op the
 * model's invariants hold (the model throws otherwise) and the fast check that said so finds exactly what the
 * full recount finds, every refused op's errno is one the kernel paths of that op can give, and once every
 * process has exited nothing is left. A failure prints the sequence as an op script that {@code pcmsim run}
 * replays.
 */
class StatefulPropertyTest {
    /** At least 10,000 sequences per CI run (issue 2). */
    static final int SEQUENCES = Integer.getInteger("pcmdmabuf.sequences", 10_000);

    private static final Set<String> FD_PATH = Set.of("EBADF", "ENOTTY", "ENODEV");

    /** The errnos each op's kernel path can give (pcm_native.c, pcm_lib.c, pcm.c, dma-buf.c, the patch). */
    static final Map<String, Set<String>> ALLOWED = new HashMap<>();

    static {
        allow("open", "ENODEV", "EBUSY", "EINVAL", "EBADFD");
        pcm("hw_params", "EBADFD", "EINVAL");
        pcm("hw_free", "EBADFD");
        pcm("sw_params", "EBADFD", "EINVAL", "EPIPE");
        pcm("prepare", "EBADFD", "EBUSY");
        pcm("start", "EBADFD", "EPIPE");
        pcm("drop", "EBADFD");
        pcm("drain", "EBADFD", "EAGAIN", "EIO");
        pcm("reset", "EBADFD");
        pcm("xrun", "EBADFD");
        pcm("hwsync", "EBADFD", "EPIPE", "ESTRPIPE");
        pcm("delay", "EBADFD", "EPIPE", "ESTRPIPE");
        pcm("pause", "EBADFD", "ENOSYS");
        pcm("resume", "EBADFD", "ENOSYS");
        pcm("sync_ptr", "EINVAL");
        pcm("writei", "EBADFD", "EINVAL", "EPIPE", "ESTRPIPE", "EAGAIN", "EIO");
        pcm("readi", "EBADFD", "EINVAL", "EPIPE", "ESTRPIPE", "EAGAIN", "EIO");
        allow("mmap", "EBADF", "EINVAL", "EACCES", "ENODEV", "EBADFD", "ENXIO", "EBUSY");
        allow("munmap", "EINVAL");
        allow("fill", "EFAULT", "EINVAL");
        allow("check", "EFAULT", "EINVAL");
        allow("sync", "EBADF", "ENOTTY", "ENODEV", "EINVAL");
        pcm("dmabuf_export", "EBADFD", "ENXIO", "EINVAL", "EACCES", "EBUSY");
        pcm("dmabuf_attach", "EBADFD", "EINVAL", "EBUSY", "ENXIO", "EACCES");
        pcm("dmabuf_detach", "EBADFD", "EBUSY", "EINVAL");
        pcm("close");
        allow("dup", "EBADF");
        allow("open_path", "ENOENT");
        allow("send", "EBADF", "EPIPE");
        allow("exit");
        allow("leaks");
        allow("advance");
        allow("suspend");
        allow("disconnect");
    }

    private static void allow(String op, String... errnos) {
        ALLOWED.put(op, Set.of(errnos));
    }

    private static void pcm(String op, String... errnos) {
        Set<String> s = new TreeSet<>(FD_PATH);
        s.addAll(List.of(errnos));
        ALLOWED.put(op, s);
    }

    static Gen<RandomScript.Choice> choices() {
        return integers().between(0, RandomScript.KINDS - 1).zip(integers().between(0, 2),
                integers().between(0, 1 << 20), integers().between(0, 1 << 20), integers().between(0, 1 << 20),
                RandomScript.Choice::new);
    }

    static Gen<List<RandomScript.Choice>> sequences() {
        return lists().of(choices()).ofSizeBetween(1, 80)
                .describedAs(cs -> "\n" + ScriptWriter.write(RandomScript.of(cs)));
    }

    /** Outcomes seen across the whole run, to show the generator reaches the interesting cases. */
    private final Map<String, Integer> seen = new TreeMap<>();
    private long opsRun;

    @Test
    void randomSequencesKeepEveryInvariantAndLeaveNothing() {
        var theory = qt().withExamples(SEQUENCES).withGenerateAttempts(SEQUENCES * 10)
                .withFixedSeed(Long.getLong("pcmdmabuf.seed", 1L));
        theory.forAll(sequences()).checkAssert(this::runOne);

        assertTrue(opsRun >= SEQUENCES, "ran only " + opsRun + " ops");
        List<String> missing = new ArrayList<>();
        for (String must : List.of("dmabuf_export ok", "dmabuf_attach ok", "dmabuf_attach ENODEV",
                "dmabuf_attach EBUSY", "dmabuf_attach EINVAL", "dmabuf_detach ok", "dmabuf_detach EBUSY",
                "dmabuf_export EBADFD", "mmap ok", "mmap ENODEV", "mmap EBADFD", "sync ok", "sync ENODEV",
                "sync EINVAL", "hw_params ok", "hw_free ok", "start ok", "start EPIPE", "writei ok", "readi ok",
                "send ok", "fill ok", "check ok", "pause ok", "resume ok", "open EBUSY", "drain ok",
                "hwsync EPIPE")) {
            if (!seen.containsKey(must)) {
                missing.add(must);
            }
        }
        assertTrue(missing.isEmpty(), "the generator never produced " + missing + "; seen: " + seen);
    }

    private void runOne(List<RandomScript.Choice> cs) {
        Script script = RandomScript.of(cs);
        ModelTarget target = new ModelTarget();
        ScriptRunner.run(script, target, s -> {
            opsRun++;
            String errno = s.outcome().errno();
            String name = s.op().name();
            seen.merge(name + " " + (errno == null ? "ok" : errno), 1, Integer::sum);
            if (errno != null) {
                assertTrue(ALLOWED.get(name).contains(errno),
                        () -> "line " + s.op().line() + ": " + name + " refused with " + errno
                                + ", which its kernel path cannot give");
            }
            assertChecksAgree(target, s);
        });
        assertTrue(target.world().leaks().none(), () -> "left after every process exited: " + target.world().leaks());
        assertRoundTrip(script);
    }

    /**
     * The fast check is an optimisation of the full recount, so it must find the same broken invariants; else
     * the check every op relies on was weakened (or made stricter) without anyone noticing.
     */
    private static void assertChecksAgree(ModelTarget target, ScriptRunner.Step s) {
        InvariantVerdicts v = target.world().checkInvariantsBothWays();
        assertEquals(v.full(), v.fast(), () -> "line " + s.op().line() + ": " + s.op().name()
                + ": the fast invariant check disagrees with the full recount (" + v.description() + ")");
    }

    /** The reproducer a failure prints must be the same script. */
    private static void assertRoundTrip(Script script) {
        Script back;
        try {
            back = ScriptParser.parse(ScriptWriter.write(script));
        } catch (org.pcmdmabuf.script.ScriptException e) {
            throw new AssertionError("generated script does not parse: " + e.describe() + "\n"
                    + ScriptWriter.write(script), e);
        }
        assertEquals(script.ops().size(), back.ops().size());
        for (int i = 0; i < script.ops().size(); i++) {
            Op a = script.ops().get(i);
            assertEquals(ScriptWriter.line(a), ScriptWriter.line(back.ops().get(i)));
        }
    }
}
