package org.pcmdmabuf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.conformance.harness.Harness;
import org.pcmdmabuf.conformance.harness.RaceRunner;
import org.pcmdmabuf.conformance.harness.RaceScenarios;
import org.pcmdmabuf.conformance.harness.RaceSearch;
import org.pcmdmabuf.script.Limits;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptFile;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.script.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code pcmsim race-kernel}: the race scenarios (op scripts with concurrent groups) on the patch's C code, each
 * group's ops as kernel tasks under the harness's seeded scheduler, judged per schedule (PLAT-CONCURRENCY) and
 * by the lock-order graph over all of them.
 */
@Command(name = "race-kernel", mixinStandardHelpOptions = true,
        description = "Run race scenarios on the patch's C code under a seeded scheduler: PCT or every schedule.")
final class RaceKernelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SCRIPT", arity = "0..*",
            description = "Scenarios to run (default: the shipped ones, conformance's races/).")
    List<Path> scripts = new ArrayList<>();

    @Option(names = "--schedules", defaultValue = "100",
            description = "Schedules per scenario (default: ${DEFAULT-VALUE}); with --exhaustive, the bound.")
    int schedules;

    @Option(names = "--seed", defaultValue = "1", description = "First PCT seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--depth", defaultValue = "3", description = "PCT depth (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--exhaustive", description = "Every schedule, depth first, up to --schedules of them.")
    boolean exhaustive;

    @Option(names = "--no-shrink", description = "Report a failure's script as it is.")
    boolean noShrink;

    @Option(names = "--library", paramLabel = "PATH",
            description = "The harness library to run (kernel-patch/harness/build.sh builds one from a series);"
                    + " default: -Dpcmdmabuf.harness.lib, $PCMDMABUF_HARNESS_LIB, else the shipped series'.")
    Path library;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (schedules < 1 || depth < 1) {
            err.println("pcmsim: --schedules and --depth must be at least 1");
            return Pcmsim.EXIT_USAGE;
        }
        Map<String, Script> scenarios = new LinkedHashMap<>();
        try {
            if (scripts.isEmpty()) {
                for (String name : RaceScenarios.NAMES) {
                    scenarios.put(name, ScriptParser.parse(RaceScenarios.text(name), Limits.DEFAULT));
                }
            }
            for (Path p : scripts) {
                scenarios.put(p.toString(), ScriptParser.parse(ScriptFile.read(p, Limits.DEFAULT), Limits.DEFAULT));
            }
        } catch (IOException | UncheckedIOException e) {
            err.println("pcmsim: cannot read a scenario: " + e.getMessage());
            return Pcmsim.EXIT_USAGE;
        } catch (ScriptException e) {
            err.println("pcmsim: " + e.describe());
            return Pcmsim.EXIT_USAGE;
        }
        for (Map.Entry<String, Script> e : scenarios.entrySet()) {
            if (e.getValue().concurrent().isEmpty()) {
                err.println("pcmsim: " + e.getKey() + " has no concurrent group: nothing to schedule");
                return Pcmsim.EXIT_USAGE;
            }
            if (Target.refusal(e.getValue(), "harness") instanceof String why) {
                err.println("pcmsim: " + e.getKey() + ": " + why);
                return Pcmsim.EXIT_USAGE;
            }
        }
        RaceRunner runner;
        try {
            runner = runner(library);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            err.println("pcmsim: " + e.getMessage());
            return Pcmsim.EXIT_USAGE;
        }
        runner.resetLockOrder();
        boolean found = false;
        for (Map.Entry<String, Script> e : scenarios.entrySet()) {
            Script script = e.getValue();
            RaceSearch.Result r = exhaustive ? RaceSearch.exhaustive(runner, script, schedules)
                    : RaceSearch.pct(runner, script, schedules, seed, depth);
            out.println(e.getKey() + ": " + r.schedules() + " schedule(s)"
                    + (exhaustive ? (r.exhaustive() ? ", every one" : ", not every one (bound reached)") : ", PCT depth "
                            + depth + " seeds " + seed + ".." + (seed + r.schedules() - 2))
                    + ", " + r.failed() + " failed");
            if (r.first() != null) {
                found = true;
                RaceSearch.Finding f = r.first();
                out.println("  first failure: " + (f.seed() < 0 ? "schedule" : "seed " + f.seed() + ", schedule")
                        + " " + f.run().scheduleText());
                for (String why : f.run().failures()) {
                    out.println("    " + why);
                }
                Script shrunk = noShrink ? script : RaceSearch.shrink(runner, script, f.run());
                out.println("  " + (noShrink ? "script" : "shrunk script") + " (replay: pcmsim run SCRIPT --target harness"
                        + " --schedule " + f.run().scheduleText() + "):");
                ScriptWriter.write(shrunk).lines().forEach(l -> out.println("    " + l));
            }
            out.flush();
        }
        List<String> order = runner.lockOrderReports();
        for (String report : order) {
            out.println("lock order: " + report);
        }
        out.println(order.isEmpty() ? "lock order: no inversion over all schedules" : "");
        return found || !order.isEmpty() ? 1 : 0;
    }

    /**
     * {@code pcmsim run SCRIPT --target harness --schedule TASKS}: one run of {@code script} replaying
     * {@code schedule}; prints each op's answer, then the run's schedule and what failed. Exit 1 for a failure, 2
     * for a schedule that does not parse or does not fit the script.
     */
    static int replay(Script script, Path name, String schedule, PrintWriter out, PrintWriter err) {
        List<Integer> prefix = new ArrayList<>();
        if (!schedule.equals("-")) {
            for (String t : schedule.split(",", -1)) {
                try {
                    int task = Integer.parseInt(t.strip());
                    if (task < 0 || task > 7) {
                        throw new NumberFormatException();
                    }
                    prefix.add(task);
                } catch (NumberFormatException e) {
                    err.println("pcmsim: --schedule " + schedule + ": not a list of task numbers 0 to 7 (e.g. 0,1,1)");
                    return Pcmsim.EXIT_USAGE;
                }
            }
        }
        if (script.concurrent().isEmpty()) {
            err.println("pcmsim: " + name + " has no concurrent group: --schedule has nothing to schedule");
            return Pcmsim.EXIT_USAGE;
        }
        RaceRunner.Run run;
        try {
            run = runner(null).run(script, prefix, new RaceRunner.RunOn());
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            err.println("pcmsim: " + e.getMessage());
            return Pcmsim.EXIT_USAGE;
        }
        for (int i = 0; i < script.ops().size(); i++) {
            if (run.answers().get(i) != null) {
                out.println(Text.line(new org.pcmdmabuf.script.ScriptRunner.Step(script.ops().get(i),
                        run.answers().get(i))));
            }
        }
        out.println("schedule " + run.scheduleText());
        if (run.diverged()) {
            err.println("pcmsim: --schedule " + schedule + " does not fit " + name
                    + ": it names a task that cannot run at one of its decisions");
            return Pcmsim.EXIT_USAGE;
        }
        for (String why : run.failures()) {
            out.println("failure: " + why);
        }
        out.flush();
        return run.failed() ? 1 : 0;
    }

    /** A runner on {@code library}, null for the default one. */
    private static RaceRunner runner(Path library) {
        return new RaceRunner(Harness.load(library != null ? library : Harness.defaultLibrary()), Case.LINE_BYTES,
                Case.CACHE_LINES, Case::model);
    }
}
