package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.pcmdmabuf.conformance.validate.HarnessBuilds;

/**
 * The plain harness library of a test's variant of the series, as build.sh makes it, reused from the builds
 * validate keeps ({@link HarnessBuilds}) when one of the same inputs is kept, and kept when built.
 */
final class HarnessLibrary {
    private static final Path HARNESS = BrokenVariantsTest.KERNEL_PATCH.resolve("harness");

    private HarnessLibrary() {
    }

    static Path build(String name, Path series, Path out) throws IOException, InterruptedException {
        HarnessBuilds builds = HarnessBuilds.inArtefactCache();
        String key = builds.key(series, HARNESS, null);
        if (!builds.restore(key, null, out)) {
            Process p = new ProcessBuilder("sh", HARNESS.resolve("build.sh").toString(), series.toString(),
                    out.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), name + ": the variant does not build\n" + log);
            builds.store(key, null, out);
        }
        return out.resolve(HarnessBuilds.library(null));
    }
}
