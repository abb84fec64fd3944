package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.validate.Findings;
import org.pcmdmabuf.sim.SplitMix64;
import picocli.CommandLine;

/**
 * Hostile op scripts, as a fuzzer would write them: the conformance cases and the RFC example, each mutated a
 * few times by a seeded mutator (extreme numbers, repeated, dropped and swapped lines, ops that wait or advance
 * long, more devices and substreams than allowed, bytes that are not UTF-8, truncation), run with
 * {@code pcmsim run --json} on the model and on the harness. Every script must end in exit 0 with nothing on
 * stderr, or exit 2 with one line and no stack trace, within its time budget; the harness must print exactly
 * what the model prints. The scripts run in a child JVM whose heap is the launcher's 384 MiB, so running out
 * of memory fails the test too. The figures (scripts, outcomes by class, the slowest) are printed each run.
 *
 * <p>{@code -Dpcmdmabuf.fuzz.scripts=N} runs more, {@code -Dpcmdmabuf.seed=S} another seed.
 */
class HostileInputFuzzTest {
    static final int SCRIPTS = Integer.getInteger("pcmdmabuf.fuzz.scripts", 500);
    static final long SEED = Long.getLong("pcmdmabuf.seed", 1);
    /** What one script may take on one target, the issue's bound for hostile input. */
    static final long BUDGET_NS = 10_000_000_000L;

    @Test
    void everyMutatedScriptEndsInOneLineWithinItsBudgetAndBothTargetsAgree() throws Exception {
        inChildJvm(Child.class, Long.toString(SEED), Integer.toString(SCRIPTS));
    }

    /**
     * Runs {@code main} in a JVM with the heap the launcher gives pcmsim, prints what it printed and fails
     * unless it exited 0.
     */
    static void inChildJvm(Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        System.out.print(out);
        assertEquals(0, exit, out);
    }

    /** The fuzzer, in a JVM of its own: prints the figures, exits 1 at the first script that misbehaves. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            long seed = Long.parseLong(args[0]);
            int scripts = Integer.parseInt(args[1]);
            List<String> corpus = corpus();
            SplitMix64 r = new SplitMix64(seed);
            Path dir = Files.createTempDirectory("pcmsim-fuzz");
            Map<String, Integer> outcomes = new TreeMap<>();
            Map<String, Integer> mutations = new TreeMap<>();
            long slowestNs = 0;
            String slowest = "";
            long started = System.nanoTime();
            for (int i = 0; i < scripts; i++) {
                Mutated m = mutate(corpus.get(r.nextInt(corpus.size())), r);
                m.applied.forEach(a -> mutations.merge(a, 1, Integer::sum));
                Path file = dir.resolve("fuzz-" + i + ".ops");
                Files.write(file, m.bytes);
                Run model = run(file, "model");
                Run harness = run(file, "harness");
                String why = model.misbehaviour();
                if (why == null) {
                    why = harness.misbehaviour();
                }
                boolean differ = model.exit != harness.exit || !model.out.equals(harness.out)
                        || !model.err.equals(harness.err);
                if (why == null && differ && declaredFinding(harness.out) instanceof String rule) {
                    // the shipped series' own declared finding, reported by the harness as such: not a new bug
                    outcomes.merge("harness reports a finding kernel-patch/series/FINDINGS declares (" + rule + ")", 1,
                            Integer::sum);
                    Files.delete(file);
                    continue;
                }
                if (why == null && differ) {
                    why = "the harness answers differently from the model:\nmodel:\n" + tail(model.out) + model.err
                            + "harness:\n" + tail(harness.out) + harness.err;
                }
                if (why != null) {
                    System.out.println("fuzz script " + i + " (seed " + seed + ", mutations " + m.applied + ") "
                            + why + "\nthe script (" + m.bytes.length + " bytes) starts:\n"
                            + new String(m.bytes, 0, Math.min(m.bytes.length, 4000), StandardCharsets.UTF_8));
                    System.exit(1);
                }
                outcomes.merge(model.outcomeClass(), 1, Integer::sum);
                for (Run run : List.of(model, harness)) {
                    if (run.ns > slowestNs) {
                        slowestNs = run.ns;
                        slowest = run.target + " " + m.applied + ": " + run.summary();
                    }
                }
                Files.delete(file);
            }
            Files.delete(dir);
            System.out.printf("hostile-input fuzz, seed %d: %d mutated scripts, each on model and harness (%d runs) "
                    + "in %.1f s; slowest run %.2f s (%s)%n", seed, scripts, 2 * scripts,
                    (System.nanoTime() - started) / 1e9, slowestNs / 1e9, slowest);
            System.out.println("outcomes (the same on both targets):");
            outcomes.forEach((k, v) -> System.out.printf("  %5d  %s%n", v, k));
            System.out.println("mutations applied:");
            mutations.forEach((k, v) -> System.out.printf("  %5d  %s%n", v, k));
            System.exit(0);
        }

        private static String tail(String s) {
            return s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000);
        }
    }

    // ---- running ---------------------------------------------------------------------------------------

    record Run(String target, int exit, String out, String err, long ns) {
        /** Null when the run behaved: exit 0 and silent, or exit 2 and one line, no trace, within budget. */
        String misbehaviour() {
            String where = "on " + target + " ";
            if (ns > BUDGET_NS) {
                return where + "took " + ns / 1e9 + " s, more than " + BUDGET_NS / 1e9 + " s: " + summary();
            }
            if (err.contains("Exception") || err.contains("\tat ")) {
                return where + "printed a stack trace:\n" + err;
            }
            return switch (exit) {
                case 0 -> err.isEmpty() ? null : where + "exited 0 but printed on stderr:\n" + err;
                case 2 -> err.lines().count() == 1 && err.startsWith("pcmsim: ") ? null
                        : where + "exited 2 without one line on stderr:\n" + err;
                default -> where + "exited " + exit + ":\n" + err;
            };
        }

        /** What kind of answer this is, for the figures. */
        String outcomeClass() {
            if (exit == 0) {
                return "exit 0: ran to its end";
            }
            if (err.contains("not UTF-8") || err.contains("not a regular file") || err.contains(": bytes: ")) {
                return "exit 2: file refused (encoding, size)";
            }
            if (err.contains("in one op") || err.contains("this run touches")) {
                return "exit 2: refused mid-run at a run-time limit";
            }
            if (err.contains("more than the limit") || err.contains("must be between")) {
                return "exit 2: refused before running, a value beyond a limit";
            }
            return "exit 2: refused before running, malformed";
        }

        String summary() {
            return "exit " + exit + ", " + out.lines().count() + " lines out" + (err.isEmpty() ? "" : ", " + err.strip());
        }
    }

    static Run run(Path file, String target) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Pcmsim.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        long t0 = System.nanoTime();
        int exit = cl.execute("run", file.toString(), "--target", target, "--json");
        return new Run(target, exit, out.toString(), err.toString(), System.nanoTime() - t0);
    }

    // ---- the corpus and the mutator ----------------------------------------------------------------------

    /** A rule the shipped series declares it breaks, named by a problem the harness reported in {@code out}. */
    private static String declaredFinding(String out) throws IOException {
        for (var f : shippedFindings().byCase().values()) {
            for (String rule : f.rules().split(" ")) {
                if (out.contains("(" + rule + ")\"")) {
                    return rule;
                }
            }
        }
        return null;
    }

    /** The findings the shipped series declares (kernel-patch/series/FINDINGS). */
    private static Findings shippedFindings() throws IOException {
        try {
            return Findings.read(PcmsimValidateTest.SERIES);
        } catch (org.pcmdmabuf.conformance.validate.BadSeries e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /**
     * The cases and the RFC example, but those the shipped series declares it fails
     * (kernel-patch/series/FINDINGS) and those that ask for a fault (fail_nth), which the model refuses. The
     * platform cases (IOMMU, bounce buffers) are in: a mutated plat-bounce.ops with a SYNC dropped once read stale
     * data on the model, which streaming-mapped and invalidated for a device whose data the CPU moves (docs/
     * decisions.md, "A device whose data the CPU moves is not a DMA device").
     */
    static List<String> corpus() throws IOException {
        List<String> scripts = new ArrayList<>();
        java.util.Set<String> declared = shippedFindings().byCase().keySet();
        try (Stream<Path> cases = Files.list(Path.of("..", "conformance", "src", "main", "resources", "cases"))) {
            for (Path p : cases.filter(p -> p.toString().endsWith(".ops"))
                    .filter(p -> !declared.contains(p.getFileName().toString())).sorted().toList()) {
                String text = Files.readString(p);
                if (!text.contains("\nfail_nth ")) {
                    scripts.add(text);
                }
            }
        }
        scripts.add(Files.readString(PcmsimRunTest.EXAMPLES.resolve("rfc-flow.ops")));
        return scripts;
    }

    record Mutated(byte[] bytes, List<String> applied) {
    }

    private static final long[] EXTREMES = {0, 1, 3, 4, 64, 4095, 4096, 65536, 1L << 20, 1L << 22, 1L << 24,
        Integer.MAX_VALUE, 1L << 31, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, -1, 999_999_999_999L,
        4_611_686_018_427_387_000L};
    private static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z_])\\d+");
    private static final Pattern BINDING = Pattern.compile("^(\\S+) .* as (\\S+)");

    /** One to four mutations of {@code script}. */
    static Mutated mutate(String script, SplitMix64 r) {
        List<String> lines = new ArrayList<>(List.of(script.split("\n", -1)));
        List<String> applied = new ArrayList<>();
        int n = 1 + r.nextInt(4);
        for (int k = 0; k < n; k++) {
            String kind = switch (r.nextInt(11)) {
                case 0, 1 -> extremeNumber(lines, r);
                case 2 -> repeatLine(lines, r);
                case 3 -> dropOrSwapLine(lines, r);
                case 4, 5 -> insertOp(lines, r, false);
                case 6 -> insertOp(lines, r, true);
                case 7 -> manyDevices(lines, r);
                case 8 -> swapToken(lines, r);
                default -> null;
            };
            if (kind == null) {
                continue;
            }
            applied.add(kind);
        }
        byte[] raw = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(8) == 0) {
            int before = raw.length;
            raw = corruptBytes(raw, r);
            applied.add(raw.length < before ? "truncate" : "bad bytes");
        }
        if (applied.isEmpty()) {
            applied.add("none");
        }
        return new Mutated(raw, applied);
    }

    private static String extremeNumber(List<String> lines, SplitMix64 r) {
        for (int tries = 0; tries < 20; tries++) {
            int i = r.nextInt(lines.size());
            Matcher m = NUMBER.matcher(lines.get(i));
            List<int[]> spans = new ArrayList<>();
            while (m.find()) {
                spans.add(new int[] {m.start(), m.end()});
            }
            if (!spans.isEmpty()) {
                int[] s = spans.get(r.nextInt(spans.size()));
                String l = lines.get(i);
                long v = EXTREMES[r.nextInt(EXTREMES.length)];
                lines.set(i, l.substring(0, s[0]) + v + l.substring(s[1]));
                return "extreme number";
            }
        }
        return null;
    }

    private static String repeatLine(List<String> lines, SplitMix64 r) {
        int i = r.nextInt(lines.size());
        int[] counts = {2, 10, 100, 1000, 5000, 60_000};
        int times = counts[r.nextInt(counts.length)];
        String l = lines.get(i);
        for (int k = 1; k < times; k++) {
            lines.add(i, l);
        }
        return "repeat a line x" + times;
    }

    private static String dropOrSwapLine(List<String> lines, SplitMix64 r) {
        int i = r.nextInt(lines.size());
        if (r.nextInt(2) == 0) {
            lines.remove(i);
            if (lines.isEmpty()) {
                lines.add("");
            }
            return "drop a line";
        }
        int j = r.nextInt(lines.size());
        String t = lines.get(i);
        lines.set(i, lines.get(j));
        lines.set(j, t);
        return "swap two lines";
    }

    /**
     * An op that waits, advances, allocates or touches much, on names the script binds; {@code free} appends it
     * to a stream set running free (no stop_threshold) after the script's last op.
     */
    private static String insertOp(List<String> lines, SplitMix64 r, boolean free) {
        Set<String> procs = new LinkedHashSet<>();
        Set<String> devices = new LinkedHashSet<>();
        List<String[]> fds = new ArrayList<>();
        List<String[]> maps = new ArrayList<>();
        for (String line : lines) {
            String l = line.split("#", 2)[0].strip();
            String[] t = l.split("\\s+");
            if (t.length >= 2 && t[0].equals("proc")) {
                procs.add(t[1]);
            } else if (t.length >= 2 && t[0].equals("device")) {
                devices.add(t[1]);
            }
            Matcher m = BINDING.matcher(l);
            if (m.find()) {
                boolean map = l.contains(" mmap ");
                String owner = l.contains(" send ") ? t[3] : m.group(1);
                (map ? maps : fds).add(new String[] {owner, m.group(2)});
            }
        }
        if (procs.isEmpty() || devices.isEmpty() || fds.isEmpty()) {
            return null;
        }
        String[] fd = fds.get(r.nextInt(fds.size()));
        String dev = List.copyOf(devices).get(r.nextInt(devices.size()));
        String p = fd[0] + " ";
        String f = fd[1];
        List<String> ops = new ArrayList<>(List.of(
                "advance frames=999999999999",
                "advance 3600s",
                "advance frames=" + (1 + r.nextInt(1 << 20)),
                p + "sw_params " + f + " stop_threshold=boundary",
                p + "sw_params " + f + " start_threshold=1000000000 avail_min=" + (1 + r.nextInt(1 << 20)),
                p + "sync_ptr " + f + " appl_ptr=" + EXTREMES[r.nextInt(EXTREMES.length)],
                p + "writei " + f + " frames=" + (1 + r.nextInt(1 << 22)),
                p + "readi " + f + " frames=" + (1 + r.nextInt(1 << 22)),
                p + "drain " + f,
                p + "pause " + f + " on",
                p + "start " + f,
                p + "prepare " + f,
                p + "dup " + f + " as fuzzdup",
                p + "mmap " + f + " len=" + (4096L << r.nextInt(16)) + " prot=rw as fuzzmap",
                p + "hw_params " + f + " access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames="
                        + (16 << r.nextInt(10)) + " periods=" + (1 << r.nextInt(11)),
                "suspend " + dev,
                "disconnect " + dev));
        if (!maps.isEmpty()) {
            String[] m = maps.get(r.nextInt(maps.size()));
            ops.add(m[0] + " fill " + m[1] + " off=0 len=" + (4L << r.nextInt(24)));
            ops.add(m[0] + " check " + m[1] + " off=0 len=" + (4L << r.nextInt(24)));
        }
        String op = ops.get(r.nextInt(ops.size()));
        if (free && !maps.isEmpty() && r.nextInt(2) == 0) {
            // A CPU write no sync cleans: the DMA reads it stale every period from then on.
            String[] m = maps.get(r.nextInt(maps.size()));
            op = m[0] + " fill " + m[1] + " off=0 len=4096\nadvance frames=999999999999";
        }
        if (free) {
            // Before the exits, so that the processes still hold what the op needs.
            int at = lines.size();
            while (at > 0 && (lines.get(at - 1).isBlank() || lines.get(at - 1).contains(" exit")
                    || lines.get(at - 1).startsWith("leaks"))) {
                at--;
            }
            lines.addAll(at, List.of(p + "sw_params " + f + " stop_threshold=boundary", p + "prepare " + f,
                    p + "sync_ptr " + f + " appl_ptr=" + r.nextInt(1 << 16), p + "start " + f, op, op));
            return "append to a free-running stream";
        }
        int at = 1 + r.nextInt(lines.size());
        lines.add(Math.min(at, lines.size()), op);
        return "insert an op";
    }

    private static String manyDevices(List<String> lines, SplitMix64 r) {
        int[] counts = {1, 8, 63, 70, 10_000};
        int count = counts[r.nextInt(counts.length)];
        String[] options = {"", " substreams=32", " substreams=33", " substreams=9", " buffer_bytes_max=67108864",
            " buffer_bytes_max=67108865"};
        String option = options[r.nextInt(options.length)];
        for (int k = 0; k < count; k++) {
            lines.add(0, "device fuzz" + k + " " + (k % 2 == 0 ? "playback" : "capture") + option);
        }
        return "add " + count + " devices";
    }

    private static String swapToken(List<String> lines, SplitMix64 r) {
        int i = r.nextInt(lines.size());
        int j = r.nextInt(lines.size());
        String[] a = lines.get(i).split(" ", -1);
        String[] b = lines.get(j).split(" ", -1);
        if (a.length < 2 || b.length < 1) {
            return null;
        }
        a[r.nextInt(a.length)] = b[r.nextInt(b.length)];
        lines.set(i, String.join(" ", a));
        return "swap a token";
    }

    private static byte[] corruptBytes(byte[] raw, SplitMix64 r) {
        if (raw.length == 0) {
            return new byte[] {(byte) 0xff};
        }
        int at = r.nextInt(raw.length);
        if (r.nextInt(3) == 0) {
            byte[] cut = new byte[at];
            System.arraycopy(raw, 0, cut, 0, at);
            return cut;
        }
        byte[][] bad = {{(byte) 0xff}, {(byte) 0xc3, 0x28}, {0}, {'\r'}, {'\t'}, {(byte) 0xc2, (byte) 0xa0},
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80}};
        byte[] b = bad[r.nextInt(bad.length)];
        byte[] out = new byte[raw.length + b.length];
        System.arraycopy(raw, 0, out, 0, at);
        System.arraycopy(b, 0, out, at, b.length);
        System.arraycopy(raw, at, out, at + b.length, raw.length - at);
        return out;
    }
}
