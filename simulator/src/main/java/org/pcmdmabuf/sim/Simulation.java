package org.pcmdmabuf.sim;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.pcmdmabuf.model.Access;
import org.pcmdmabuf.model.DmaBufSync;
import org.pcmdmabuf.model.Format;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.Leaks;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.model.Result;
import org.pcmdmabuf.model.Stamp;
import org.pcmdmabuf.model.Substream;
import org.pcmdmabuf.model.SwParams;
import org.pcmdmabuf.model.Task;
import org.pcmdmabuf.model.Vma;
import org.pcmdmabuf.model.World;

/**
 * One deterministic run of a {@link Scenario}: the model kernel with a cache in front of its memory, a DMA
 * engine (the model's substreams, moved by the event loop from interrupt to interrupt), a sound server and
 * its clients as processes. Every random choice comes from the scenario's seed.
 */
public final class Simulation {
    static final int FRAME_BYTES = 4;
    private static final long NSEC_PER_SEC = 1_000_000_000L;

    final Scenario sc;
    final SplitMix64 rng;
    final Cache cache;
    final World world;
    final EventLoop loop;
    final Integrity integrity;
    final TraceLog trace;
    final ScriptRecorder recorder;
    final Syscalls sys;
    final SoundServer server;
    final List<Client> clients = new ArrayList<>();
    final long bufferFrames;

    public Simulation(Scenario sc) {
        this(sc, TraceLog.NONE, false);
    }

    /**
     * @param record write down every call as an op script ({@link #recordedScript()})
     */
    public Simulation(Scenario sc, TraceLog trace, boolean record) {
        this.sc = sc;
        this.trace = trace;
        this.rng = new SplitMix64(sc.seed());
        this.cache = new Cache(sc.cache(), rng.split());
        this.world = new World(cache);
        this.loop = new EventLoop(ns -> world.advanceNanos(ns), world::nanosToNextInterrupt);
        this.integrity = new Integrity(loop, trace);
        this.world.setObserver(integrity);
        this.recorder = record ? new ScriptRecorder(loop) : ScriptRecorder.NONE;
        this.sys = new Syscalls(world, recorder);
        this.bufferFrames = sc.bufferFrames();
        world.addDevice(device()).setDriftPpm(sc.driftPpm());
        this.server = new SoundServer(this, world.addTask("server"));
        for (int i = 0; i < sc.clients().size(); i++) {
            Behaviour b = sc.clients().get(i);
            String name = "client" + i + "-" + b.cliName();
            clients.add(new Client(this, world.addTask(name), new ClientStats(name, b), i, rng.split()));
        }
    }

    private PcmHardware device() {
        return PcmHardware.dummy("pcm0", sc.stream()).toBuilder().with(b -> {
            b.coherent = sc.coherent();
            b.contiguous = true;
            b.substreams = sc.shared() ? 1 : sc.clients().size();
            b.formats = EnumSet.of(Format.S16_LE);
            b.rateMax = Math.max(48000, sc.rate());
            b.bufferBytesMax = Math.max(64 * 1024, bufferFrames * FRAME_BYTES);
            b.periodBytesMax = b.bufferBytesMax;
        }).build();
    }

    /** The run as an op script (empty unless constructed to record). */
    public org.pcmdmabuf.script.Script recordedScript() {
        return recorder.script(world.pcms().stream().map(p -> p.hw).toList(),
                world.tasks().stream().map(t -> t.name).toList());
    }

    HwParams hwParams(Access access) {
        return new HwParams(access, Format.S16_LE, 2, sc.rate(), sc.periodFrames(), sc.periods());
    }

    /** Runs the scenario to its end, tears everything down and reports. */
    public Report run() {
        server.setUp();
        scheduleCacheNoise();
        for (Client c : clients) {
            c.start();
        }
        loop.runUntil(sc.durationNs());
        server.tearDown();
        for (Client c : clients) {
            c.exitAtEnd();
        }
        server.exit();
        Leaks leaks = world.leaks();
        return Report.of(this, leaks);
    }

    private void scheduleCacheNoise() {
        SplitMix64 noise = rng.split();
        if (sc.cache().evictionsPerSecond() > 0) {
            double mean = NSEC_PER_SEC / sc.cache().evictionsPerSecond();
            repeat(noise, mean, "cache evict", cache::randomEviction);
        }
        if (sc.cache().refillsPerSecond() > 0) {
            double mean = NSEC_PER_SEC / sc.cache().refillsPerSecond();
            repeat(noise, mean, "cache refill", cache::randomRefill);
        }
    }

    private void repeat(SplitMix64 r, double meanNs, String label, Runnable action) {
        long next = loop.now() + 1 + (long) r.exponential(meanNs);
        if (next < sc.durationNs()) {
            loop.at(next, label, () -> {
                action.run();
                repeat(r, meanNs, label, action);
            });
        }
    }

    static <T> T ok(Result<T> r, String what) {
        if (!r.isOk()) {
            throw new IllegalStateException("simulation setup step failed: " + what + ": " + r.errno());
        }
        return r.value();
    }

    // ---- the streams ---------------------------------------------------------------------------------

    /** One PCM stream the server runs: its substream, its fds, and who owns its frames. */
    static final class StreamSetup {
        final int pcmFd;
        final Substream substream;
        final boolean copy;
        final List<Client> owners = new ArrayList<>();
        int dmabufFd = -1;
        boolean closed;

        StreamSetup(int pcmFd, Substream substream, boolean copy) {
            this.pcmFd = pcmFd;
            this.substream = substream;
            this.copy = copy;
        }

        int ownerIndex(Client c) {
            return owners.indexOf(c);
        }
    }

    // ---- the sound server ----------------------------------------------------------------------------

    /** The sound server: owns the PCM, exports its buffer to zero-copy clients, copies for the others. */
    static final class SoundServer {
        final Simulation sim;
        final Task task;
        final List<StreamSetup> streams = new ArrayList<>();
        long contextSwitches;

        SoundServer(Simulation sim, Task task) {
            this.sim = sim;
            this.task = task;
        }

        void setUp() {
            if (sim.sc.shared()) {
                streams.add(openStream(false));
                streams.getFirst().owners.addAll(sim.clients);
            } else {
                for (Client c : sim.clients) {
                    StreamSetup st = openStream(c.stats.behaviour == Behaviour.COPY_THROUGH_SERVER);
                    st.owners.add(c);
                    streams.add(st);
                }
            }
            for (StreamSetup st : streams) {
                for (Client c : st.owners) {
                    c.stream = st;
                }
                ClientStats[] owners = st.owners.stream().map(c -> c.stats).toArray(ClientStats[]::new);
                int[] sources = st.owners.stream().mapToInt(c -> sim.sc.stream() == PcmStream.PLAYBACK
                        ? c.source() : Stamp.deviceSource(st.substream)).toArray();
                sim.integrity.watch(st.substream, owners, sources, sim.sc.periodFrames(), sim.bufferFrames);
                if (!st.copy) {
                    shareBuffer(st);
                }
            }
            for (StreamSetup st : streams) {
                prefill(st);
            }
            for (StreamSetup st : streams) {
                ok(sim.sys.simple(task, "prepare", st.pcmFd), "prepare");
                if (st.copy && sim.sc.stream() == PcmStream.PLAYBACK) {
                    // The classic path: the ring is filled by copies, then started.
                    ok(sim.sys.writei(task, st.pcmFd, sim.bufferFrames, st.owners.getFirst().source()), "prefill writei");
                    sim.integrity.wrote(st.substream, 0, 0, sim.bufferFrames);
                    sim.integrity.onPeriod(st.substream, () -> copyPeriod(st));
                } else {
                    ok(sim.sys.simple(task, "start", st.pcmFd), "start");
                }
            }
        }

        private StreamSetup openStream(boolean copy) {
            World w = sim.world;
            int fd = ok(sim.sys.open(task, "pcm0"), "open").intValue();
            Substream s = w.substreamOf(task, fd);
            ok(sim.sys.hwParams(task, fd, sim.hwParams(copy ? Access.RW_INTERLEAVED : Access.MMAP_INTERLEAVED)),
                    "hw_params");
            // Zero-copy streams run free: clients keep up by position, so appl_ptr is never advanced and the
            // stream never xruns (AAudio's MMAP mode); the copy path keeps ALSA's default stop_threshold.
            Long stop = copy ? null : SwParams.BOUNDARY;
            ok(sim.sys.swParams(task, fd, new SwParams(sim.bufferFrames, stop, null)), "sw_params");
            return new StreamSetup(fd, s, copy);
        }

        /** The RFC flow: export, attach the export, hand an fd to each owner. */
        private void shareBuffer(StreamSetup st) {
            st.dmabufFd = ok(sim.sys.dmabufExport(task, st.pcmFd), "dmabuf_export").intValue();
            ok(sim.sys.dmabufAttach(task, st.pcmFd, st.dmabufFd), "dmabuf_attach");
            for (Client c : st.owners) {
                c.dmabufFd = ok(sim.sys.send(task, st.dmabufFd, c.task), "send").intValue();
                c.map();
            }
        }

        private void prefill(StreamSetup st) {
            if (st.copy || sim.sc.stream() != PcmStream.PLAYBACK) {
                return;
            }
            for (Client c : st.owners) {
                c.writeUpTo(sim.bufferFrames, true);
            }
        }

        /** A period interrupt of a copy-path stream: the server wakes, fetches a period, writes it. */
        private void copyPeriod(StreamSetup st) {
            Client c = st.owners.getFirst();
            if (st.closed || !c.alive) {
                return;
            }
            sim.loop.after(0, "server copy", () -> {
                if (st.closed || !c.alive) {
                    return;
                }
                long bytes = (long) sim.sc.periodFrames() * FRAME_BYTES;
                contextSwitches += 2;
                c.stats.contextSwitches += 3;
                c.stats.bytesCopied += 3 * bytes;
                long appl = st.substream.runtime().applPtr();
                Result<Long> r = sim.sys.writei(task, st.pcmFd, sim.sc.periodFrames(), c.source());
                if (r.isOk()) {
                    sim.integrity.wrote(st.substream, 0, appl, appl + r.value());
                    sim.trace.span(c.stats.name, "copy period", sim.loop.now(), 0);
                } else if ("EPIPE".equals(r.errno().name())) {
                    ok(sim.sys.simple(task, "prepare", st.pcmFd), "prepare after xrun");
                }
            });
        }

        /** A client's socket closed: a crashed client's own stream is stopped and freed. */
        void clientGone(Client c) {
            StreamSetup st = c.stream;
            if (st == null || st.closed || st.owners.stream().anyMatch(o -> o.alive)) {
                return;
            }
            sim.loop.after(1_000_000, "server reaps " + c.stats.name, () -> {
                contextSwitches++;
                closeStream(st);
            });
        }

        private void closeStream(StreamSetup st) {
            if (st.closed) {
                return;
            }
            sim.integrity.forget(st.substream);
            ok(sim.sys.simple(task, "drop", st.pcmFd), "drop");
            if (st.dmabufFd >= 0) {
                ok(sim.sys.dmabufDetach(task, st.pcmFd), "dmabuf_detach");
                ok(sim.sys.close(task, st.dmabufFd), "close dma-buf");
            }
            ok(sim.sys.simple(task, "hw_free", st.pcmFd), "hw_free");
            ok(sim.sys.close(task, st.pcmFd), "close pcm");
            st.closed = true;
        }

        void tearDown() {
            for (StreamSetup st : streams) {
                closeStream(st);
            }
        }

        void exit() {
            ok(sim.sys.exit(task), "server exit");
        }
    }

    // ---- clients -------------------------------------------------------------------------------------

    /** A client process and its behaviour. */
    static final class Client {
        final Simulation sim;
        final Task task;
        final ClientStats stats;
        final int index;
        final SplitMix64 rng;
        StreamSetup stream;
        int dmabufFd = -1;
        Vma map;
        boolean alive = true;
        boolean closedItsFd;
        long written;
        long readFrom;
        long phaseNs;
        private long[] runValues = new long[0];

        Client(Simulation sim, Task task, ClientStats stats, int index, SplitMix64 rng) {
            this.sim = sim;
            this.task = task;
            this.stats = stats;
            this.index = index;
            this.rng = rng;
        }

        int source() {
            return task.pid;
        }

        boolean zeroCopy() {
            return stats.behaviour != Behaviour.COPY_THROUGH_SERVER;
        }

        void map() {
            boolean playback = sim.sc.stream() == PcmStream.PLAYBACK;
            map = ok(sim.sys.mmap(task, dmabufFd, 0, sim.bufferFrames * FRAME_BYTES, true, playback), "mmap");
        }

        void start() {
            if (!zeroCopy()) {
                return;
            }
            phaseNs = rng.nextLong(Math.max(1, sim.sc.periodNs() / 2));
            scheduleWake(1);
            if (stats.behaviour == Behaviour.CRASH) {
                long d = sim.sc.durationNs();
                sim.loop.at(d / 4 + rng.nextLong(Math.max(1, d / 2)), stats.name + " crashes", this::crash);
            }
        }

        private void scheduleWake(long k) {
            long at = k * sim.sc.periodNs() + phaseNs;
            if (stats.behaviour == Behaviour.LATE && sim.sc.jitterMeanNs() > 0) {
                at += (long) rng.exponential(sim.sc.jitterMeanNs());
            }
            // A wake-up late by more than a period comes right after the previous one, never before it.
            at = Math.max(at, sim.loop.now());
            if (at < sim.sc.durationNs()) {
                sim.loop.at(at, stats.name + " wakes", () -> {
                    wake();
                    scheduleWake(k + 1);
                });
            }
        }

        private void wake() {
            if (!alive || stream.closed) {
                return;
            }
            stats.contextSwitches++;
            long t0 = sim.loop.now();
            if (!closedItsFd) {
                if (sim.sc.stream() == PcmStream.PLAYBACK) {
                    long pos = position();
                    long margin = stats.behaviour == Behaviour.TIMING_MODEL ? sim.sc.marginFrames() : 0;
                    written = Math.max(written, pos);
                    writeUpTo(pos + sim.bufferFrames - margin, stats.behaviour != Behaviour.FORGET_END_WRITE);
                } else {
                    readUpTo(position());
                }
            }
            if (stats.behaviour == Behaviour.HOSTILE) {
                misbehave();
            }
            sim.trace.span(stats.name, "wake", t0, 0);
        }

        /**
         * Where the client believes the hardware is: the true hw_ptr (what the server publishes), or for a
         * timing-model client the prediction of its own clock from the start, blind to the device's drift.
         */
        private long position() {
            if (stats.behaviour == Behaviour.TIMING_MODEL) {
                return sim.loop.now() * sim.sc.rate() / NSEC_PER_SEC;
            }
            return stream.substream.runtime().hwPtr();
        }

        /** Writes this client's frames of [written, upTo), bracketed by the CPU-access syncs. */
        void writeUpTo(long upTo, boolean endSync) {
            if (upTo <= written) {
                return;
            }
            int owner = stream.ownerIndex(this);
            sync(DmaBufSync.START | DmaBufSync.WRITE);
            long f = written;
            while (f < upTo) {
                long runEnd = Math.min(upTo, nextRunEnd(f));
                if (stream.owners.size() == 1 || Integrity.Stream.ownerOf(f, sim.sc.periodFrames(),
                        stream.owners.size()) == owner) {
                    writeRun(f, runEnd);
                    sim.integrity.wrote(stream.substream, owner, f, runEnd);
                }
                f = runEnd;
            }
            if (endSync) {
                sync(DmaBufSync.END | DmaBufSync.WRITE);
            }
            written = upTo;
        }

        /** Frames are written in runs that stop at a period boundary (ownership) and at the ring's end. */
        private long nextRunEnd(long f) {
            long p = sim.sc.periodFrames();
            long periodEnd = (f / p + 1) * p;
            long ringEnd = (f / sim.bufferFrames + 1) * sim.bufferFrames;
            return Math.min(periodEnd, ringEnd);
        }

        private void writeRun(long from, long to) {
            int n = (int) (to - from);
            // The model copies the values into the buffer during the call, so one array serves every run.
            if (runValues.length < n) {
                runValues = new long[n];
            }
            Stamp.fill(runValues, 0, n, source(), from);
            long off = (from % sim.bufferFrames) * FRAME_BYTES;
            ok(sim.sys.write(task, map, off, n * (long) FRAME_BYTES, runValues), "client write");
        }

        /** Reads and checks this client's frames of [readFrom, upTo) (capture). */
        private void readUpTo(long upTo) {
            if (readFrom < upTo - sim.bufferFrames) {
                stats.missing += upTo - sim.bufferFrames - readFrom;
                readFrom = upTo - sim.bufferFrames;
            }
            if (readFrom >= upTo) {
                return;
            }
            int owner = stream.ownerIndex(this);
            if (stats.behaviour != Behaviour.FORGET_START_READ) {
                sync(DmaBufSync.START | DmaBufSync.READ);
            }
            long f = readFrom;
            int source = Stamp.deviceSource(stream.substream);
            while (f < upTo) {
                long runEnd = Math.min(upTo, nextRunEnd(f));
                if (stream.owners.size() == 1
                        || Integrity.Stream.ownerOf(f, sim.sc.periodFrames(), stream.owners.size()) == owner) {
                    long off = (f % sim.bufferFrames) * FRAME_BYTES;
                    long[] words = ok(sim.sys.read(task, map, off, (runEnd - f) * FRAME_BYTES), "client read");
                    for (int i = 0; i < words.length; i++) {
                        Integrity.count(stats, Integrity.classify(new long[] {words[i]}, source, f + i, true));
                    }
                    sim.integrity.readLatency(stream.substream, stats, f);
                }
                f = runEnd;
            }
            sync(DmaBufSync.END | DmaBufSync.READ);
            readFrom = upTo;
        }

        private void sync(long flags) {
            stats.syncs++;
            ok(sim.sys.sync(task, dmabufFd, flags), "sync");
            sim.trace.instant("syncs", stats.name + ((flags & DmaBufSync.END) != 0 ? " END" : " START")
                    + ((flags & DmaBufSync.WRITE) != 0 ? "|WRITE" : "|READ"), sim.loop.now());
        }

        private void crash() {
            if (!alive) {
                return;
            }
            sim.trace.instant(stats.name, "crash", sim.loop.now());
            ok(sim.sys.exit(task), "crash");
            alive = false;
            sim.integrity.retire(stream.substream, stream.ownerIndex(this));
            sim.server.clientGone(this);
        }

        /** A hostile client's bad call of the wake-up: each must get DESIGN.md's errno. */
        private void misbehave() {
            int fd = dmabufFd;
            boolean open = !closedItsFd;
            String expectFd = open ? "ENOTTY" : "EBADF";
            String expectMap = open ? "EINVAL" : "EBADF";
            long size = sim.bufferFrames * FRAME_BYTES;
            BadCall call = switch (rng.nextInt(11)) {
                case 0 -> new BadCall("START on a dma-buf fd", expectFd, sim.sys.simple(task, "start", fd));
                case 1 -> new BadCall("HW_FREE on a dma-buf fd", expectFd, sim.sys.simple(task, "hw_free", fd));
                case 2 -> new BadCall("DMABUF_ATTACH on a dma-buf fd", expectFd, sim.sys.dmabufAttach(task, fd, fd));
                case 3 -> new BadCall("PAUSE on a dma-buf fd", expectFd, sim.sys.pause(task, fd, true));
                case 4 -> new BadCall("mmap at an unaligned offset", expectMap,
                        sim.sys.mmap(task, fd, 100, 4096, true, false));
                case 5 -> new BadCall("mmap past the end", expectMap,
                        sim.sys.mmap(task, fd, 0, size + 4096, true, false));
                case 6 -> new BadCall("mmap of length 0", expectMap, sim.sys.mmap(task, fd, 0, 0, true, false));
                case 7 -> {
                    long flags = List.of(0L, 4L, 8L, 0xffL).get(rng.nextInt(4));
                    yield new BadCall("SYNC with flags " + flags, open ? "EINVAL" : "EBADF",
                            sim.sys.sync(task, fd, flags));
                }
                case 8 -> new BadCall("close of an fd it does not have", "EBADF", sim.sys.close(task, 97));
                case 9 -> new BadCall("DMABUF_EXPORT on a dma-buf fd", expectFd, sim.sys.dmabufExport(task, fd));
                default -> null;
            };
            if (call == null) {
                if (open && rng.chance(0.05)) {
                    closeAtRandom();
                }
                return;
            }
            stats.badCalls++;
            String got = call.result.isOk() ? "success" : call.result.errno().name();
            if (!got.equals(call.expected)) {
                stats.errnoMismatches.add(call.what + ": expected " + call.expected + ", got " + got);
            }
        }

        /** One bad call a hostile client made, the errno DESIGN.md gives for it, and what it got. */
        private record BadCall(String what, String expected, Result<?> result) {
        }

        /** The hostile client unmaps and closes its dma-buf fd; its own stream is no longer its concern. */
        private void closeAtRandom() {
            ok(sim.sys.munmap(task, map), "hostile munmap");
            ok(sim.sys.close(task, dmabufFd), "hostile close");
            closedItsFd = true;
            sim.integrity.retire(stream.substream, stream.ownerIndex(this));
            sim.trace.instant(stats.name, "closes its dma-buf fd", sim.loop.now());
        }

        void exitAtEnd() {
            if (alive) {
                ok(sim.sys.exit(task), "client exit");
                alive = false;
            }
        }
    }
}
