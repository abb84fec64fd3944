package org.pcmdmabuf.sim;

import java.util.List;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.script.Limits;

/**
 * Everything a simulated run depends on. With the same scenario (seed included) a run is the same, bit for
 * bit. Validation names the bad value; the CLI shows that message as is.
 *
 * @param shared       all clients cooperate on one buffer, each owning every N-th period; else one substream each
 * @param marginFrames how far ahead of its predicted position a timing-model client stops writing (its safety)
 * @param design       how the server hands each zero-copy client the data path (docs/designs.md)
 * @param platform     the machine the device sits on: buffer type, IOMMU, bounce buffers (docs/spec.md section 3)
 * @param reconfigureAtNs when the server reconfigures its streams mid-run (DROP, HW_PARAMS, re-share, PREPARE,
 *                     START), or -1 for never
 * @param restartAtNs  when the server process exits and a new one opens the device again and re-shares, or -1
 */
public record Scenario(
        long seed,
        PcmStream stream,
        boolean coherent,
        int rate,
        int periodFrames,
        int periods,
        long durationNs,
        List<Behaviour> clients,
        boolean shared,
        Cache.Config cache,
        long driftPpm,
        long jitterMeanNs,
        long marginFrames,
        Design design,
        Platform platform,
        long reconfigureAtNs,
        long restartAtNs) {

    /** A scenario on the RFC's dma-buf design, the default. */
    public Scenario(long seed, PcmStream stream, boolean coherent, int rate, int periodFrames, int periods,
                    long durationNs, List<Behaviour> clients, boolean shared, Cache.Config cache, long driftPpm,
                    long jitterMeanNs, long marginFrames) {
        this(seed, stream, coherent, rate, periodFrames, periods, durationNs, clients, shared, cache, driftPpm,
                jitterMeanNs, marginFrames, Design.DMABUF);
    }

    /** A scenario on the default platform. */
    public Scenario(long seed, PcmStream stream, boolean coherent, int rate, int periodFrames, int periods,
                    long durationNs, List<Behaviour> clients, boolean shared, Cache.Config cache, long driftPpm,
                    long jitterMeanNs, long marginFrames, Design design) {
        this(seed, stream, coherent, rate, periodFrames, periods, durationNs, clients, shared, cache, driftPpm,
                jitterMeanNs, marginFrames, design, Platform.DEFAULT);
    }

    /** A scenario whose server neither reconfigures nor restarts. */
    public Scenario(long seed, PcmStream stream, boolean coherent, int rate, int periodFrames, int periods,
                    long durationNs, List<Behaviour> clients, boolean shared, Cache.Config cache, long driftPpm,
                    long jitterMeanNs, long marginFrames, Design design, Platform platform) {
        this(seed, stream, coherent, rate, periodFrames, periods, durationNs, clients, shared, cache, driftPpm,
                jitterMeanNs, marginFrames, design, platform, -1, -1);
    }

    public Scenario {
        clients = List.copyOf(clients);
        checkServerEvent("--reconfigure-at", reconfigureAtNs, durationNs, clients);
        checkServerEvent("--restart-at", restartAtNs, durationNs, clients);
        if (reconfigureAtNs >= 0 && reconfigureAtNs == restartAtNs) {
            throw new IllegalArgumentException("--reconfigure-at and --restart-at must differ: both "
                    + reconfigureAtNs + " ns");
        }
        String bad = platform.invalidOn(coherent);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        if (platform.foreign() && design != Design.DMABUF) {
            throw new IllegalArgumentException("--foreign attaches a dma-buf: it needs design dmabuf");
        }
        if (rate < 1000 || rate > 768_000) {
            throw new IllegalArgumentException("rate must be between 1000 and 768000 Hz: " + rate);
        }
        if (periodFrames < 16) {
            throw new IllegalArgumentException("period must be at least 16 frames: " + periodFrames);
        }
        if (periods < 2 || periods > 1024) {
            throw new IllegalArgumentException("periods must be between 2 and 1024: " + periods);
        }
        if ((long) periodFrames * periods * 4 > 64L << 20) {
            throw new IllegalArgumentException("buffer of " + periodFrames + " x " + periods
                    + " frames is larger than 64 MiB");
        }
        if (durationNs <= 0) {
            throw new IllegalArgumentException("duration must be positive");
        }
        if (durationNs > Limits.DEFAULT.advanceNanos()) {
            throw new IllegalArgumentException("duration: " + durationNs + " ns, more than the limit of "
                    + Limits.DEFAULT.advanceNanos() + " ns");
        }
        if (clients.isEmpty() || clients.size() > 64) {
            throw new IllegalArgumentException("between 1 and 64 clients: " + clients.size());
        }
        long bufferBytes = bufferBytes(periodFrames, periods, shared, clients);
        if (bufferBytes > Limits.DEFAULT.scriptBufferBytes()) {
            throw new IllegalArgumentException(Limits.exceeded("bytes of buffer for " + (shared ? 1 : clients.size())
                    + " client(s)", bufferBytes, Limits.DEFAULT.scriptBufferBytes()));
        }
        if (driftPpm <= -500_000 || driftPpm >= 500_000) {
            throw new IllegalArgumentException("drift must be within +-500000 ppm: " + driftPpm);
        }
        if (jitterMeanNs < 0) {
            throw new IllegalArgumentException("jitter must not be negative: " + jitterMeanNs);
        }
        if (jitterMeanNs > Limits.DEFAULT.advanceNanos()) {
            throw new IllegalArgumentException("jitter: " + jitterMeanNs + " ns, more than the limit of "
                    + Limits.DEFAULT.advanceNanos() + " ns");
        }
        long buffer = (long) periodFrames * periods;
        if (marginFrames < 0 || marginFrames >= buffer) {
            throw new IllegalArgumentException("margin must be within the buffer (0.." + (buffer - 1) + " frames): "
                    + marginFrames);
        }
        // O_APPEND shares a substream only on a PCM with one (snd_pcm_attach_substream(), LINUX-OPEN).
        if (design == Design.RESTRICTED && !shared && clients.size() > 1) {
            throw new IllegalArgumentException("design restricted needs --shared or one client: an O_APPEND open"
                    + " shares the substream only of a PCM that has one");
        }
        for (Behaviour b : clients) {
            if (stream == PcmStream.CAPTURE && (b == Behaviour.FORGET_END_WRITE)) {
                throw new IllegalArgumentException("behaviour " + b.cliName() + " needs a playback stream");
            }
            if (stream == PcmStream.PLAYBACK && b == Behaviour.FORGET_START_READ) {
                throw new IllegalArgumentException("behaviour " + b.cliName() + " needs a capture stream");
            }
            if (shared && b == Behaviour.COPY_THROUGH_SERVER) {
                throw new IllegalArgumentException("copy-through-server clients cannot share a buffer");
            }
        }
    }

    private static void checkServerEvent(String option, long atNs, long durationNs, List<Behaviour> clients) {
        if (atNs == -1) {
            return;
        }
        if (atNs <= 0 || atNs >= durationNs) {
            throw new IllegalArgumentException(option + " must be within the run (0.." + durationNs + " ns, both"
                    + " excluded): " + atNs + " ns");
        }
        if (clients.contains(Behaviour.COPY_THROUGH_SERVER)) {
            throw new IllegalArgumentException(option + " re-shares the buffer: copy-through-server clients have"
                    + " none");
        }
    }

    /** The server reconfigures its streams during the run. */
    public boolean reconfigures() {
        return reconfigureAtNs >= 0;
    }

    /** The server process restarts during the run. */
    public boolean restarts() {
        return restartAtNs >= 0;
    }

    public long bufferFrames() {
        return (long) periodFrames * periods;
    }

    /** The buffer memory a run holds: one buffer per client unless they share one. */
    public long bufferBytes() {
        return bufferBytes(periodFrames, periods, shared, clients);
    }

    private static long bufferBytes(int periodFrames, int periods, boolean shared, List<Behaviour> clients) {
        return (long) periodFrames * periods * SoundServer.FRAME_BYTES * (shared ? 1 : clients.size());
    }

    public long periodNs() {
        return periodFrames * 1_000_000_000L / rate;
    }

    /** The pcmsim flags that give this scenario back: how explore says what to replay. */
    public String toCliArgs() {
        List<String> a = new java.util.ArrayList<>();
        a.add("--clients " + String.join(",", clients.stream().map(Behaviour::cliName).toList()));
        if (stream == PcmStream.CAPTURE) {
            a.add("--capture");
        }
        if (coherent) {
            a.add("--coherent");
        }
        if (shared) {
            a.add("--shared");
        }
        a.add("--rate " + rate + " --period " + periodFrames + " --periods " + periods);
        a.add("--duration " + durationNs + "ns --seed " + seed);
        a.add("--drift-ppm " + driftPpm + " --jitter-us " + jitterMeanNs / 1000 + " --margin " + marginFrames);
        a.add("--line-bytes " + cache.lineBytes() + " --cache-lines " + cache.capacityLines()
                + " --evictions-per-s " + cache.evictionsPerSecond() + " --refills-per-s " + cache.refillsPerSecond());
        if (design != Design.DMABUF) {
            a.add("--design " + design.cliName());
        }
        if (reconfigures()) {
            a.add("--reconfigure-at " + reconfigureAtNs + "ns");
        }
        if (restarts()) {
            a.add("--restart-at " + restartAtNs + "ns");
        }
        return String.join(" ", a) + platform.cliArgs();
    }

    /** The same scenario with another seed (explore). */
    public Scenario withSeed(long s) {
        return new Scenario(s, stream, coherent, rate, periodFrames, periods, durationNs, clients, shared, cache,
                driftPpm, jitterMeanNs, marginFrames, design, platform, reconfigureAtNs, restartAtNs);
    }

    /** The same scenario with the server reconfiguring and restarting at these times (-1: never). */
    public Scenario withServerEvents(long reconfigureAt, long restartAt) {
        return new Scenario(seed, stream, coherent, rate, periodFrames, periods, durationNs, clients, shared, cache,
                driftPpm, jitterMeanNs, marginFrames, design, platform, reconfigureAt, restartAt);
    }

    /** The same scenario on another platform. */
    public Scenario withPlatform(Platform p) {
        return new Scenario(seed, stream, coherent, rate, periodFrames, periods, durationNs, clients, shared, cache,
                driftPpm, jitterMeanNs, marginFrames, design, p, reconfigureAtNs, restartAtNs);
    }
}
