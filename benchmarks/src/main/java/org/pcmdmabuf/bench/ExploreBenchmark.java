package org.pcmdmabuf.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.sim.Behaviour;
import org.pcmdmabuf.sim.Cache;
import org.pcmdmabuf.sim.Explorer;
import org.pcmdmabuf.sim.Scenario;

/**
 * {@code pcmsim explore} throughput on two cores: scenarios (seeds) judged per second ({@code scenarios}, an
 * auxiliary counter), for the README's scenario of a correct and a hostile client over one simulated second.
 * No seed fails, so every one runs to its end as in a clean exploration.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
// The collector pcmsim runs with (the pcmsim launcher).
@Fork(value = 1, jvmArgsAppend = "-XX:+UseSerialGC")
@State(Scope.Benchmark)
public class ExploreBenchmark {
    private static final int SEEDS = 16;
    private static final int JOBS = 2;

    Scenario base;

    /** Scenarios judged; JMH reports them per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Judged {
        public long scenarios;

        @Setup(Level.Iteration)
        public void clear() {
            scenarios = 0;
        }
    }

    @Setup
    public void scenario() {
        base = new Scenario(1, PcmStream.PLAYBACK, false, 48000, 1024, 4, 1_000_000_000L,
                List.of(Behaviour.CORRECT, Behaviour.HOSTILE), false, Cache.Config.defaults(), 0, 2_000_000, 2048);
    }

    @Benchmark
    public Explorer.Outcome explore(Judged j) {
        Explorer.Outcome o = Explorer.explore(base, SEEDS, JOBS, done -> {
        });
        if (o.failure() != null) {
            throw new IllegalStateException("a seed failed: " + o.failure().check());
        }
        j.scenarios += o.runs();
        return o;
    }
}
