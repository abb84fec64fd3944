package org.pcmdmabuf.sim;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pcmdmabuf.model.Leaks;
import org.pcmdmabuf.script.Json;

/**
 * The outcome of one run: per client what happened to its frames and what it cost, plus the run's own
 * figures. Only virtual quantities: the same scenario gives the same report, byte for byte.
 */
public record Report(
        Scenario scenario,
        List<ClientStats> clients,
        long serverContextSwitches,
        long events,
        long violations,
        long cacheWriteBacks,
        long cacheEvictions,
        long cacheRefills,
        Leaks leaks,
        long serverBlockedHwFrees,
        Map<String, Long> dmaDebug,
        List<String> dmaDebugMessages,
        long bouncedWords,
        ServerEvent reconfigure,
        ServerEvent restart) {

    /** A report of a run whose server neither reconfigured nor restarted. */
    public Report(Scenario scenario, List<ClientStats> clients, long serverContextSwitches, long events,
                  long violations, long cacheWriteBacks, long cacheEvictions, long cacheRefills, Leaks leaks,
                  long serverBlockedHwFrees, Map<String, Long> dmaDebug, List<String> dmaDebugMessages,
                  long bouncedWords) {
        this(scenario, clients, serverContextSwitches, events, violations, cacheWriteBacks, cacheEvictions,
                cacheRefills, leaks, serverBlockedHwFrees, dmaDebug, dmaDebugMessages, bouncedWords, null, null);
    }

    /** A report of a run on the default platform, which has no DMA-API debug. */
    public Report(Scenario scenario, List<ClientStats> clients, long serverContextSwitches, long events,
                  long violations, long cacheWriteBacks, long cacheEvictions, long cacheRefills, Leaks leaks,
                  long serverBlockedHwFrees) {
        this(scenario, clients, serverContextSwitches, events, violations, cacheWriteBacks, cacheEvictions,
                cacheRefills, leaks, serverBlockedHwFrees, Map.of(), List.of(), 0);
    }

    static Report of(Simulation sim, Leaks leaks) {
        return new Report(sim.sc, sim.clients.stream().map(c -> c.stats).toList(), sim.server.contextSwitches(),
                sim.loop.executed(), sim.world.violationCount(), sim.cache.writeBacks(), sim.cache.evictions(),
                sim.cache.refills(), leaks, sim.server.blockedHwFrees(),
                sim.platform == null ? Map.of() : sim.platform.debug.byKind(),
                sim.platform == null ? List.of() : sim.platform.debug.messages(),
                sim.platform == null ? 0 : sim.platform.bouncedWords(), sim.server.reconfigureOutcome(),
                sim.server.restartOutcome());
    }

    /** DMA-API debug findings (kernel/dma/debug.c) of the run: 0 on the default platform. */
    public long dmaDebugFindings() {
        return dmaDebug.values().stream().mapToLong(Long::longValue).sum();
    }

    public long integrityErrors() {
        return clients.stream().mapToLong(ClientStats::integrityErrors).sum();
    }

    /** Integrity errors of every client but those of the given behaviours (whose own errors are expected). */
    public long integrityErrorsExcept(Behaviour... excluded) {
        List<Behaviour> ex = List.of(excluded);
        return clients.stream().filter(c -> !ex.contains(c.behaviour)).mapToLong(ClientStats::integrityErrors).sum();
    }

    /** Integrity errors outside the windows of a server reconfiguration or restart (all of them without one). */
    public long integrityErrorsOutsideServerEvents() {
        return clients.stream().mapToLong(ClientStats::integrityErrorsOutsideServerEvents).sum();
    }

    public long errnoMismatches() {
        return clients.stream().mapToLong(c -> c.errnoMismatches.size()).sum();
    }

    public double simulatedSeconds() {
        return scenario.durationNs() / 1e9;
    }

    public String json() {
        Scenario s = scenario;
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"seed\":").append(s.seed());
        sb.append(",\"stream\":").append(Json.string(s.stream().name().toLowerCase(Locale.ROOT)));
        sb.append(",\"coherent\":").append(s.coherent());
        sb.append(",\"rate\":").append(s.rate());
        sb.append(",\"period_frames\":").append(s.periodFrames());
        sb.append(",\"periods\":").append(s.periods());
        sb.append(",\"duration_ns\":").append(s.durationNs());
        sb.append(",\"shared\":").append(s.shared());
        sb.append(",\"drift_ppm\":").append(s.driftPpm());
        sb.append(",\"cache\":{\"line_bytes\":").append(s.cache().lineBytes());
        sb.append(",\"capacity_lines\":").append(s.cache().capacityLines());
        sb.append(",\"write_backs\":").append(cacheWriteBacks);
        sb.append(",\"evictions\":").append(cacheEvictions);
        sb.append(",\"refills\":").append(cacheRefills).append('}');
        sb.append(",\"clients\":[");
        for (int i = 0; i < clients.size(); i++) {
            ClientStats c = clients.get(i);
            sb.append(i == 0 ? "" : ",").append('{');
            sb.append("\"name\":").append(Json.string(c.name));
            sb.append(",\"behaviour\":").append(Json.string(c.behaviour.cliName()));
            sb.append(",\"good\":").append(c.good);
            sb.append(",\"stale\":").append(c.stale);
            sb.append(",\"torn\":").append(c.torn);
            sb.append(",\"missing\":").append(c.missing);
            sb.append(",\"duplicated\":").append(c.duplicated);
            sb.append(",\"xruns\":").append(c.xruns);
            sb.append(",\"latency_p50_us\":").append(c.latencyPercentile(50) / 1000);
            sb.append(",\"latency_p99_us\":").append(c.latencyPercentile(99) / 1000);
            sb.append(",\"context_switches\":").append(c.contextSwitches);
            sb.append(",\"bytes_copied\":").append(c.bytesCopied);
            sb.append(",\"syncs\":").append(c.syncs);
            sb.append(",\"bad_calls\":").append(c.badCalls);
            sb.append(",\"errno_mismatches\":").append(Json.value(c.errnoMismatches));
            sb.append('}');
        }
        sb.append("],\"server_context_switches\":").append(serverContextSwitches);
        sb.append(",\"events\":").append(events);
        sb.append(",\"protocol_violations\":").append(violations);
        sb.append(",\"integrity_errors\":").append(integrityErrors());
        sb.append(",\"leaks\":{\"files\":").append(leaks.files()).append(",\"dmabufs\":").append(leaks.dmabufs())
                .append(",\"attachments\":").append(leaks.attachments()).append(",\"mappings\":")
                .append(leaks.mappings()).append(",\"buffers\":").append(leaks.buffers()).append('}');
        // The dma-buf design's report stays as it always was, byte for byte.
        if (s.design() != Design.DMABUF) {
            sb.append(",\"design\":").append(Json.string(s.design().cliName()));
            sb.append(",\"server_hw_free_refused\":").append(serverBlockedHwFrees);
        }
        // And a run without a server reconfiguration or restart.
        if (reconfigure != null) {
            sb.append(",\"server_reconfigure\":").append(reconfigure.json(s.durationNs()));
        }
        if (restart != null) {
            sb.append(",\"server_restart\":").append(restart.json(s.durationNs()));
        }
        // So is the default platform's.
        if (!s.platform().isDefault()) {
            Platform p = s.platform();
            sb.append(",\"platform\":{\"buffer\":").append(Json.string(p.bufferOn(s.coherent()).scriptName()));
            sb.append(",\"iommu\":").append(p.iommu()).append(",\"bounce\":").append(p.bounce());
            sb.append(",\"foreign\":").append(p.foreign());
            sb.append(",\"bounced_words\":").append(bouncedWords).append('}');
            sb.append(",\"dma_debug\":{");
            int i = 0;
            for (Map.Entry<String, Long> e : dmaDebug.entrySet()) {
                sb.append(i++ == 0 ? "" : ",").append(Json.string(e.getKey())).append(':').append(e.getValue());
            }
            sb.append(",\"messages\":").append(Json.value(dmaDebugMessages)).append('}');
        }
        return sb.append('}').toString();
    }

    /** The summary table. */
    public String table() {
        Scenario s = scenario;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "seed %d: %s, %s, %d Hz, %d x %d frames, %.3f s simulated%s%s%n",
                s.seed(), s.stream().name().toLowerCase(Locale.ROOT), s.coherent() ? "coherent" : "non-coherent",
                s.rate(), s.periodFrames(), s.periods(), simulatedSeconds(), s.shared() ? ", one shared buffer" : "",
                s.driftPpm() != 0 ? ", drift " + s.driftPpm() + " ppm" : ""));
        sb.append(String.format(Locale.ROOT, "%-28s %9s %7s %6s %8s %6s %6s %9s %9s %7s %9s%n", "client", "good",
                "stale", "torn", "missing", "dup", "xruns", "p50 us", "p99 us", "ctxsw", "copied B"));
        for (ClientStats c : clients) {
            sb.append(String.format(Locale.ROOT, "%-28s %9d %7d %6d %8d %6d %6d %9d %9d %7d %9d%n", c.name, c.good,
                    c.stale, c.torn, c.missing, c.duplicated, c.xruns, c.latencyPercentile(50) / 1000,
                    c.latencyPercentile(99) / 1000, c.contextSwitches, c.bytesCopied));
            for (String m : c.errnoMismatches) {
                sb.append("    errno mismatch: ").append(m).append('\n');
            }
        }
        sb.append(String.format(Locale.ROOT, "integrity errors %d, protocol violations %d, server context switches %d,"
                + " leaks %s%n", integrityErrors(), violations, serverContextSwitches,
                leaks.none() ? "none" : leaks.toString()));
        if (s.design() != Design.DMABUF) {
            sb.append(String.format(Locale.ROOT, "design %s: server HW_FREE refused %d times%n", s.design().cliName(),
                    serverBlockedHwFrees));
        }
        if (reconfigure != null) {
            sb.append(reconfigure.text(s.durationNs()));
        }
        if (restart != null) {
            sb.append(restart.text(s.durationNs()));
        }
        if (!s.platform().isDefault()) {
            sb.append(s.platform().describe(s.coherent())).append(String.format(Locale.ROOT, ", %d words bounced%n",
                    bouncedWords));
            StringBuilder kinds = new StringBuilder();
            for (Map.Entry<String, Long> e : dmaDebug.entrySet()) {
                kinds.append(kinds.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue());
            }
            sb.append(String.format(Locale.ROOT, "DMA-API debug findings %d (%s)%n", dmaDebugFindings(), kinds));
            for (String m : dmaDebugMessages) {
                sb.append("    DMA-API debug: ").append(m).append('\n');
            }
        }
        return sb.toString();
    }
}
