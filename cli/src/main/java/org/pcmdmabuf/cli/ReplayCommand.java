package org.pcmdmabuf.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.pcmdmabuf.conformance.Targets;
import org.pcmdmabuf.sim.Scenario;
import org.pcmdmabuf.sim.Simulation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pcmsim replay}: a seed (with its scenario flags) or an op script again, with the same output. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-run a seed (give the scenario flags explore printed) or an op script (with only "
                + "--line-bytes, --cache-lines and --json, as pcmsim run); the output is the same, bit for bit, as "
                + "the first time.")
final class ReplayCommand implements Callable<Integer> {
    /** The options replaying an op script takes: those of {@code pcmsim run} that replay has. */
    private static final List<String> FOR_A_SCRIPT = List.of("--line-bytes", "--cache-lines", "--json");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SCRIPT", description = "An op script to replay.")
    Path script;

    @Mixin
    ScenarioOptionsMixin options;

    @Option(names = "--json", description = "JSON output.")
    boolean json;

    @Override
    public Integer call() {
        if (script != null) {
            // A script holds its clients, timing and seed itself; of the scenario only the cache's shape reaches
            // it. A flag that would change nothing is refused rather than seeming to have been honoured.
            List<String> ignored = spec.commandLine().getParseResult().matchedOptions().stream()
                    .map(OptionSpec::longestName).filter(o -> !FOR_A_SCRIPT.contains(o)).distinct().toList();
            if (!ignored.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "replay SCRIPT takes only "
                        + String.join(", ", FOR_A_SCRIPT) + "; " + String.join(", ", ignored)
                        + (ignored.size() == 1 ? " describes" : " describe") + " a seed's scenario, not a script");
            }
            RunCommand run = new RunCommand();
            run.spec = spec;
            run.script = script;
            run.target = Targets.model;
            run.json = json;
            run.geometry = options.scenario.geometry;
            return run.call();
        }
        Scenario sc = options.scenario.toScenario(spec);
        var report = new Simulation(sc).run();
        spec.commandLine().getOut().println(json ? report.json() : report.table());
        return 0;
    }
}
