package org.pcmdmabuf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pcmdmabuf.conformance.Targets;
import org.pcmdmabuf.conformance.device.Cards;
import org.pcmdmabuf.conformance.device.DeviceTarget;
import org.pcmdmabuf.model.InvariantViolation;
import org.pcmdmabuf.script.Limits;
import org.pcmdmabuf.script.OpRefused;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptFile;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.script.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pcmsim run SCRIPT}: execute an op script on a target and print one result per op. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run an op script (docs/op-scripts.md) on a target and print each op's result.")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCRIPT", description = "The op script to run.")
    Path script;

    @Option(names = "--target", defaultValue = "model",
            description = "Where to run it: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Targets target;

    @Option(names = "--json", description = "One JSON object per op line.")
    boolean json;

    @Option(names = "--schedule", paramLabel = "TASKS",
            description = "--target harness: run the concurrent groups as kernel tasks under the harness's scheduler,"
                    + " replaying this schedule (the task chosen at each decision, comma-separated, as pcmsim"
                    + " race-kernel prints it; '-' for none), then running the running task on.")
    String schedule;

    @Mixin
    CacheGeometry geometry = new CacheGeometry();

    @Mixin
    DeviceOptions device = new DeviceOptions();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        geometry.check(spec);
        Script parsed;
        try {
            parsed = ScriptParser.parse(ScriptFile.read(script, Limits.DEFAULT));
        } catch (NoSuchFileException e) {
            err.println("pcmsim: no such script: " + script);
            return Pcmsim.EXIT_USAGE;
        } catch (IOException e) {
            err.println("pcmsim: cannot read script " + script + ": " + e.getMessage());
            return Pcmsim.EXIT_USAGE;
        } catch (ScriptException e) {
            err.println("pcmsim: " + script + ": " + e.describe());
            return Pcmsim.EXIT_USAGE;
        }
        if ((!device.cards.isEmpty() || device.uapi != null) && target != Targets.device) {
            err.println("pcmsim: --card and --uapi apply to --target device only, not to --target " + target);
            return Pcmsim.EXIT_USAGE;
        }
        if ((target != Targets.model ? Target.refusal(parsed, target.name())
                : Target.faultRefusal(parsed, target.name())) instanceof String why) {
            err.println("pcmsim: " + script + ": " + why);
            return Pcmsim.EXIT_USAGE;
        }
        if (schedule != null) {
            if (target != Targets.harness) {
                err.println("pcmsim: --schedule applies to --target harness only, not to --target " + target);
                return Pcmsim.EXIT_USAGE;
            }
            return RaceKernelCommand.replay(parsed, script, schedule, out, err);
        }
        Target created;
        try {
            Cards cards = target == Targets.device ? device.cards(false) : null;
            if (cards != null && DeviceTarget.notApplicable(parsed, cards, device.uapi()) instanceof String why) {
                err.println("pcmsim: " + script + " cannot run on this machine's PCMs: " + why);
                return Pcmsim.EXIT_USAGE;
            }
            created = cards != null ? new DeviceTarget(cards, device.uapi())
                    : target.create(geometry.lineBytes, geometry.cacheLines, cards);
        } catch (IllegalArgumentException | IllegalStateException | IOException | UncheckedIOException e) {
            err.println("pcmsim: " + e.getMessage());
            return Pcmsim.EXIT_USAGE;
        }
        try (Target t = created) {
            ScriptRunner.run(parsed, t, step -> {
                out.println(json ? step.json() : Text.line(step));
                out.flush();
            });
        } catch (OpRefused e) {
            out.flush();
            err.println("pcmsim: " + script + ": " + e.describe());
            return Pcmsim.EXIT_USAGE;
        } catch (InvariantViolation e) {
            out.flush();
            err.println("pcmsim: model invariant broken: " + e.getMessage());
            return Pcmsim.EXIT_INVARIANT;
        }
        return 0;
    }
}
