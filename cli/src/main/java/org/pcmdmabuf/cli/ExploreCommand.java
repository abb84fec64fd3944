package org.pcmdmabuf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.pcmdmabuf.conformance.Targets;
import org.pcmdmabuf.conformance.shard.ExploreResult;
import org.pcmdmabuf.conformance.shard.Shard;
import org.pcmdmabuf.script.Limits;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.script.Target;
import org.pcmdmabuf.sim.Explorer;
import org.pcmdmabuf.sim.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code pcmsim explore}: many seeds of one scenario, stopping at the first failure with a reproducer. */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = "Run many seeds of a scenario (each with its own cache behaviour) on all cores; stop at the "
                + "first failure and print the seed, the failed check and a minimized op script that reproduces it."
                + " Exit code 1 when a failure was found.")
final class ExploreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ScenarioOptionsMixin options;

    @Option(names = "--seeds", defaultValue = "200", description = "How many seeds, from --seed on (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--jobs", description = "Threads (default: the number of cores).")
    Integer jobs;

    @Option(names = "--platforms", description = "Each seed also draws its platform: a buffer type valid on the "
            + "device, an IOMMU or not, bounce buffers or not, its own export or a foreign dma-buf attached.")
    boolean platforms;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the reproducer op script to FILE.")
    Path out;

    @Option(names = "--shard", paramLabel = "K/N", converter = ShardConverter.class,
            description = ShardConverter.DESCRIPTION + " Here: the seeds.")
    Shard shard = Shard.WHOLE;

    /** Where each seed is judged. */
    enum ExploreTarget {
        model, harness
    }

    @Option(names = "--target", defaultValue = "model",
            description = "Judge each seed on: ${COMPLETION-CANDIDATES}. model: the simulator's checks of its run on "
                    + "the Java model. harness: those, then the seed's run as an op script on the patch's C code in "
                    + "its harness and on the model, every answer compared (one job: the harness is one process-wide "
                    + "kernel); a failure's reproducer is the whole script, for pcmsim run --target harness "
                    + "(default: ${DEFAULT-VALUE}).")
    ExploreTarget target;

    /** What explore prints. */
    enum Format {
        text, json
    }

    @Option(names = "--format", defaultValue = "text",
            description = "Output: ${COMPLETION-CANDIDATES}; json is one object, the same bytes for the same "
                    + "inputs, that pcmsim merge reads (docs/sharding.md) (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() {
        Scenario base = options.scenario.toScenario(spec);
        if (seeds < 1) {
            throw new ParameterException(spec.commandLine(), "--seeds must be at least 1: " + seeds);
        }
        if (seeds > Limits.DEFAULT.seeds()) {
            throw new ParameterException(spec.commandLine(), Limits.exceeded("--seeds", seeds, Limits.DEFAULT.seeds()));
        }
        // Seeds run from --seed up; past the largest long they would wrap to negative seeds nobody asked for.
        if (base.seed() > Long.MAX_VALUE - (seeds - 1)) {
            throw new ParameterException(spec.commandLine(), "--seed " + base.seed() + " with --seeds " + seeds
                    + " runs past the largest seed, " + Long.MAX_VALUE + ": give --seed at most "
                    + (Long.MAX_VALUE - (seeds - 1)));
        }
        if (jobs != null && jobs < 1) {
            throw new ParameterException(spec.commandLine(), "--jobs must be at least 1: " + jobs);
        }
        if (jobs != null && jobs > Limits.DEFAULT.jobs()) {
            throw new ParameterException(spec.commandLine(), Limits.exceeded("--jobs", jobs, Limits.DEFAULT.jobs()));
        }
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = Progress.onTerminal(err, "seeds");
        int threads = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
        // Runs at once hold their buffers at once: no more than one script's worth. Seeds are judged in order,
        // so fewer threads change nothing but the time.
        threads = (int) Math.min(threads, Math.max(1, Limits.DEFAULT.scriptBufferBytes() / base.bufferBytes()));
        if (target == ExploreTarget.harness) {
            threads = 1;
        }
        Explorer.Outcome outcome = Explorer.explore(base, seeds, shard.index() - 1, shard.count(), threads, platforms,
                target == ExploreTarget.harness ? ExploreCommand::onHarness : null, progress == null ? done -> {
                } : done -> progress.update(done, shard.size(seeds)));
        if (progress != null) {
            progress.finish();
        }
        ExploreResult result = ExploreResult.of(ExploreResult.campaign(Pcmsim.version(), base, seeds, platforms, shard),
                base, seeds, outcome);
        o.print(format == Format.json ? result.json() : result.text());
        String script = result.failed() ? result.failure().script() : null;
        if (script == null) {
            return result.failed() ? 1 : 0;
        }
        if (out != null) {
            try {
                Files.writeString(out, script, StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("pcmsim: cannot write " + out + ": " + e.getMessage());
                return Pcmsim.EXIT_USAGE;
            }
        }
        return 1;
    }

    /**
     * The seed judged on the harness: the simulator's own checks, then its run as an op script on the model and on
     * the patch's C code (the same cache geometry, no random evictions: a script is exact), answer by answer; the
     * first op they answer differently, or that the harness reports a problem of the C code for, fails the seed.
     */
    static String onHarness(Scenario sc) {
        String own = Explorer.failedCheck(sc);
        if (own != null) {
            return own;
        }
        Script script;
        try {
            script = ScriptParser.parse(ScriptWriter.write(Explorer.recorded(sc)));
        } catch (ScriptException e) {
            return "the seed's run is no op script: " + e.getMessage();
        }
        int lineBytes = sc.cache().lineBytes();
        int lines = sc.cache().capacityLines();
        List<ScriptRunner.Step> model;
        List<ScriptRunner.Step> harness;
        try (Target m = Targets.model.create(lineBytes, lines, null);
             Target h = Targets.harness.create(lineBytes, lines, null)) {
            model = ScriptRunner.run(script, m);
            harness = ScriptRunner.run(script, h);
        } catch (Exception e) {
            return "the seed's op script failed to run: " + e;
        }
        for (int i = 0; i < Math.min(model.size(), harness.size()); i++) {
            Op op = model.get(i).op();
            Outcome a = model.get(i).outcome();
            Outcome b = harness.get(i).outcome();
            if (b.extra().get("harness") instanceof Object problem) {
                return "harness, line " + op.line() + " " + op.name() + ": " + problem;
            }
            if (!a.equals(b)) {
                return "line " + op.line() + " " + op.name() + ": the model answers " + a + ", the harness " + b;
            }
        }
        return model.size() == harness.size() ? null
                : "the model ran " + model.size() + " ops, the harness " + harness.size();
    }
}
