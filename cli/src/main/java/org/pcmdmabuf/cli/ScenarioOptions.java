package org.pcmdmabuf.cli;

import java.util.ArrayList;
import java.util.List;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.script.Limits;
import org.pcmdmabuf.sim.Behaviour;
import org.pcmdmabuf.sim.Cache;
import org.pcmdmabuf.sim.Design;
import org.pcmdmabuf.sim.Platform;
import org.pcmdmabuf.sim.Scenario;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options that describe a simulated scenario, shared by race, explore and replay. */
final class ScenarioOptions {
    @Option(names = "--clients", defaultValue = "correct", split = ",", paramLabel = "BEHAVIOUR",
            description = "Comma list of client behaviours: correct, forget-end-write, forget-start-read, late, "
                    + "timing-model, copy-through-server, crash, hostile (default: ${DEFAULT-VALUE}).")
    List<String> clients = new ArrayList<>();

    @Option(names = "--capture", description = "Simulate a capture stream (default: playback).")
    boolean capture;

    @Option(names = "--coherent", description = "The device snoops CPU caches (default: non-coherent).")
    boolean coherent;

    @Option(names = "--shared", description = "All clients share one buffer, each owning every N-th period.")
    boolean shared;

    @Option(names = "--rate", defaultValue = "48000", description = "Sample rate in Hz (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--period", defaultValue = "1024", description = "Period size in frames (default: ${DEFAULT-VALUE}).")
    int period;

    @Option(names = "--periods", description = "Periods per buffer (default: 4).")
    Integer periods;

    @Option(names = "--buffer", description = "Buffer size in frames, a multiple of the period (instead of --periods).")
    Integer buffer;

    @Option(names = "--duration", defaultValue = "10s", converter = Durations.class,
            description = "Simulated time, e.g. 60s, 500ms, 2000us (default: ${DEFAULT-VALUE}).")
    long durationNs;

    @Option(names = "--seed", defaultValue = "1", description = "The seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--drift-ppm", defaultValue = "0", description = "Device clock drift against the CPU clock, ppm.")
    long driftPpm;

    @Option(names = "--jitter-us", defaultValue = "2000", description = "Mean wake-up delay of late clients, us (default: ${DEFAULT-VALUE}).")
    long jitterUs;

    @Option(names = "--margin", description = "How far ahead of its prediction a timing-model client stops writing, "
            + "in frames (default: half the buffer).")
    Long margin;

    @Option(names = "--design", defaultValue = "dmabuf", paramLabel = "DESIGN",
            description = "How the server hands zero-copy clients the data path (docs/designs.md): dmabuf, "
                    + "restricted (an O_APPEND PCM fd restricted to the producer or consumer role) or buffer-fd "
                    + "(the vendors' MMAP_DATA_FD) (default: ${DEFAULT-VALUE}).")
    String design;

    @Option(names = "--reconfigure-at", converter = Durations.class, paramLabel = "DURATION",
            description = "The server reconfigures its streams at this simulated time (DROP, HW_PARAMS, share the new "
                    + "buffer, PREPARE, START; the clients switch when they read their sockets), e.g. 5s.")
    Long reconfigureAtNs;

    @Option(names = "--restart-at", converter = Durations.class, paramLabel = "DURATION",
            description = "The server process exits at this simulated time and a new one opens the device again and "
                    + "shares new buffers with the clients as they reconnect, e.g. 5s.")
    Long restartAtNs;

    @Option(names = "--buffer-type", paramLabel = "TYPE", description = "The buffer type of the device's memory "
            + "(sound/core/memalloc.c), as op scripts' device attribute buffer= spells it: continuous, vmalloc, dev, "
            + "dev-wc, dev-sg, noncontig, noncoherent (default: noncoherent, or dev with --coherent).")
    String bufferType;

    @Option(names = "--iommu", description = "Device addresses are IOVAs of an IOMMU (drivers/iommu/dma-iommu.c).")
    boolean iommu;

    @Option(names = "--bounce", description = "Streaming DMA mappings bounce through swiotlb slots (kernel/dma/swiotlb.c).")
    boolean bounce;

    @Option(names = "--foreign", description = "The server attaches a dma-buf another substream exported: the device's "
            + "DMA goes through a streaming mapping (which --bounce bounces) instead of its own allocation.")
    boolean foreign;

    @Option(names = "--flaw", split = ",", paramLabel = "FLAW", description = "Run a broken kernel variant on the "
            + "platform, to see the simulator catch it: cacheable-alias (the dma-buf's user mapping is cacheable "
            + "whatever the buffer type), virt-to-page (an attachment's pages from virt_to_page() of the kernel "
            + "address), bounce-no-sync-for-device, wrong-direction-sync, leak-mapping (DETACH does not unmap).")
    List<String> flaws = new ArrayList<>();

    @ArgGroup(exclusive = false)
    CacheGeometry geometry = new CacheGeometry();

    @Option(names = "--evictions-per-s", defaultValue = "200", converter = FiniteDouble.class, description = "Random line evictions per second (default: ${DEFAULT-VALUE}).")
    double evictions;

    @Option(names = "--refills-per-s", defaultValue = "200", converter = FiniteDouble.class, description = "Speculative line refills per second (default: ${DEFAULT-VALUE}).")
    double refills;

    private static void checkRate(CommandSpec spec, String option, double perSecond) {
        if (perSecond > Limits.DEFAULT.randomEventsPerSecond()) {
            throw new ParameterException(spec.commandLine(), Limits.exceeded(option, (long) perSecond,
                    (long) Limits.DEFAULT.randomEventsPerSecond()));
        }
    }

    /** The scenario, or a ParameterException naming the bad value. */
    Scenario toScenario(CommandSpec spec) {
        geometry.check(spec);
        // Checked before it is made nanoseconds, which could overflow (and -2^63 us would become 0 ns).
        if (jitterUs < 0) {
            throw new ParameterException(spec.commandLine(), "--jitter-us must not be negative: " + jitterUs);
        }
        if (jitterUs > Limits.DEFAULT.advanceNanos() / 1000) {
            throw new ParameterException(spec.commandLine(), Limits.exceeded("--jitter-us", jitterUs,
                    Limits.DEFAULT.advanceNanos() / 1000));
        }
        checkRate(spec, "--evictions-per-s", evictions);
        checkRate(spec, "--refills-per-s", refills);
        List<Behaviour> behaviours = new ArrayList<>();
        for (String c : clients) {
            Behaviour b = Behaviour.fromCli(c.strip());
            if (b == null) {
                List<String> all = new ArrayList<>();
                for (Behaviour x : Behaviour.values()) {
                    all.add(x.cliName());
                }
                throw new ParameterException(spec.commandLine(), "unknown behaviour '" + c + "' (one of "
                        + String.join(", ", all) + ")");
            }
            behaviours.add(b);
        }
        if (periods != null && buffer != null) {
            throw new ParameterException(spec.commandLine(), "give --periods or --buffer, not both");
        }
        int n = periods != null ? periods : 4;
        if (buffer != null) {
            if (period > buffer) {
                throw new ParameterException(spec.commandLine(), "period (" + period + " frames) is larger than the buffer ("
                        + buffer + " frames)");
            }
            if (period <= 0 || buffer % period != 0) {
                throw new ParameterException(spec.commandLine(), "buffer (" + buffer + " frames) is not a multiple of the period ("
                        + period + " frames)");
            }
            n = buffer / period;
        }
        long bufferFrames = (long) period * n;
        org.pcmdmabuf.model.BufferType type = null;
        if (bufferType != null) {
            for (org.pcmdmabuf.model.BufferType t : org.pcmdmabuf.model.BufferType.values()) {
                if (t.scriptName().equals(bufferType.strip())) {
                    type = t;
                }
            }
            if (type == null) {
                throw new ParameterException(spec.commandLine(), "unknown buffer type '" + bufferType
                        + "' (continuous, vmalloc, dev, dev-wc, dev-sg, noncontig, noncoherent)");
            }
        }
        try {
            java.util.Set<Platform.Flaw> flawSet = java.util.EnumSet.noneOf(Platform.Flaw.class);
            for (String f : flaws) {
                flawSet.add(Platform.Flaw.fromCli(f.strip()));
            }
            Platform platform = new Platform(type, iommu, bounce, foreign, flawSet);
            return new Scenario(seed, capture ? PcmStream.CAPTURE : PcmStream.PLAYBACK, coherent, rate, period, n,
                    durationNs, behaviours, shared, new Cache.Config(geometry.lineBytes, geometry.cacheLines, evictions, refills),
                    driftPpm, jitterUs * 1000, margin != null ? margin : bufferFrames / 2, Design.fromCli(design),
                    platform, reconfigureAtNs != null ? reconfigureAtNs : -1, restartAtNs != null ? restartAtNs : -1);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
