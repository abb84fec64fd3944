package org.pcmdmabuf.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The pcmsim command: parses and prints only; the work is done by the model, simulator and conformance modules. */
@Command(name = "pcmsim", mixinStandardHelpOptions = true, versionProvider = Pcmsim.Version.class,
        description = "Reference model and simulator for ALSA PCM dma-buf sharing.",
        subcommands = {RunCommand.class, RaceKernelCommand.class, ConformanceCommand.class, SimulateCommand.class, ExploreCommand.class, ReplayCommand.class,
                DesignsCommand.class,
                BenchCommand.class, ValidateCommand.class, MutateCommand.class, MergeCommand.class,
                picocli.AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class})
public final class Pcmsim {
    /** Exit code for bad input: a malformed script, an unknown option, a missing file. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a broken model invariant: a bug, reported with the op trace. */
    public static final int EXIT_INVARIANT = 3;

    public static void main(String[] args) {
        Charset charset = System.out.charset();
        StandardOutput out = StandardOutput.of(new FileOutputStream(FileDescriptor.out), charset);
        System.setOut(out.printStream(charset));
        CommandLine cl = commandLine();
        cl.setOut(out);
        System.exit(cl.execute(args));
    }

    public static CommandLine commandLine() {
        return commandLine(CommandLine.defaultFactory());
    }

    /** The command line whose commands {@code factory} makes: a test's, to hand one a double. */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cl = new CommandLine(new Pcmsim(), factory);
        cl.setExitCodeExceptionMapper(e -> EXIT_USAGE);
        cl.setExecutionStrategy(parsed -> outputWritten(cl, new CommandLine.RunLast().execute(parsed)));
        // One line, as every other bad input: the message, then where the options are described.
        cl.setParameterExceptionHandler((ex, a) -> {
            // picocli 4.7.7 says "option option '--report'" of a map option's value without '='
            ex.getCommandLine().getErr().println("pcmsim: " + ex.getMessage().replace("option option ", "option ")
                    + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return EXIT_USAGE;
        });
        return cl;
    }

    /**
     * {@code exit}, unless what the command printed was lost (a full disk, a closed descriptor): then exit 2
     * with one line, since 0 or 1 would claim a result nobody can read. A command that failed already (2, 3,
     * 130) keeps its code, the line saying that its output was lost too. Every command, help and version
     * included, ends here.
     */
    private static int outputWritten(CommandLine cl, int exit) {
        PrintWriter out = cl.getOut();
        if (!out.checkError()) {
            return exit;
        }
        cl.getErr().println("pcmsim: cannot write standard output: "
                + (out instanceof StandardOutput s ? s.reason() : "write error"));
        cl.getErr().flush();
        return exit == 0 || exit == 1 ? EXIT_USAGE : exit;
    }

    /** pcmsim's version from its jar's manifest; {@code dev} when run from the classes of a build. */
    static String version() {
        String v = Pcmsim.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pcmsim " + version() + " (Java " + Runtime.version() + ")"};
        }
    }
}
