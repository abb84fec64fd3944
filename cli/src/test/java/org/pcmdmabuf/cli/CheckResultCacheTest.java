package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * check.sh keeps the answer of a check that passed under the key of everything it read, and a check of the same
 * key prints it again rather than build the kernel again: run-tests' background check of the shipped series, then
 * pcmsim validate's. Each step of a kept answer took no time in the run that prints it, and says whose answer it
 * is. A cache of its own here: a recorded answer is planted under the series' key, which no build could make.
 */
class CheckResultCacheTest {
    private static final Path CHECK = PcmsimValidateTest.SERIES.getParent().resolve("scripts/check.sh");

    @TempDir
    Path tmp;

    record Ran(int exit, String out) {
    }

    private Ran check(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHECK.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PCM_DMABUF_CACHE", tmp.resolve("cache").toString());
        pb.environment().remove("PCM_DMABUF_AUTHOR");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        return new Ran(p.exitValue(), out);
    }

    private String key(Path series, String... more) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--result-key", "--series", series.toString()));
        args.addAll(List.of(more));
        Ran r = check(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().matches("[0-9a-f]{32}\n"), r.out());
        return r.out().strip();
    }

    @Test
    void aKeptAnswerIsPrintedAgainWithNoTimeAndWhoseItIs() throws Exception {
        Path series = copy("series");
        String key = key(series, "--work", "validate");
        Path kept = Files.createDirectories(tmp.resolve("cache/results")).resolve(key);
        Files.writeString(kept, """
                # running 1 - dependencies installed
                ok 1 - dependencies installed (0.9s)
                #   sparse 0.6.4
                # running 2 - W=1 build of sound/core/: no new warning
                ok 2 - W=1 build of sound/core/: no new warning (24.4s)
                # total 25s
                2 passed, 0 failed
                """);
        Ran r = check("--series", series.toString(), "--work", "validate");
        assertEquals(0, r.exit(), r.out());
        List<String> lines = r.out().lines().toList();
        String whose = lines.stream().filter(l -> l.startsWith("# kept: the answer of the check of ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line says the answer was kept:\n" + r.out()));
        assertTrue(whose.endsWith("of the same series, scripts, config, tree and tools (key " + key
                + "; --fresh checks again)"), whose);
        String as = whose.substring("# kept: ".length());
        assertEquals(List.of("# running 1 - dependencies installed", "ok 1 - dependencies installed (0.0s)",
                "#   kept: " + as + ": it took 0.9s", "#   sparse 0.6.4",
                "# running 2 - W=1 build of sound/core/: no new warning",
                "ok 2 - W=1 build of sound/core/: no new warning (0.0s)", "#   kept: " + as + ": it took 24.4s",
                "# total 25s", "2 passed, 0 failed"), lines.subList(lines.indexOf(whose) + 1, lines.size()));
        // nothing was built: no tree, no build directory in the cache
        try (Stream<Path> made = Files.list(tmp.resolve("cache"))) {
            assertEquals(List.of("logs", "results"), made.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).sorted().toList());
        }
    }

    /** The key is of the series' bytes and of the options that change an answer, not of its folder. */
    @Test
    void theKeyIsOfWhatTheCheckReads() throws Exception {
        Path series = copy("series");
        String key = key(series);
        assertEquals(key, key(copy("elsewhere")));
        assertEquals(key, key(series, "-j", "7"));
        assertNotEquals(key, key(series, "--no-sandbox"));
        assertNotEquals(key, key(series, "--work", "other"));
        Path p0002;
        try (Stream<Path> s = Files.list(series)) {
            p0002 = s.filter(p -> p.getFileName().toString().startsWith("0002-")).findFirst().orElseThrow();
        }
        Files.writeString(p0002, Files.readString(p0002).replaceFirst("\\+\\t", "+ \t"));
        assertNotEquals(key, key(series));
    }

    private Path copy(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> s = Files.list(PcmsimValidateTest.SERIES)) {
            for (Path p : s.toList()) {
                Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
        return dir;
    }
}
