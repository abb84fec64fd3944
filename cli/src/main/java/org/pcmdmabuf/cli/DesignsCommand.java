package org.pcmdmabuf.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.pcmdmabuf.conformance.DesignsDoc;
import org.pcmdmabuf.script.ScriptException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pcmsim designs}: docs/designs.md, made from the design cases run on the model and from simulator runs
 * of the three designs, so the page cannot say what the model and the simulator do not.
 */
@Command(name = "designs", mixinStandardHelpOptions = true,
        description = "Compare the dma-buf with a restricted PCM fd and the vendors' buffer fd: print the page "
                + "docs/designs.md holds, made from the design cases (run on the model) and from simulator runs "
                + "of the three designs. Exit code 1 when --check finds the page stale.")
final class DesignsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--series", paramLabel = "DIR", defaultValue = "kernel-patch/series",
            description = "The patch series whose kernel lines the page counts (default: ${DEFAULT-VALUE}).")
    Path series;

    @ArgGroup(exclusive = true)
    Destination destination = new Destination();

    static final class Destination {
        @Option(names = "--output", paramLabel = "FILE", description = "Write the page to FILE instead of printing it.")
        Path output;

        @Option(names = "--check", paramLabel = "FILE",
                description = "Compare FILE with the page and say whether it is stale; write nothing.")
        Path check;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(series)) {
            err.println("pcmsim: --series " + series + " is not a directory (run from the repository's top, or"
                    + " name the series)");
            return Pcmsim.EXIT_USAGE;
        }
        String page;
        try {
            page = DesignsDoc.markdown(series);
        } catch (IOException | ScriptException e) {
            err.println("pcmsim: cannot make the page: " + e.getMessage());
            return Pcmsim.EXIT_USAGE;
        }
        if (destination.check != null) {
            return check(destination.check, page, out, err);
        }
        if (destination.output != null) {
            try {
                Files.writeString(destination.output, page, StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("pcmsim: cannot write " + destination.output + ": " + e.getMessage());
                return Pcmsim.EXIT_USAGE;
            }
            return 0;
        }
        out.print(page);
        out.flush();
        return 0;
    }

    private static int check(Path file, String page, PrintWriter out, PrintWriter err) {
        String committed;
        try {
            committed = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            err.println("pcmsim: no such file: " + file);
            return Pcmsim.EXIT_USAGE;
        } catch (IOException e) {
            err.println("pcmsim: cannot read " + file + ": " + e.getMessage());
            return Pcmsim.EXIT_USAGE;
        }
        if (committed.equals(page)) {
            out.println(file + " is up to date");
            return 0;
        }
        out.println(file + " is stale: the model or the simulator now give other figures; regenerate it with"
                + " pcmsim designs --output " + file);
        return 1;
    }
}
