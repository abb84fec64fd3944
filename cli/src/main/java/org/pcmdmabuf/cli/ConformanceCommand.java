package org.pcmdmabuf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.conformance.Suite;
import org.pcmdmabuf.conformance.Targets;
import org.pcmdmabuf.conformance.device.DeviceConformance;
import org.pcmdmabuf.conformance.device.DeviceRandom;
import org.pcmdmabuf.script.Limits;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pcmsim conformance}: the conformance cases on one target, one verdict per case. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = "Run the conformance cases (each names the docs/spec.md rules it checks) on a target and "
                + "print PASS or FAIL per case with every op that missed its expectation. On the device target "
                + "each case also runs on the model, and every op where the two answer differently is shown. "
                + "Exit code 1 when a case failed.")
final class ConformanceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--target", defaultValue = "model",
            description = "Where to run them: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Targets target;

    @Option(names = "--case", paramLabel = "NAME", description = "Run only this case of the suite (repeatable).")
    List<String> cases = new ArrayList<>();

    @Option(names = "--script", paramLabel = "FILE",
            description = "Run this case file instead of the suite (repeatable).")
    List<Path> scripts = new ArrayList<>();

    @Option(names = "--json", description = "Device target: print every op's result as JSON.")
    boolean json;

    @Mixin
    DeviceOptions device = new DeviceOptions();

    @Option(names = "--dry-run", description = "Device target: bind every case's devices as if every PCM of the "
            + "cards existed and print what would run, opening no device.")
    boolean dryRun;

    @Option(names = "--no-warmup", description = "Device target: skip the silent first pass that lets the JIT "
            + "compile before streams run on the wall clock.")
    boolean noWarmup;

    @Option(names = "--disconnect-by-unbind", description = "Device target: run a case's disconnect as an unbind "
            + "of the card's driver (sysfs), which needs root and a driver that can be bound again.")
    boolean disconnectByUnbind;

    @Option(names = "--known-bug", paramLabel = "CASE", description = "Device target: this case fails because "
            + "of a known bug of the kernel under test: XFAIL, and XPASS fails the run (repeatable).")
    List<String> knownBugs = new ArrayList<>();

    @Option(names = "--random", paramLabel = "N", description = "Device target: instead of the cases, run N random "
            + "sequences (those pcmsim validate's differential draws from --seed) on the device and on the model "
            + "in lockstep; a disagreement is shrunk (ddmin, on the device) into an op script to replay with "
            + "pcmsim run FILE --target device. Exit code 1 when one disagreed.")
    Integer random;

    @Option(names = "--seed", defaultValue = "1", description = "With --random: the seed (default: ${DEFAULT-VALUE}, "
            + "pcmsim validate's).")
    long seed;

    @Option(names = "--random-shard", paramLabel = "K/N", description = "With --random: run only the sequences i "
            + "with i %% N == K (so that N boots share one run's sequences).")
    String randomShard;

    @Option(names = "--ddmin-budget", defaultValue = "200", description = "With --random: device runs ddmin may "
            + "spend on one disagreement (default: ${DEFAULT-VALUE}).")
    int ddminBudget;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (target != Targets.device && (!device.cards.isEmpty() || dryRun || noWarmup || disconnectByUnbind
                || !knownBugs.isEmpty() || json || device.uapi != null)) {
            err.println("pcmsim: --card, --uapi, --dry-run, --no-warmup, --disconnect-by-unbind, --known-bug and "
                    + "--json apply to --target device only, not to --target " + target);
            return Pcmsim.EXIT_USAGE;
        }
        if (random != null && (target != Targets.device || !cases.isEmpty() || !scripts.isEmpty() || dryRun
                || json || !knownBugs.isEmpty())) {
            err.println("pcmsim: --random runs on --target device, without --case, --script, --dry-run, --json "
                    + "or --known-bug");
            return Pcmsim.EXIT_USAGE;
        }
        if (random == null && (randomShard != null || spec.commandLine().getParseResult().hasMatchedOption("--seed")
                || spec.commandLine().getParseResult().hasMatchedOption("--ddmin-budget"))) {
            err.println("pcmsim: --seed, --random-shard and --ddmin-budget apply to --random only");
            return Pcmsim.EXIT_USAGE;
        }
        try {
            if (random != null) {
                int[] shard = shard();
                return DeviceRandom.run(new DeviceRandom.Options(device.cards(false).cards(), random, seed, shard[0],
                        shard[1], disconnectByUnbind, device.uapi(), ddminBudget), out);
            }
            List<Case> chosen = chosen();
            if (target == Targets.device) {
                return DeviceConformance.run(new DeviceConformance.Options(device.cards(dryRun).cards(), chosen,
                        json, !noWarmup, disconnectByUnbind, knownBugs, dryRun, device.uapi()), out);
            }
            return Suite.run(chosen, () -> target.create(Case.LINE_BYTES, Case.CACHE_LINES, null), out) == 0 ? 0 : 1;
        } catch (NoSuchFileException e) {
            err.println("pcmsim: no such case file: " + e.getFile());
        } catch (IllegalArgumentException | IllegalStateException | IOException | UncheckedIOException e) {
            err.println("pcmsim: " + e.getMessage());
        } catch (ScriptException e) {
            err.println("pcmsim: " + e.describe());
        }
        return Pcmsim.EXIT_USAGE;
    }

    /** {@code --random-shard K/N} as {K, N}; all sequences without it. */
    private int[] shard() {
        if (randomShard == null) {
            return new int[] {0, 1};
        }
        Matcher m = Pattern.compile("(\\d{1,4})/(\\d{1,4})").matcher(randomShard);
        if (!m.matches() || Integer.parseInt(m.group(2)) == 0
                || Integer.parseInt(m.group(1)) >= Integer.parseInt(m.group(2))) {
            throw new IllegalArgumentException("--random-shard " + randomShard + ": expected K/N with 0 <= K < N");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    private List<Case> chosen() throws IOException, ScriptException {
        List<Case> out = new ArrayList<>();
        if (scripts.isEmpty()) {
            List<Case> all = Case.all();
            for (String name : cases) {
                if (all.stream().noneMatch(c -> c.name().equals(name))) {
                    throw new IllegalArgumentException("--case " + name + ": no such case (the suite: "
                            + String.join(", ", all.stream().map(Case::name).toList()) + ")");
                }
            }
            all.stream().filter(c -> cases.isEmpty() || cases.contains(c.name())).forEach(out::add);
        }
        for (Path p : scripts) {
            try {
                out.add(Case.parse(p.getFileName().toString(), ScriptFile.read(p, Limits.DEFAULT)));
            } catch (ScriptException e) {
                throw new IllegalArgumentException(p + ": " + e.describe(), e);
            }
        }
        return out;
    }
}
