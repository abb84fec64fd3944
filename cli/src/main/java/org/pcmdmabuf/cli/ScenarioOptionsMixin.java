package org.pcmdmabuf.cli;

import picocli.CommandLine.ArgGroup;

/** Wraps {@link ScenarioOptions} so commands share them as a mixin with a heading in --help. */
final class ScenarioOptionsMixin {
    @ArgGroup(exclusive = false, heading = "Scenario:%n")
    ScenarioOptions scenario = new ScenarioOptions();
}
