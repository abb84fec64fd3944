package org.pcmdmabuf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.pcmdmabuf.sim.Scenario;
import org.pcmdmabuf.sim.cost.CostModel;
import org.pcmdmabuf.sim.cost.LatencyPlot;
import org.pcmdmabuf.sim.cost.ZeroCopyBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pcmsim bench}: measurements that the simulator makes in virtual time. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks in virtual time (deterministic). The JMH benchmarks of the simulator's own speed "
                + "are in benchmarks/ (docs/benchmarks.md).",
        subcommands = {BenchCommand.ZeroCopy.class})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "name a benchmark: zero-copy");
    }

    /** {@code pcmsim bench zero-copy}. */
    @Command(name = "zero-copy", mixinStandardHelpOptions = true,
            description = "Run the same playback workload through the dma-buf path and through the copy-through-server "
                    + "path and report, per period, the modelled CPU time (docs/cost-model.md), context switches, "
                    + "bytes copied, cache lines cleaned and invalidated, and the write-to-DMA latency (p50, p99). "
                    + "Every figure but the final wall-clock line is the same on every run.")
    static final class ZeroCopy implements Callable<Integer> {
        private static final int MAX_STREAM_SECONDS = 3600;

        @Spec
        CommandSpec spec;

        @Mixin
        ScenarioOptionsMixin options;

        @Option(names = "--streams", defaultValue = "1", paramLabel = "N",
                description = "Streams (one client each) on each path (default: ${DEFAULT-VALUE}).")
        int streams;

        @Option(names = "--json", description = "Print the result as one JSON object (no wall-clock figures).")
        boolean json;

        @Option(names = "--ns-per-byte", paramLabel = "NS", converter = FiniteDouble.class,
                description = "Price of one byte copied (default: docs/cost-model.md's).")
        Double nsPerByte;

        @Option(names = "--ns-per-switch", paramLabel = "NS", converter = FiniteDouble.class,
                description = "Price of one context switch (default: docs/cost-model.md's).")
        Double nsPerSwitch;

        @Option(names = "--ns-per-line", paramLabel = "NS", converter = FiniteDouble.class,
                description = "Price of one cache line cleaned or invalidated (default: "
                        + "docs/cost-model.md's).")
        Double nsPerLine;

        @Option(names = "--plot", paramLabel = "FILE", description = "Write the latency distributions of both paths "
                + "as an SVG plot to FILE.")
        Path plot;

        @Override
        public Integer call() {
            CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            for (String chosen : new String[] {"--clients", "--shared", "--capture"}) {
                if (parsed.hasMatchedOption(chosen)) {
                    throw new ParameterException(spec.commandLine(), "bench zero-copy chooses its own clients "
                            + "(playback, one substream each): drop " + chosen + ", use --streams N");
                }
            }
            if (streams < 1 || streams > 64) {
                throw new ParameterException(spec.commandLine(), "--streams must be between 1 and 64: " + streams);
            }
            Scenario base = options.scenario.toScenario(spec);
            // Cache maintenance is counted from a recording of every system call, which is kept in memory.
            if (streams * (double) base.durationNs() > MAX_STREAM_SECONDS * 1e9) {
                throw new ParameterException(spec.commandLine(), "--streams times --duration must be at most "
                        + MAX_STREAM_SECONDS + " stream-seconds (every system call is recorded)");
            }
            CostModel d = CostModel.DEFAULT;
            CostModel cost = new CostModel(price("--ns-per-byte", nsPerByte, d.nsPerByteCopied()),
                    price("--ns-per-switch", nsPerSwitch, d.nsPerContextSwitch()),
                    price("--ns-per-line", nsPerLine, d.nsPerCacheLine()));
            long t0 = System.nanoTime();
            ZeroCopyBench.Result r = ZeroCopyBench.run(base, streams, cost);
            double wallS = (System.nanoTime() - t0) / 1e9;
            if (plot != null) {
                try {
                    Files.writeString(plot, LatencyPlot.svg(r), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    spec.commandLine().getErr().println("pcmsim: cannot write plot " + plot + ": " + e.getMessage());
                    return Pcmsim.EXIT_USAGE;
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(r.json());
                return 0;
            }
            out.print(r.table());
            // Wall-clock time differs from run to run, so it is the one line kept apart from the results.
            out.printf(Locale.ROOT, "wall clock (varies): %.2f s for %.1f simulated stream-seconds on both paths "
                    + "(recording and replay included)%n", wallS, 2.0 * streams * base.durationNs() / 1e9);
            return 0;
        }

        private double price(String option, Double given, double otherwise) {
            if (given != null && !(given >= 0 && given <= CostModel.MAX_PRICE_NS)) {
                String as = spec.commandLine().getParseResult().matchedOption(option).stringValues().getLast();
                throw new ParameterException(spec.commandLine(), option + " must be between 0 and "
                        + String.format(Locale.ROOT, "%.0f", CostModel.MAX_PRICE_NS) + " ns: " + as);
            }
            return given != null ? given : otherwise;
        }
    }
}
