package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.cli.PcmsimRunTest.Run;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.conformance.harness.RaceScenarios;
import org.pcmdmabuf.conformance.mutate.CoreSource;
import org.pcmdmabuf.conformance.mutate.Mutator;
import org.pcmdmabuf.conformance.validate.Series;

/**
 * {@code pcmsim validate --fail-fast}: nothing runs after the first failed check, and every check after it is
 * still listed, skipped, saying why.
 */
class ValidateFailFastTest {
    @TempDir
    Path tmp;

    @Test
    void theChecksAfterTheFirstFailureAreSkipped() throws Exception {
        // EXPORT of a PCM that cannot be mmapped succeeds: export.ops fails
        Series series = Series.open(PcmsimValidateTest.SERIES);
        CoreSource source = CoreSource.of(series);
        Path broken = tmp.resolve("broken");
        int optIn = CoreLines.lineOf("if (!(runtime->info & SNDRV_PCM_INFO_MMAP))");
        source.write(series, Mutator.mutants(source.lines()).stream()
                .filter(m -> m.id().equals("return-zero:" + (optIn + 1) + ":10")).findFirst().orElseThrow(), broken);
        Run r = pcmsim("validate", "--no-kernel-checks", "--fail-fast", "--format", "ktap", broken.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> results = r.out().lines().filter(l -> l.matches("(not )?ok \\d+ .*")).toList();
        // the kernel checks, the harness build, every case, every case's fault sweep and their figures, every race
        // scenario and the lock order, and the random sequences: all listed
        assertEquals(1 + 1 + Case.all().size() + Case.all().size() + 1 + RaceScenarios.NAMES.size() + 1 + 1,
                results.size(), r.out());
        int failed = 0;
        while (!results.get(failed).startsWith("not ok ")) {
            failed++;
        }
        assertTrue(results.get(failed).contains("conformance: export.ops ("), r.out());
        assertTrue(failed + 1 < results.size(), r.out());
        for (String after : results.subList(failed + 1, results.size())) {
            assertTrue(after.startsWith("ok ") && after.endsWith(" # SKIP --fail-fast: an earlier check failed"),
                    after);
        }
    }
}
