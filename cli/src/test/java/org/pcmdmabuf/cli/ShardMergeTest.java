package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

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
import org.pcmdmabuf.cli.PcmsimRunTest.Run;

/**
 * {@code --shard K/N} and {@code pcmsim merge}: N shards run as N child processes at once, as N machines would run
 * them, merge into exactly what the unsharded run prints, byte for byte (mutate and validate with {@code --no-times},
 * whose reports hold no wall-clock figure). A merge of shards that are not one campaign's is refused naming the file.
 */
class ShardMergeTest {
    private static final String[] EXPLORE_FAILING = {"explore", "--clients", "correct,late", "--jitter-us", "18000",
        "--duration", "300ms", "--seeds", "14"};
    private static final String[] EXPLORE_PASSING = {"explore", "--clients", "correct", "--duration", "200ms",
        "--seeds", "5"};

    @TempDir
    Path tmp;

    @Test
    void exploreShardsMergeToTheWholeRunByteForByte() throws IOException, InterruptedException {
        for (String[] campaign : List.of(EXPLORE_FAILING, EXPLORE_PASSING)) {
            Run whole = pcmsim(with(campaign, "--format", "json"));
            Run wholeText = pcmsim(campaign);
            // 6 shards of 5 seeds: one shard has none, which merges as well
            for (int n : new int[] {1, 3, 6}) {
                List<String> files = shards(campaign, n, "--format", "json");
                Run merged = pcmsim(with(new String[] {"merge", "--format", "json"}, files.reversed()));
                assertEquals(whole.exit(), merged.exit(), merged.err());
                assertEquals(whole.out(), merged.out(), String.join(" ", campaign) + " in " + n + " shards");
                Run mergedText = pcmsim(with(new String[] {"merge"}, files));
                assertEquals(wholeText.out(), mergedText.out(), String.join(" ", campaign) + " in " + n + " shards");
            }
        }
        // each shard fails at a seed of its own, the whole run at the lowest: the merge took it from whichever shard
        assertEquals("explored 4 seeds: seed 4 failed", pcmsim(EXPLORE_FAILING).out().lines().findFirst().orElseThrow());
        assertEquals("explored 4 seeds (shard 1/2): seed 7 failed",
                pcmsim(with(EXPLORE_FAILING, "--shard", "1/2")).out().lines().findFirst().orElseThrow());
    }

    @Test
    void aShardSaysWhichItIs() {
        Run r = pcmsim(with(EXPLORE_PASSING, "--shard", "2/3"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("explored 2 seeds from 1 (shard 2/3): no failure\n", r.out());
    }

    @Test
    void badShardsAreOneLineNamingTheValueExitTwo() {
        for (String command : List.of("explore", "mutate", "validate")) {
            for (String bad : List.of("0/3", "4/3", "a/b")) {
                Run r = pcmsim(command, "--shard", bad);
                assertEquals(2, r.exit(), command + " " + bad + ": " + r.out() + r.err());
                assertEquals("pcmsim: Invalid value for option '--shard': '" + bad + "' is no shard: K/N"
                        + (bad.equals("a/b") ? ", as 2/4, with" : " needs") + " 1 <= K <= N (see 'pcmsim " + command
                        + " --help')\n", r.err());
                assertEquals("", r.out());
            }
        }
        Run r = pcmsim("validate", "--shard", "1/2", "--fail-fast");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("pcmsim validate: --shard 1/2 with --fail-fast: "), r.err());
    }

    @Test
    void mixedShardsAreRefusedNamingTheFile() throws IOException, InterruptedException {
        List<String> three = shards(EXPLORE_PASSING, 3, "--format", "json");
        List<String> two = shards(EXPLORE_PASSING, 2, "--format", "json");
        Path otherSeed = write("seed-2.json", pcmsim(with(EXPLORE_PASSING, "--seed", "2", "--shard", "2/3",
                "--format", "json")).out());
        Path otherCommand = write("mutate.json", Files.readString(Path.of(three.get(1)))
                .replace("\"command\": \"explore\"", "\"command\": \"mutate\""));
        Path text = write("text.json", pcmsim(with(EXPLORE_PASSING, "--shard", "2/3")).out());
        refused("shard 2/3 of the campaign of " + three.get(0) + " is missing", three.get(0), three.get(2));
        refused(three.get(0) + " is shard 1/3 again: " + three.get(0) + " is it too", three.get(0), three.get(1),
                three.get(2), three.get(0));
        refused(otherSeed + " has another seed than " + three.get(0) + ": seed 2, not 1 (one campaign's shards "
                + "only)", three.get(0), otherSeed.toString(), three.get(2));
        refused(two.get(1) + " is shard 2/2, " + three.get(0) + " shard 1/3: the shards of one split only (the same "
                + "N)", three.get(0), two.get(1), three.get(2));
        refused(otherCommand + " is a result of pcmsim mutate, " + three.get(0) + " of pcmsim explore: one "
                + "campaign's shards only", three.get(0), otherCommand.toString(), three.get(2));
        refused(text + ": not pcmsim's JSON at offset 0: unexpected 'e'", three.get(0), text.toString(), three.get(2));
    }

    /**
     * A revision that breaks ATTACH's size check and answers EINVAL for an ATTACH out of memory fails a conformance
     * case, a case's fault sweep and the random sequences: its 3 shards merge to the whole validation, the failing
     * sequence the lowest of the shards', every check in its place, the fault figures added up.
     */
    @Test
    void validateShardsMergeToTheWholeRunByteForByte() throws IOException, InterruptedException {
        Path series = BrokenVariantsTest.write(tmp, new BrokenVariantsTest.Variant("shard-merge", List.of(
                new BrokenVariantsTest.Edit("+\tif (dmabuf->size < runtime->dma_bytes)\n", "+\tif (!dmabuf->size)\n"),
                new BrokenVariantsTest.Edit("+\tif (!imp) {\n+\t\tdma_buf_put(dmabuf);\n+\t\treturn -ENOMEM;\n",
                        "+\tif (!imp) {\n+\t\tdma_buf_put(dmabuf);\n+\t\treturn -EINVAL;\n")), null, null, null));
        String[] campaign = {"validate", series.toString(), "--no-kernel-checks", "--sequences", "300", "--no-times"};
        // the whole run's KTAP and JUnit reports, as --format would print them (PcmsimValidateTest)
        Path ktap = tmp.resolve("whole.ktap");
        Path junit = tmp.resolve("whole.xml");
        Run whole = pcmsim(with(campaign, "--format", "json", "--report", "ktap=" + ktap, "--report", "junit=" + junit));
        assertEquals(1, whole.exit(), whole.err());
        List<String> files = shards(campaign, 3, "--format", "json");
        Run merged = pcmsim(with(new String[] {"merge", "--format", "json"}, files));
        assertEquals(1, merged.exit(), merged.err());
        assertEquals(whole.out(), merged.out());
        assertTrue(whole.out().contains("\"times\": false}"), whole.out());
        for (String failed : List.of("\"kind\": \"conformance\", \"name\": \"attach.ops\"",
                "\"kind\": \"fault\", \"name\": \"attach.ops\"", "\"kind\": \"differential\"")) {
            assertTrue(merged.out().lines().anyMatch(l -> l.contains(failed) && l.contains("\"FAIL\"")), failed);
        }
        assertEquals(Files.readString(ktap), pcmsim(with(new String[] {"merge", "--format", "ktap"}, files)).out());
        assertEquals(Files.readString(junit), pcmsim(with(new String[] {"merge", "--format", "junit"}, files)).out());
    }

    /** A few mutants in 2 shards merge to the whole run: the same mutants in the same order, fates and score. */
    @Test
    void mutateShardsMergeToTheWholeRunByteForByte() throws IOException, InterruptedException {
        String[] campaign = {"mutate", PcmsimMutateTest.SERIES.toString(), "--lines", CoreLines.optInLines(), "--operators",
            "return-zero,errno", "--limit", "3", "--sequences", "10", "--jobs", "2", "--min-score", "50", "--no-times"};
        Run whole = pcmsim(with(campaign, "--format", "json"));
        assertEquals(0, whole.exit(), whole.err());
        List<String> files = shards(campaign, 2, "--format", "json");
        Run merged = pcmsim(with(new String[] {"merge", "--format", "json"}, files));
        assertEquals(0, merged.exit(), merged.err());
        assertEquals(whole.out(), merged.out());
        assertTrue(merged.out().contains("\"run\": 3, \"killed\": 3,"), merged.out());
        Run text = pcmsim(with(new String[] {"merge"}, files));
        // the whole run's standard output is its progress, then the report
        String report = "pcmsim mutate " + PcmsimMutateTest.SERIES + ": " + CoreLines.mutants() + " mutants of "
                + "pcm_dmabuf.c, --operators return-zero,errno --lines " + CoreLines.optInLines() + " --limit 3, 3 run\n";
        String wholeText = pcmsim(with(campaign)).out();
        assertTrue(wholeText.contains(report), wholeText);
        assertEquals(wholeText.substring(wholeText.indexOf(report)), text.out());
    }

    /**
     * The shards' outputs, written to files as N machines would hand them over: each shard is a child process of
     * its own (a JVM as {@code ./pcmsim} starts it), the N of them at once.
     */
    private List<String> shards(String[] campaign, int n, String... more) throws IOException, InterruptedException {
        List<Process> running = new ArrayList<>();
        List<Path> outs = new ArrayList<>();
        List<Path> errs = new ArrayList<>();
        for (int k = 1; k <= n; k++) {
            Path out = tmp.resolve(campaign[0] + "-" + k + "-of-" + n + ".json");
            Path err = tmp.resolve(campaign[0] + "-" + k + "-of-" + n + ".err");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx384m", "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), Pcmsim.class.getName()));
            cmd.addAll(List.of(with(with(campaign, "--shard", k + "/" + n), more)));
            running.add(new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start());
            outs.add(out);
            errs.add(err);
        }
        List<String> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Process p = running.get(i);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                running.forEach(Process::destroyForcibly);
                throw new AssertionError("shard " + (i + 1) + "/" + n + " of " + String.join(" ", campaign)
                        + " still runs after 10 minutes");
            }
            assertTrue(p.exitValue() == 0 || p.exitValue() == 1, Files.readString(errs.get(i)));
            files.add(outs.get(i).toString());
        }
        return files;
    }

    private void refused(String message, String... files) {
        Run r = pcmsim(with(new String[] {"merge"}, List.of(files)));
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals("pcmsim merge: " + message + "\n", r.err());
        assertEquals("", r.out());
    }

    private Path write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private static String[] with(String[] args, String... more) {
        return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
    }

    private static String[] with(String[] args, List<String> more) {
        return with(args, more.toArray(String[]::new));
    }
}
