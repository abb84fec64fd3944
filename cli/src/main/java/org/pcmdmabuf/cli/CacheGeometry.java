package org.pcmdmabuf.cli;

import picocli.CommandLine.Option;

/** The simulated cache's shape, as pcmsim run (a mixin) and the scenario options (a nested group) take it. */
final class CacheGeometry {
    @Option(names = "--line-bytes", defaultValue = "64", description = "Cache line size (default: ${DEFAULT-VALUE}).")
    int lineBytes = 64;

    @Option(names = "--cache-lines", defaultValue = "512", description = "Cache capacity in lines (default: ${DEFAULT-VALUE}).")
    int cacheLines = 512;
}
