package org.pcmdmabuf.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.pcmdmabuf.conformance.harness.Harness;
import org.pcmdmabuf.conformance.harness.Lockstep;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.sim.SplitMix64;

/**
 * Differential conformance ops per second: op scripts run on the model and on the patch's C code (its harness
 * library through FFM) in lockstep, every op's answer and both sides' state compared, as DifferentialTest does
 * (both through {@link Lockstep}). {@code ops} (an auxiliary counter) is the figure to read: ops compared per
 * second. The scripts come from the test's two generators, drawn here from a fixed seed.
 *
 * <p>The library is {@code lib}, else {@link Harness#defaultLibrary()}: {@code -Dpcmdmabuf.harness.lib},
 * {@code $PCMDMABUF_HARNESS_LIB}, or the shipped series' build that the conformance jar carries. Every JMH thread
 * is a worker with an instance of the library of its own ({@link Harness#loadPrivate}), so {@code -t 2} runs two
 * workers at once, as two shards of a campaign would (docs/sharding.md), and {@code ops} is their sum.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// The JIT takes about 10 s to settle on this mix of model, cache and FFM code.
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
// The collector pcmsim and validate's children run with.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
@State(Scope.Thread)
public class DifferentialBenchmark {
    /** The harness library; empty for the default. */
    @Param("")
    public String lib;

    Lockstep lockstep;
    final List<Script> randomScripts = new ArrayList<>();
    final List<Script> protocolScripts = new ArrayList<>();

    @Setup
    public void generate() {
        lockstep = new Lockstep(Harness.loadPrivate(lib.isEmpty() ? Harness.defaultLibrary() : Path.of(lib)));
        SplitMix64 r = new SplitMix64(2019);
        for (int i = 0; i < 200; i++) {
            randomScripts.add(Lockstep.drawRandom(r));
        }
        for (int i = 0; i < 50; i++) {
            protocolScripts.add(Lockstep.drawProtocol(r));
        }
    }

    /** 200 random op scripts of 1–80 ops over three processes and three devices (modelAndPatchAgreeOnEveryOp). */
    @Benchmark
    public void randomSequences(Ops ops) {
        ops.ops += runAll(randomScripts);
    }

    /** 50 sync-protocol scripts: the RFC set-up, 1–60 syncs, fills, checks and DMA (modelAndPatchAgreeOnTheSyncProtocol). */
    @Benchmark
    public void syncProtocol(Ops ops) {
        ops.ops += runAll(protocolScripts);
    }

    /** Runs every script in lockstep; returns the ops compared. */
    private long runAll(List<Script> scripts) {
        long before = lockstep.opsRun();
        for (Script s : scripts) {
            lockstep.run(s);
        }
        return lockstep.opsRun() - before;
    }
}
