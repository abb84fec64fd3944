package org.pcmdmabuf.bench;

import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.pcmdmabuf.model.BufferType;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.sim.Behaviour;
import org.pcmdmabuf.sim.Cache;
import org.pcmdmabuf.sim.Design;
import org.pcmdmabuf.sim.Platform;
import org.pcmdmabuf.sim.Report;
import org.pcmdmabuf.sim.Scenario;
import org.pcmdmabuf.sim.Simulation;

/**
 * Simulator speed: simulated audio seconds per wall-clock second ({@code simulatedSeconds}, an auxiliary
 * counter, reads directly as "times real time") for 48 kHz stereo S16 streams, one correct zero-copy client
 * each, 64-byte cache lines and pcmsim's default cache (512 lines, 200 random evictions and refills a second),
 * on the default platform or on a DEV buffer behind an IOMMU with bounce buffers and a foreign dma-buf attached
 * ({@code platform=iommu-bounce}: every period goes through the IOVA table and every sync copies the buffer).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
// The collector pcmsim runs with (the pcmsim launcher).
@Fork(value = 1, jvmArgsAppend = "-XX:+UseSerialGC")
@State(Scope.Thread)
public class SimulatorBenchmark {
    /**
     * Simulated time of one run: pcmsim simulate's default duration. Set-up and teardown (the server's
     * allocations, the clients' mappings) are a fixed cost a run; at 2 seconds they were 9 % of the wall time
     * of one stream's run (docs/benchmarks.md), at 10 they are about 2 %.
     */
    private static final long RUN_NS = 10_000_000_000L;

    @Param({"1", "8"})
    public int streams;

    @Param({"false", "true"})
    public boolean coherent;

    @Param({"default", "iommu-bounce"})
    public String platform;

    Scenario scenario;

    /** Simulated seconds; JMH reports them per wall-clock second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Simulated {
        public double simulatedSeconds;

        @Setup(Level.Iteration)
        public void clear() {
            simulatedSeconds = 0;
        }
    }

    @Setup
    public void scenario() {
        scenario = new Scenario(1, PcmStream.PLAYBACK, coherent, 48000, 1024, 4, RUN_NS,
                Collections.nCopies(streams, Behaviour.CORRECT), false, Cache.Config.defaults(), 0, 2_000_000, 2048,
                Design.DMABUF, platform.equals("default") ? Platform.DEFAULT
                        : new Platform(BufferType.DEV, true, true, true));
    }

    @Benchmark
    public Report run(Simulated s) {
        Report r = new Simulation(scenario).run();
        if (r.integrityErrors() != 0) {
            throw new IllegalStateException("correct clients glitched: " + r.table());
        }
        s.simulatedSeconds += RUN_NS / 1e9;
        return r;
    }
}
