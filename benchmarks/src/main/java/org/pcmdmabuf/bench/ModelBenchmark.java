package org.pcmdmabuf.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.pcmdmabuf.model.Access;
import org.pcmdmabuf.model.DmaBufSync;
import org.pcmdmabuf.model.Format;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.model.SwParams;
import org.pcmdmabuf.model.Task;
import org.pcmdmabuf.model.Vma;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.RandomScript;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.sim.SplitMix64;

/**
 * Model ops per second, every op followed by the full invariant check as always: the checker's throughput.
 * {@code ops} (an auxiliary counter) is the figure to read: model ops per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
// The collector pcmsim runs with (the pcmsim launcher).
@Fork(value = 1, jvmArgsAppend = "-XX:+UseSerialGC")
public class ModelBenchmark {
    /** 200 random op scripts of up to 80 ops (the property test's generator, fixed seed), run one after another. */
    @State(Scope.Benchmark)
    public static class Scripts {
        final List<Script> scripts = new ArrayList<>();

        @Setup
        public void generate() {
            SplitMix64 r = new SplitMix64(2019);
            for (int i = 0; i < 200; i++) {
                List<RandomScript.Choice> cs = new ArrayList<>();
                int n = 1 + r.nextInt(80);
                for (int k = 0; k < n; k++) {
                    cs.add(new RandomScript.Choice(r.nextInt(RandomScript.KINDS), r.nextInt(3), r.nextInt(1 << 20),
                            r.nextInt(1 << 20), r.nextInt(1 << 20)));
                }
                scripts.add(RandomScript.of(cs));
            }
        }
    }

    /** A running RFC-flow stream on the model without a cache: the server's stream and the app's mapping. */
    @State(Scope.Thread)
    public static class Stream {
        World world;
        Task server;
        Task app;
        int pcmFd;
        int dmabufFd;
        Vma map;
        long[] period;

        @Setup
        public void open() {
            world = new World();
            world.addDevice(PcmHardware.dummy("pcm0", PcmStream.PLAYBACK));
            server = world.addTask("server");
            app = world.addTask("app");
            int pcm = world.open(server, "pcm0", false, false, false).value().intValue();
            pcmFd = pcm;
            world.hwParams(server, pcm, new HwParams(Access.MMAP_INTERLEAVED, Format.S16_LE, 2, 48000, 1024, 4));
            world.swParams(server, pcm, new SwParams(4096L, SwParams.BOUNDARY, null));
            int d = world.dmabufExport(server, pcm).value().intValue();
            world.dmabufAttach(server, pcm, d);
            dmabufFd = world.send(server, d, app).value().intValue();
            map = world.mmap(app, dmabufFd, 0, 16384, true, true).value();
            world.prepare(server, pcm);
            world.start(server, pcm);
            period = new long[1024];
        }

        /** The loop must be the protocol's own: a violation would mean it measured an error path. */
        @TearDown
        public void checkClean() {
            if (world.violationCount() > 0) {
                throw new IllegalStateException("benchmark loop broke the protocol " + world.violationCount() + " times");
            }
        }
    }

    @Benchmark
    public void randomScripts(Scripts s, Ops ops, Blackhole bh) {
        for (Script script : s.scripts) {
            try (ModelTarget t = new ModelTarget()) {
                ScriptRunner.run(script, t, step -> {
                    ops.ops++;
                    bh.consume(step);
                });
            }
        }
    }

    /**
     * Control ops on the running stream, no data moved: HWSYNC, DELAY, SYNC_PTR, SYNC START|WRITE, SYNC
     * END|WRITE, and a dup of the dma-buf fd closed again.
     */
    @Benchmark
    public void controlOps(Stream st, Ops ops, Blackhole bh) {
        World w = st.world;
        bh.consume(w.hwsync(st.server, st.pcmFd));
        bh.consume(w.delay(st.server, st.pcmFd));
        bh.consume(w.syncPtr(st.server, st.pcmFd, null));
        bh.consume(w.dmaBufSync(st.app, st.dmabufFd, DmaBufSync.START | DmaBufSync.WRITE));
        bh.consume(w.dmaBufSync(st.app, st.dmabufFd, DmaBufSync.END | DmaBufSync.WRITE));
        int dup = w.dup(st.app, st.dmabufFd).value().intValue();
        bh.consume(w.close(st.app, dup));
        ops.ops += 7;
    }

    /** One period of the RFC client's loop: SYNC START|WRITE, write a period, SYNC END|WRITE, a period passes. */
    @Benchmark
    public void clientPeriod(Stream st, Ops ops, Blackhole bh) {
        bh.consume(st.world.dmaBufSync(st.app, st.dmabufFd, DmaBufSync.START | DmaBufSync.WRITE));
        bh.consume(st.world.write(st.app, st.map, 0, 4096, st.period));
        bh.consume(st.world.dmaBufSync(st.app, st.dmabufFd, DmaBufSync.END | DmaBufSync.WRITE));
        bh.consume(st.world.advanceNanos(21_333_333));
        ops.ops += 4;
    }
}
