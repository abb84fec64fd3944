package org.pcmdmabuf.sim.cost;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.Json;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.sim.Behaviour;
import org.pcmdmabuf.sim.Cache;
import org.pcmdmabuf.sim.ClientStats;
import org.pcmdmabuf.sim.Report;
import org.pcmdmabuf.sim.Scenario;
import org.pcmdmabuf.sim.Simulation;
import org.pcmdmabuf.sim.TraceLog;

/**
 * {@code pcmsim bench zero-copy}: the same playback workload through the dma-buf path (clients write into the
 * shared DMA buffer) and through the classic path (clients hand periods to the sound server, which copies
 * them in), with what each costs per period under a {@link CostModel}. Every figure comes from virtual time
 * and counts, so the same scenario gives the same numbers.
 */
public final class ZeroCopyBench {
    /**
     * One path's counts over the whole run, all its streams together; {@code periods} counts the periods every
     * stream played, so a figure per period is per period of one stream.
     */
    public record PathResult(String name, double periods, long contextSwitches, long bytesCopied, long linesCleaned,
                             long linesInvalidated, long integrityErrors, long[] latenciesNs) {
        public double perPeriod(long count) {
            return periods == 0 ? 0 : count / periods;
        }

        public long cacheLines() {
            return linesCleaned + linesInvalidated;
        }

        /** Modelled CPU nanoseconds per period of one stream: copies, context switches, cache maintenance. */
        public double cpuNsPerPeriod(CostModel m) {
            return m.cpuNs(perPeriod(bytesCopied), perPeriod(contextSwitches), perPeriod(cacheLines()));
        }

        /** The p-th percentile (0-100) of write-to-DMA latency, nanoseconds; -1 without samples. */
        public long latencyPercentile(double p) {
            if (latenciesNs.length == 0) {
                return -1;
            }
            int idx = (int) Math.ceil(p / 100.0 * latenciesNs.length) - 1;
            return latenciesNs[Math.max(0, Math.min(latenciesNs.length - 1, idx))];
        }
    }

    /** Both paths of one workload. */
    public record Result(Scenario workload, int streams, CostModel cost, PathResult zeroCopy, PathResult copy) {
        public String json() {
            Scenario s = workload;
            StringBuilder sb = new StringBuilder("{");
            sb.append("\"seed\":").append(s.seed());
            sb.append(",\"streams\":").append(streams);
            sb.append(",\"coherent\":").append(s.coherent());
            sb.append(",\"rate\":").append(s.rate());
            sb.append(",\"period_frames\":").append(s.periodFrames());
            sb.append(",\"periods\":").append(s.periods());
            sb.append(",\"duration_ns\":").append(s.durationNs());
            sb.append(",\"line_bytes\":").append(s.cache().lineBytes());
            sb.append(",\"cost_model\":{\"ns_per_byte_copied\":").append(Json.decimal(cost.nsPerByteCopied()));
            sb.append(",\"ns_per_context_switch\":").append(Json.decimal(cost.nsPerContextSwitch()));
            sb.append(",\"ns_per_cache_line\":").append(Json.decimal(cost.nsPerCacheLine())).append('}');
            sb.append(",\"paths\":[");
            sb.append(pathJson(zeroCopy)).append(',').append(pathJson(copy)).append("]}");
            return sb.toString();
        }

        private String pathJson(PathResult p) {
            return "{\"path\":" + Json.string(p.name())
                    + ",\"periods\":" + Json.decimal(p.periods())
                    + ",\"cpu_us_per_period\":" + Json.decimal(p.cpuNsPerPeriod(cost) / 1000)
                    + ",\"context_switches_per_period\":" + Json.decimal(p.perPeriod(p.contextSwitches()))
                    + ",\"bytes_copied_per_period\":" + Json.decimal(p.perPeriod(p.bytesCopied()))
                    + ",\"cache_lines_per_period\":" + Json.decimal(p.perPeriod(p.cacheLines()))
                    + ",\"context_switches\":" + p.contextSwitches()
                    + ",\"bytes_copied\":" + p.bytesCopied()
                    + ",\"lines_cleaned\":" + p.linesCleaned()
                    + ",\"lines_invalidated\":" + p.linesInvalidated()
                    + ",\"latency_p50_us\":" + Json.decimal(p.latencyPercentile(50) / 1000.0)
                    + ",\"latency_p99_us\":" + Json.decimal(p.latencyPercentile(99) / 1000.0)
                    + ",\"latency_samples\":" + p.latenciesNs().length
                    + ",\"integrity_errors\":" + p.integrityErrors() + "}";
        }

        public String table() {
            Scenario s = workload;
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "zero-copy vs copy-through-server: %d stream%s, playback, %s, %d Hz, "
                    + "%d x %d frames, %d-byte lines, %.3f s simulated, seed %d%n", streams, streams == 1 ? "" : "s",
                    s.coherent() ? "coherent" : "non-coherent", s.rate(), s.periodFrames(), s.periods(),
                    s.cache().lineBytes(), s.durationNs() / 1e9, s.seed()));
            sb.append(cost.equals(CostModel.DEFAULT) ? "cost model (docs/cost-model.md): " : "cost model (given): ")
                    .append(cost.describe()).append('\n');
            sb.append(String.format(Locale.ROOT, "%-20s %9s %12s %8s %10s %10s %9s %9s %7s%n", "per period", "CPU us",
                    "ctx switches", "copied B", "lines cln", "lines inv", "p50 us", "p99 us", "errors"));
            for (PathResult p : List.of(zeroCopy, copy)) {
                sb.append(String.format(Locale.ROOT, "%-20s %9.2f %12.2f %8.0f %10.1f %10.1f %9.1f %9.1f %7d%n",
                        p.name(), p.cpuNsPerPeriod(cost) / 1000, p.perPeriod(p.contextSwitches()),
                        p.perPeriod(p.bytesCopied()), p.perPeriod(p.linesCleaned()), p.perPeriod(p.linesInvalidated()),
                        p.latencyPercentile(50) / 1000.0, p.latencyPercentile(99) / 1000.0, p.integrityErrors()));
            }
            double saved = copy.cpuNsPerPeriod(cost) - zeroCopy.cpuNsPerPeriod(cost);
            double share = copy.cpuNsPerPeriod(cost) == 0 ? 0 : 100 * saved / copy.cpuNsPerPeriod(cost);
            sb.append(String.format(Locale.ROOT, "zero-copy saves %.2f us of CPU per period (%.0f%%), %.2f context "
                    + "switches and %.0f bytes copied per period%n", saved / 1000, share,
                    copy.perPeriod(copy.contextSwitches()) - zeroCopy.perPeriod(zeroCopy.contextSwitches()),
                    copy.perPeriod(copy.bytesCopied()) - zeroCopy.perPeriod(zeroCopy.bytesCopied())));
            return sb.toString();
        }
    }

    private ZeroCopyBench() {
    }

    /**
     * Runs {@code streams} correct zero-copy clients, then as many copy-through-server clients, each on its own
     * substream, with everything else from {@code base} (its clients, direction and sharing are ignored).
     */
    public static Result run(Scenario base, int streams, CostModel cost) {
        Scenario zc = workload(base, streams, Behaviour.CORRECT);
        Scenario cp = workload(base, streams, Behaviour.COPY_THROUGH_SERVER);
        return new Result(zc, streams, cost, path("zero-copy (dma-buf)", zc), path("copy-through-server", cp));
    }

    private static Scenario workload(Scenario base, int streams, Behaviour b) {
        return new Scenario(base.seed(), PcmStream.PLAYBACK, base.coherent(), base.rate(), base.periodFrames(),
                base.periods(), base.durationNs(), Collections.nCopies(streams, b), false, base.cache(),
                base.driftPpm(), base.jitterMeanNs(), base.marginFrames());
    }

    private static PathResult path(String name, Scenario sc) {
        Simulation sim = new Simulation(sc, TraceLog.NONE, true);
        Report r = sim.run();
        long frames = 0;
        long ctxsw = r.serverContextSwitches();
        long copied = 0;
        long[] latencies = new long[0];
        for (ClientStats c : r.clients()) {
            frames += c.good() + c.integrityErrors();
            ctxsw += c.contextSwitches();
            copied += c.bytesCopied();
            latencies = concat(latencies, c.latencies());
        }
        Arrays.sort(latencies);
        Cache maintenance = countMaintenance(sim.recordedScript(), sc.cache());
        return new PathResult(name, frames / (double) sc.periodFrames(), ctxsw, copied, maintenance.linesCleaned(),
                maintenance.linesInvalidated(), r.integrityErrors(), latencies);
    }

    /**
     * The cache maintenance a run did, counted by replaying its system calls on a fresh cache: cleans and
     * invalidates follow only from syncs and transfers, which the script holds, not from the random evictions
     * and refills it leaves out.
     */
    private static Cache countMaintenance(Script script, Cache.Config config) {
        Cache cache = Cache.exact(config.lineBytes(), config.capacityLines());
        try (ModelTarget t = new ModelTarget(new World(cache))) {
            ScriptRunner.run(script, t, step -> {
            });
        }
        return cache;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
