package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.pcmdmabuf.cli.PcmsimRunTest.Run;

/**
 * The known-bad corpus (kernel-patch/known-bad/): every revision there must keep failing {@code pcmsim validate},
 * its report must name every rule its manifest says validate shows, and every case it fails must break at least
 * one of them, so no failure goes unexplained by the manifest. (A failure the harness reports as a whole, such
 * as a host left inconsistent, names every rule of its case; those incidental rules are not findings.)
 */
class KnownBadRevisionsTest {
    static final Path KNOWN_BAD = Path.of("..", "kernel-patch", "known-bad").toAbsolutePath().normalize();
    private static final Pattern FAILED_CASE = Pattern.compile(
            // a case or race scenario that took 0.1 s or more shows its time after the rules
            "(?m)^FAIL  (?:conformance|race) +\\S+ \\(([A-Z0-9 -]+)\\)(?:  \\(\\d+\\.\\d s\\))?$");

    /** One finding of a manifest: {@code RULE-ID<TAB>JUDGE<TAB>what is observed}. */
    record Finding(String rule, String judge, String observed) {
        static final Set<String> JUDGES = Set.of("validate", "kernel", "unjudged");
    }

    static List<Finding> manifest(Path revision) throws IOException {
        List<Finding> out = new ArrayList<>();
        for (String line : Files.readAllLines(revision.resolve("manifest"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", 3);
            assertEquals(3, f.length, "manifest line is not RULE-ID<TAB>JUDGE<TAB>observed: " + line);
            assertTrue(Finding.JUDGES.contains(f[1]), "unknown judge '" + f[1] + "' in: " + line);
            out.add(new Finding(f[0], f[1], f[2]));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyKnownBadRevisionFailsValidateWithTheFindingsOfItsManifest() throws IOException {
        List<Path> revisions;
        try (Stream<Path> dirs = Files.list(KNOWN_BAD)) {
            revisions = dirs.filter(d -> Files.isRegularFile(d.resolve("manifest"))).sorted().toList();
        }
        assertFalse(revisions.isEmpty(), "no known-bad revision with a manifest under " + KNOWN_BAD);
        // validated two at a time (TwoAtATime)
        return TwoAtATime.tests(revisions, rev -> rev.getFileName().toString(),
                rev -> pcmsim("validate", "--no-kernel-checks", rev.toString()), (rev, r) -> {
            List<Finding> findings = manifest(rev);
            assertEquals(1, r.exit(), rev + " passes validate:\n" + r.out() + r.err());
            Set<String> shown = new TreeSet<>();
            Set<String> notShown = new TreeSet<>();
            for (Finding f : findings) {
                (f.judge().equals("validate") ? shown : notShown).add(f.rule());
            }
            notShown.removeAll(shown);
            Set<String> reported = new TreeSet<>();
            List<String> unexplained = new ArrayList<>();
            Matcher m = FAILED_CASE.matcher(r.out());
            while (m.find()) {
                List<String> broken = List.of(m.group(1).split(" "));
                reported.addAll(broken);
                if (broken.stream().noneMatch(shown::contains)) {
                    unexplained.add(m.group());
                }
            }
            Set<String> missing = new TreeSet<>(shown);
            missing.removeAll(reported);
            assertEquals(Set.of(), missing, rev + ": validate no longer shows these findings of its manifest:\n"
                    + r.out());
            assertEquals(List.of(), unexplained, rev + ": cases fail for no finding of the manifest (add it, marked"
                    + " 'validate'):\n" + r.out());
            System.out.println(rev.getFileName() + ": validate shows " + shown.size() + " rules of its manifest "
                    + shown + "; left to the real kernel or later judges: " + notShown);
        });
    }
}
