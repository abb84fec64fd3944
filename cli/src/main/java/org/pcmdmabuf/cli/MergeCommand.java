package org.pcmdmabuf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.pcmdmabuf.conformance.mutate.MutationReport;
import org.pcmdmabuf.conformance.shard.Campaign;
import org.pcmdmabuf.conformance.shard.ExploreResult;
import org.pcmdmabuf.conformance.validate.ValidationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pcmsim merge FILE...}: the shards of one campaign, as the unsharded run would have reported it. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Combine the --format json results of the N shards of one explore, mutate or validate campaign "
                + "(each run with --shard K/N) into the result the unsharded run gives: the same counts, score, "
                + "survivors, failing seed or sequence (docs/sharding.md).",
                "Refused, naming the file: results of different commands, revisions, seeds or options, of different "
                        + "shard counts, a shard given twice or missing.",
                "Exit status: what the unsharded command would exit with (0, or 1: a failing seed, a failed check, a "
                        + "score below --min-score), 2 the files do not merge."})
final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "The shards' JSON results, in any order.")
    List<Path> files;

    /** The forms of a merged result; each command offers those its own --format does. */
    enum Format {
        text, json, junit, ktap
    }

    @Option(names = "--format", defaultValue = "text",
            description = "Output: ${COMPLETION-CANDIDATES}, as the merged command offers them (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the merged result to FILE.")
    Path output;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        List<Campaign.Result> read = new ArrayList<>();
        String text;
        int exit;
        try {
            for (Path f : files) {
                read.add(Campaign.read(f));
            }
            List<Campaign.Result> shards = Campaign.shards(read);
            String command = shards.getFirst().campaign().command();
            switch (command) {
                case "explore" -> {
                    ExploreResult r = ExploreResult.merge(shards);
                    text = switch (format) {
                        case text -> r.text();
                        case json -> r.json();
                        default -> null;
                    };
                    exit = r.failed() ? 1 : 0;
                }
                case "mutate" -> {
                    MutationReport r = MutationReport.merge(shards);
                    text = switch (format) {
                        case text -> r.render(MutationReport.Format.text);
                        case json -> r.render(MutationReport.Format.json);
                        case junit -> r.render(MutationReport.Format.junit);
                        case ktap -> null;
                    };
                    Object min = shards.getFirst().campaign().inputs().get("min_score");
                    exit = min instanceof Number m && r.score().orElse(0) < m.doubleValue() ? 1 : 0;
                }
                case "validate" -> {
                    ValidationReport r = ValidationReport.merge(shards);
                    text = r.render(ValidationReport.Format.valueOf(format.name()));
                    exit = r.passed() ? 0 : 1;
                }
                default -> {
                    return usage(err, shards.getFirst().file() + " is a result of pcmsim " + command
                            + ", which does not shard (explore, mutate and validate do)");
                }
            }
            if (text == null) {
                return usage(err, "pcmsim " + command + " has no --format " + format + " (" + shards.getFirst().file()
                        + ")");
            }
        } catch (Campaign.Refused e) {
            return usage(err, e.getMessage());
        }
        if (output != null) {
            try {
                Files.writeString(output, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return usage(err, "cannot write --output " + output + ": " + e.getMessage());
            }
        } else {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        }
        return exit;
    }

    private static int usage(PrintWriter err, String message) {
        err.println("pcmsim merge: " + message);
        err.flush();
        return Pcmsim.EXIT_USAGE;
    }
}
