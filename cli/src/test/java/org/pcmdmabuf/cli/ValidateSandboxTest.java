package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcmdmabuf.cli.PcmsimRunTest.pcmsim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.cli.PcmsimRunTest.Run;

/**
 * Issue 20: what a hostile revision brings runs in the sandbox of kernel-patch/scripts/sandbox.sh
 * (docs/sandbox.md). Each revision is the shipped series with one line of patch 0002 changed, so that the
 * hunks keep their line counts. A revision's command writes two files outside its work directories: one in a
 * folder of this test (a temporary folder the sandbox does not show) and one beside its own patches (a folder it
 * reads). Neither may exist afterwards.
 */
class ValidateSandboxTest {
    private static final Path SERIES = PcmsimValidateTest.SERIES;
    private static final String EXPORT = "+static int snd_pcm_dmabuf_export(struct snd_pcm_substream *substream,\n"
            + "+\t\t\t\t struct file *file,\n"
            + "+\t\t\t\t struct snd_pcm_dmabuf_export __user *uarg)\n+{\n";
    private static final String DECLARATIONS = "+\tint fd, err;\n";

    @TempDir
    Path tmp;

    /**
     * The revision of the issue: its export path runs {@code system("touch ...")}. Sandboxed, the command runs
     * and fails (it sees neither folder writable), and no file is made; with --no-sandbox the same revision makes
     * it, which shows the command did run in the first run too, and validate says the sandbox was off. The
     * command runs once per harness process, at its first EXPORT: the fault sweep and the race stage run
     * thousands of them, and a shell each made this test the slowest of all. The cases' EXPORT runs it, so the
     * stages after the cases are left out (decision 65).
     */
    @Test
    void aRevisionWhoseCodeRunsACommandCreatesNoFileAndNoSandboxIsReported() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside")).resolve("pwned");
        Path series = tmp.resolve("series");
        Path beside = series.resolve("pwned");
        copy(series, text -> replaceInExport(text, DECLARATIONS, "+\tint fd, err; extern int system(const char *); "
                + "static int ran; if (!ran++) (void)system(\"touch " + outside + " " + beside + "\");\n"));
        Run r = pcmsim("validate", "--no-kernel-checks", "--no-faults", "--no-races", "--sequences", "0",
                series.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("sandbox: on (bubblewrap ")), r.out() + r.err());
        assertTrue(r.out().contains("ok    conformance export"), r.out());
        assertFalse(Files.exists(outside), outside + " was made from within the sandbox:\n" + r.out());
        assertFalse(Files.exists(beside), beside + " was made from within the sandbox:\n" + r.out());

        Run off = pcmsim("validate", "--no-kernel-checks", "--no-faults", "--no-races", "--sequences", "0",
                "--no-sandbox", series.toString());
        assertTrue(off.out().lines().anyMatch(l -> l.startsWith("sandbox: off (--no-sandbox)")), off.out());
        assertTrue(Files.exists(outside), "the revision's command did not run at all:\n" + off.out());
    }

    /**
     * A Makefile hunk that runs a command while check.sh builds sound/core/: make parses it in the sandbox, where
     * the command fails; $(error) shows its output in validate's report, which proves it ran. This one runs the
     * kernel checks (the cached Linux 6.12 tree, as run-tests' validate does), and of the harness's stages only the
     * cases, which the W=1 step's report does not depend on.
     */
    @Test
    void aMakefileHunkThatRunsACommandDuringTheKernelBuildCreatesNoFile() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside")).resolve("pwned");
        Path series = tmp.resolve("series");
        Path beside = series.resolve("pwned");
        String line = "+snd-pcm-$(CONFIG_SND_PCM_DMABUF) += pcm_dmabuf.o\n";
        copy(series, text -> {
            assertTrue(text.contains(line), "patch 0002 no longer has the Makefile line");
            return text.replace(line, line.strip() + " $(error sandbox-probe: $(shell touch " + outside + " "
                    + beside + " 2>&1))\n");
        });
        Run r = pcmsim("validate", "--no-faults", "--no-races", "--sequences", "0", series.toString());
        assertFalse(Files.exists(outside), outside + " was made by the kernel build:\n" + r.out() + r.err());
        assertFalse(Files.exists(beside), beside + " was made by the kernel build:\n" + r.out() + r.err());
        assertEquals(1, r.exit(), r.out() + r.err());
        // the command ran, and failed: what touch said is in the W=1 step's report
        assertTrue(r.out().contains("FAIL  kernel      W=1 build of sound/core/"), r.out());
        assertTrue(r.out().contains("sandbox-probe: touch: cannot touch '" + outside + "'"), r.out());
    }

    /** A patch that makes pcm_dmabuf.c a link to /etc/passwd is refused before anything is built. */
    @Test
    void aRevisionThatMakesItsSourceASymbolicLinkIsRefused() throws IOException {
        Path series = tmp.resolve("series");
        String header = "diff --git a/sound/core/pcm_dmabuf.c b/sound/core/pcm_dmabuf.c\nnew file mode 100644\n";
        copy(series, text -> {
            assertTrue(text.contains(header), "patch 0002 no longer creates pcm_dmabuf.c as it did");
            return text.replace(header, header.replace("100644", "120000"));
        });
        Run r = pcmsim("validate", "--no-kernel-checks", series.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.getFirst().startsWith("pcmsim validate: " + series) && lines.getFirst().contains(
                "makes sound/core/pcm_dmabuf.c a symbolic link (git mode 120000)"), lines.getFirst());
    }

    /** build.sh refuses a link on its own (it is run without pcmsim too): git apply would make one. */
    @Test
    void theHarnessBuildRefusesASymbolicLink() throws Exception {
        Path series = Files.createDirectories(tmp.resolve("series"));
        Files.writeString(series.resolve("0001-link.patch"), """
                From: Mallory <m@example.com>
                Subject: [PATCH] link

                diff --git a/sound/core/pcm_dmabuf.c b/sound/core/pcm_dmabuf.c
                new file mode 120000
                index 0000000..7f7f7f7
                --- /dev/null
                +++ b/sound/core/pcm_dmabuf.c
                @@ -0,0 +1 @@
                +/etc/passwd
                \\ No newline at end of file
                """);
        Process p = new ProcessBuilder(SERIES.getParent().resolve("harness/build.sh").toString(), series.toString(),
                tmp.resolve("out").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("makes sound/core/pcm_dmabuf.c a symbolic link"), out);
        assertFalse(Files.exists(tmp.resolve("out/libpcmdmabuf-harness.so")));
    }

    /**
     * A revision that does not compile: the report shows gcc's first error with the file and line of the
     * revision, not the tail of the log, and where the whole log is.
     */
    @Test
    void aCompileErrorIsShownFirstWithTheRevisionsFileAndLine() throws IOException {
        Path series = tmp.resolve("series");
        // the ';' of the first "return err;" of the export: the next line is an if, which no macro hides
        copy(series, text -> replaceInExport(text, "+\t\treturn err;\n", "+\t\treturn err\n"));
        int line = lineInRevision(series, "\t\treturn err");
        Run r = pcmsim("validate", "--no-kernel-checks", "--sequences", "0", series.toString());
        assertEquals(1, r.exit(), r.out() + r.err());
        List<String> lines = r.out().lines().toList();
        List<String> failed = lines.stream().filter(l -> l.startsWith("FAIL  harness     sound/core/pcm_dmabuf.c "
                + "builds in the harness (-Wall -Wextra -Werror)")).toList();
        assertEquals(1, failed.size(), r.out());
        int fail = lines.indexOf(failed.getFirst());
        assertNotEquals(-1, fail, r.out());
        Matcher m = Pattern.compile("sound/core/pcm_dmabuf\\.c:(\\d+):\\d+: error: expected .*")
                .matcher(lines.get(fail + 1).strip());
        assertTrue(m.matches(), "the first detail is not the first error:\n" + r.out());
        // gcc names the line of the token after the missing ';': the next statement
        int at = Integer.parseInt(m.group(1));
        assertTrue(at >= line && at <= line + 2, "error at line " + at + ", the broken line is " + line);
        String log = lines.stream().map(String::strip).filter(l -> l.startsWith("full log: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no full log line:\n" + r.out())).substring(10);
        assertTrue(Files.readString(Path.of(log)).contains("pcm_dmabuf.c:" + at + ":"), log);
        assertTrue(r.out().contains("skip  conformance "), r.out());
    }

    /** Without a working bwrap, validate refuses in one line and runs nothing. */
    @Test
    void withoutBubblewrapValidateRefusesInOneLine() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Pcmsim.class.getName(), "validate", "--no-kernel-checks", SERIES.toString());
        // bwrap is in /usr/bin: a PATH without it is a machine without it, for sandbox.sh's probe
        pb.environment().put("PATH", "/nonexistent");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out + err);
        assertEquals("", out);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.getFirst().startsWith("pcmsim: validate needs bubblewrap (bwrap) for the sandbox: apt-get "
                + "install bubblewrap, or pass --no-sandbox to run the revision with your full rights"), err);
    }

    /** {@code text} with {@code from} replaced by {@code to} in snd_pcm_dmabuf_export, once. */
    private static String replaceInExport(String text, String from, String to) {
        int export = text.indexOf(EXPORT);
        assertTrue(export >= 0, "patch 0002 no longer has snd_pcm_dmabuf_export as it did");
        int at = text.indexOf(from, export);
        assertTrue(at >= 0 && at < export + EXPORT.length() + 600, "no '" + from.strip() + "' in the export");
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    /** The line of pcm_dmabuf.c, in the revision, that is {@code content}. */
    private static int lineInRevision(Path series, String content) throws IOException {
        String text = Files.readString(patch0002(series));
        List<String> lines = text.substring(text.indexOf("+++ b/sound/core/pcm_dmabuf.c")).lines().toList();
        // the file is new: its hunk starts at line 1, and its lines are the '+' lines after the @@ line
        for (int i = 2; i < lines.size(); i++) {
            if (lines.get(i).equals("+" + content)) {
                return i - 1;
            }
        }
        throw new AssertionError("no line '" + content + "' in pcm_dmabuf.c");
    }

    private static Path patch0002(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("0002-")).findFirst().orElseThrow();
        }
    }

    /** The shipped series in {@code dir}, patch 0002 edited. */
    private static void copy(Path dir, UnaryOperator<String> edit0002) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(SERIES)) {
            for (Path p : s.toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                boolean edit = p.getFileName().toString().startsWith("0002-");
                String edited = edit ? edit0002.apply(text) : text;
                assertTrue(!edit || !edited.equals(text), "the edit did not change patch 0002");
                Files.writeString(dir.resolve(p.getFileName()), edited, StandardCharsets.UTF_8);
            }
        }
    }
}
