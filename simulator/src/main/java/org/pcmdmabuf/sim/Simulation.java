package org.pcmdmabuf.sim;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.pcmdmabuf.model.Format;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.model.World;

/**
 * One deterministic run of a {@link Scenario}: the model kernel with a cache in front of its memory, a DMA
 * engine (the model's substreams, moved by the event loop from interrupt to interrupt), and the processes on
 * it, a {@link SoundServer} and its {@link Client}s, wired to the loop and the integrity checker through one
 * {@link Machine}. Every random choice comes from the scenario's seed, split in a fixed order (cache, clients,
 * cache noise), so the same seed gives the same run bit for bit.
 */
public final class Simulation {
    private static final long NSEC_PER_SEC = 1_000_000_000L;

    final Scenario sc;
    private final SplitMix64 rng;
    final Cache cache;
    /** The platform's memory in front of the cache; null on the default platform. */
    final PlatformMemory platform;
    final World world;
    final EventLoop loop;
    private final ScriptRecorder recorder;
    final SoundServer server;
    final List<Client> clients = new ArrayList<>();

    public Simulation(Scenario sc) {
        this(sc, TraceLog.NONE, false);
    }

    /**
     * @param record write down every call as an op script ({@link #recordedScript()})
     */
    public Simulation(Scenario sc, TraceLog trace, boolean record) {
        this.sc = sc;
        this.rng = new SplitMix64(sc.seed());
        this.cache = new Cache(sc.cache(), rng.split());
        // The default platform runs on the cache alone, as it did before platforms; the platform's own draws
        // (scattered frames) come from a generator of their own, so the seed's other draws stay as they were.
        this.platform = sc.platform().isDefault() ? null
                : new PlatformMemory(cache, sc.platform(), sc.coherent(), new SplitMix64(sc.seed() ^ 0x9a7f0e5L));
        this.world = new World(platform == null ? cache : platform);
        this.loop = new EventLoop(ns -> world.advanceNanos(ns), world::nanosToNextInterrupt);
        // A trace marks integrity errors at most once per time step: a traced run keeps every step.
        loop.runAhead(!trace.records());
        Integrity integrity = new Integrity(loop, trace);
        world.setObserver(integrity);
        this.recorder = record ? new ScriptRecorder(loop) : ScriptRecorder.NONE;
        Machine machine = new Machine(sc, world, new Syscalls(world, recorder), loop, integrity, trace);
        world.addDevice(device()).setDriftPpm(sc.driftPpm());
        this.server = new SoundServer(machine, world.addTask("server"));
        for (int i = 0; i < sc.clients().size(); i++) {
            Behaviour b = sc.clients().get(i);
            String name = "client" + i + "-" + b.cliName();
            clients.add(new Client(machine, server, world.addTask(name), new ClientStats(name, b), rng.split()));
        }
    }

    private PcmHardware device() {
        return PcmHardware.dummy("pcm0", sc.stream()).toBuilder().with(b -> {
            b.coherent = sc.coherent();
            b.contiguous = true;
            b.substreams = sc.shared() ? 1 : sc.clients().size();
            if (!sc.platform().isDefault()) {
                // A scattered buffer type needs a device that takes scattered memory; a foreign dma-buf needs a
                // substream per stream to export it.
                b.buffer = sc.platform().bufferOn(sc.coherent());
                b.contiguous = !b.buffer.scattered;
                b.iommu = sc.platform().iommu();
                b.bounce = sc.platform().bounce();
                if (sc.platform().foreign()) {
                    b.substreams *= 2;
                }
            }
            b.formats = EnumSet.of(Format.S16_LE);
            b.rateMax = Math.max(48000, sc.rate());
            b.bufferBytesMax = Math.max(64 * 1024, sc.bufferFrames() * SoundServer.FRAME_BYTES);
            b.periodBytesMax = b.bufferBytesMax;
        }).build();
    }

    /** The run as an op script (empty unless constructed to record). */
    public org.pcmdmabuf.script.Script recordedScript() {
        return recorder.script(world.pcms().stream().map(p -> p.hw).toList(),
                world.tasks().stream().map(t -> t.name).toList());
    }

    /** Runs the scenario to its end, tears everything down and reports. */
    public Report run() {
        return run(now -> {
        });
    }

    /** As {@link #run()}; {@code progress} hears the simulated time now and then, for a terminal's progress bar. */
    public Report run(LongConsumer progress) {
        server.setUp(clients);
        scheduleCacheNoise();
        clients.forEach(Client::start);
        if (sc.reconfigures()) {
            loop.at(sc.reconfigureAtNs(), "server reconfigures", server::reconfigure);
        }
        if (sc.restarts()) {
            loop.at(sc.restartAtNs(), "server restarts", server::restart);
        }
        loop.runUntil(sc.durationNs(), progress);
        server.endOfRun();
        server.tearDown();
        clients.forEach(Client::exitAtEnd);
        server.exit();
        if (platform != null) {
            platform.deviceRemoved();
        }
        return Report.of(this, world.leaks());
    }

    /**
     * The cache's random evictions and refills, each at its time. Most change nothing a DMA can see: an
     * eviction of a line that is not cached or is clean writes nothing (a coherent device snoops dirty lines
     * only, a non-coherent one never looks), a refill of a cached line does nothing. Such an event runs ahead of
     * its time (EventLoop.atUnseen), so the DMA is not stopped for it, unless the stop itself shows: a playback
     * DMA reading uncleaned words is reported once per transfer, and a trace's integrity errors at most once
     * per time step (Integrity).
     */
    private void scheduleCacheNoise() {
        SplitMix64 noise = rng.split();
        if (sc.cache().evictionsPerSecond() > 0) {
            double mean = NSEC_PER_SEC / sc.cache().evictionsPerSecond();
            repeat(noise, mean, loop.now(), "cache evict", cache::randomEviction, cache::nextEvictionWritesNothing);
        }
        if (sc.cache().refillsPerSecond() > 0) {
            double mean = NSEC_PER_SEC / sc.cache().refillsPerSecond();
            repeat(noise, mean, loop.now(), "cache refill", cache::randomRefill, cache::nextRefillLoadsNothing);
        }
    }

    /** Schedules {@code action} a random time after {@code from}, and again after each time it runs. */
    private void repeat(SplitMix64 r, double meanNs, long from, String label, Runnable action,
                        BooleanSupplier changesNothing) {
        long next = from + 1 + (long) r.exponential(meanNs);
        if (next < sc.durationNs()) {
            loop.atUnseen(next, label, () -> {
                action.run();
                repeat(r, meanNs, next, label, action, changesNothing);
            }, () -> changesNothing.getAsBoolean() && !world.playbackMayReadUncleaned());
        }
    }
}
