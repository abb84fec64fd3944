package org.pcmdmabuf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pcmdmabuf.sim.Report;
import org.pcmdmabuf.sim.Scenario;
import org.pcmdmabuf.sim.Simulation;
import org.pcmdmabuf.sim.TraceLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pcmsim simulate}: one scenario from flags, one report. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Simulate one scenario (a server and its clients on a DMA engine and cache) and report "
                + "what happened to every frame.")
final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ScenarioOptionsMixin options;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write a Chrome trace-event JSON file (opens in Perfetto).")
    Path traceFile;

    @Override
    public Integer call() {
        Scenario sc = options.scenario.toScenario(spec);
        PrintWriter out = spec.commandLine().getOut();
        TraceLog trace = traceFile != null ? new TraceLog() : TraceLog.NONE;
        Progress progress = Progress.onTerminal(spec.commandLine().getErr(), "simulated ms");
        long totalMs = sc.durationNs() / 1_000_000;
        Report report = new Simulation(sc, trace, false).run(progress == null ? now -> {
        } : now -> progress.update(now / 1_000_000, totalMs));
        if (progress != null) {
            progress.update(totalMs, totalMs);
            progress.finish();
        }
        if (traceFile != null) {
            try (Writer w = Files.newBufferedWriter(traceFile, StandardCharsets.UTF_8)) {
                trace.write(w);
            } catch (IOException e) {
                spec.commandLine().getErr().println("pcmsim: cannot write trace " + traceFile + ": " + e.getMessage());
                return Pcmsim.EXIT_USAGE;
            }
        }
        out.println(json ? report.json() : report.table());
        return 0;
    }
}
