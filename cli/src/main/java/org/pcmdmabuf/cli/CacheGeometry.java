package org.pcmdmabuf.cli;

import org.pcmdmabuf.script.Limits;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The simulated cache's shape, as pcmsim run (a mixin) and the scenario options (a nested group) take it. */
final class CacheGeometry {
    @Option(names = "--line-bytes", defaultValue = "64", description = "Cache line size (default: ${DEFAULT-VALUE}).")
    int lineBytes = 64;

    @Option(names = "--cache-lines", defaultValue = "512", description = "Cache capacity in lines (default: ${DEFAULT-VALUE}).")
    int cacheLines = 512;

    /** A ParameterException for a shape beyond the limits (a cache line is one array of its words). */
    void check(CommandSpec spec) {
        if (lineBytes > Limits.DEFAULT.lineBytes()) {
            throw new ParameterException(spec.commandLine(), Limits.exceeded("--line-bytes", lineBytes,
                    Limits.DEFAULT.lineBytes()));
        }
        if (cacheLines > Limits.DEFAULT.cacheLines()) {
            throw new ParameterException(spec.commandLine(), Limits.exceeded("--cache-lines", cacheLines,
                    Limits.DEFAULT.cacheLines()));
        }
    }
}
