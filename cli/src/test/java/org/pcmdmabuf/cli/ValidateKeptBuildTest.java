package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.cli.PcmsimRunTest.Run;
import org.pcmdmabuf.conformance.harness.ArtefactCache;
import org.pcmdmabuf.conformance.validate.FileTrees;
import org.pcmdmabuf.conformance.validate.HarnessBuilds;

/**
 * {@code pcmsim validate} keeps the harness build it made and runs the checks of a later validation of the same
 * inputs on the kept one ({@link HarnessBuilds}); {@code --rebuild} compiles anyway.
 */
class ValidateKeptBuildTest {
    private static final Path HARNESS = BrokenVariantsTest.KERNEL_PATCH.resolve("harness");

    @TempDir
    Path tmp;

    private static Run validate(String... more) {
        String[] args = Stream.concat(Stream.of("validate", "--quick", "--no-races"), Stream.of(more))
                .toArray(String[]::new);
        return pcmsim(args);
    }

    @Test
    void aLaterValidationRunsOnTheKeptBuildAndRebuildCompilesAgain() throws Exception {
        // a series folder no other run has: a key of its own
        Path series = Files.createDirectories(tmp.resolve("series"));
        try (Stream<Path> patches = Files.list(PcmsimValidateTest.SERIES)) {
            for (Path p : patches.toList()) {
                Files.copy(p, series.resolve(p.getFileName()));
            }
        }
        Files.writeString(series.resolve("NOTES"), "kept-build test " + tmp + "\n");
        HarnessBuilds builds = HarnessBuilds.inArtefactCache();
        Path kept = ArtefactCache.dir(HarnessBuilds.CACHE).resolve(builds.key(series, HARNESS, null));

        try {
            Run first = validate(series.toString());
            assertEquals(0, first.exit(), first.out() + first.err());
            Path library = kept.resolve(HarnessBuilds.library(null));
            assertTrue(Files.isRegularFile(library), "the build that passed is kept under its key");

            // what a later validation loads is the kept library: one that is no library fails its checks
            Files.writeString(library, "not an ELF file\n");
            Run reused = validate(series.toString());
            assertEquals(1, reused.exit(), reused.out() + reused.err());
            assertTrue(reused.out().contains("ok    harness     sound/core/pcm_dmabuf.c builds in the harness"),
                    reused.out());

            Run rebuilt = validate("--rebuild", series.toString());
            assertEquals(0, rebuilt.exit(), rebuilt.out() + rebuilt.err());
            byte[] elf = Files.readAllBytes(library);
            assertTrue(elf.length > 4 && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F',
                    "--rebuild keeps its build in the broken one's place");
        } finally {
            if (Files.exists(kept)) {
                FileTrees.delete(kept);
            }
        }
    }
}
