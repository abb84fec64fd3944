package org.pcmdmabuf.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pcmdmabuf.conformance.Targets;
import org.pcmdmabuf.sim.Scenario;
import org.pcmdmabuf.sim.Simulation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pcmsim replay}: a seed (with its scenario flags) or an op script again, with the same output. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Re-run a seed (give the scenario flags explore printed) or an op script; the output is the "
                + "same, bit for bit, as the first time.")
final class ReplayCommand implements Callable<Integer> {
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
            RunCommand run = new RunCommand();
            run.spec = spec;
            run.script = script;
            run.target = Targets.model;
            run.json = json;
            Scenario sc = options.scenario.toScenario(spec);
            run.geometry.lineBytes = sc.cache().lineBytes();
            run.geometry.cacheLines = sc.cache().capacityLines();
            return run.call();
        }
        Scenario sc = options.scenario.toScenario(spec);
        var report = new Simulation(sc).run();
        spec.commandLine().getOut().println(json ? report.json() : report.table());
        return 0;
    }
}
