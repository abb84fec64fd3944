package org.pcmdmabuf.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What happened to one client's data and what it cost. */
public final class ClientStats {
    public final String name;
    public final Behaviour behaviour;
    long good;
    long stale;
    long torn;
    long missing;
    long duplicated;
    long xruns;
    long contextSwitches;
    long bytesCopied;
    long syncs;
    long badCalls;
    /** Of its integrity errors, those judged while the server reconfigured or restarted (ServerEvent). */
    long lostAtServerEvents;
    final List<String> errnoMismatches = new ArrayList<>();
    private long[] latencies = new long[64];
    private int latencyCount;

    ClientStats(String name, Behaviour behaviour) {
        this.name = name;
        this.behaviour = behaviour;
    }

    void latency(long ns) {
        if (latencyCount == latencies.length) {
            latencies = Arrays.copyOf(latencies, latencyCount * 2);
        }
        latencies[latencyCount++] = ns;
    }

    /** Frames that did not arrive as written. */
    public long integrityErrors() {
        return stale + torn + missing + duplicated;
    }

    /** Integrity errors judged outside a server reconfiguration's or restart's window: none for a correct client. */
    public long integrityErrorsOutsideServerEvents() {
        return integrityErrors() - lostAtServerEvents;
    }

    public long good() {
        return good;
    }

    public long stale() {
        return stale;
    }

    public long torn() {
        return torn;
    }

    public long missing() {
        return missing;
    }

    public long duplicated() {
        return duplicated;
    }

    public long xruns() {
        return xruns;
    }

    public long contextSwitches() {
        return contextSwitches;
    }

    public long bytesCopied() {
        return bytesCopied;
    }

    public long syncs() {
        return syncs;
    }

    public long badCalls() {
        return badCalls;
    }

    public List<String> errnoMismatches() {
        return List.copyOf(errnoMismatches);
    }

    public int latencySamples() {
        return latencyCount;
    }

    /** Every write-to-DMA latency sample in nanoseconds, smallest first. */
    public long[] latencies() {
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        return sorted;
    }

    /** The p-th percentile (0-100) of write-to-DMA latency in nanoseconds, or -1 without samples. */
    public long latencyPercentile(double p) {
        if (latencyCount == 0) {
            return -1;
        }
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(p / 100.0 * latencyCount) - 1;
        return sorted[Math.max(0, Math.min(latencyCount - 1, idx))];
    }
}
