package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.conformance.Case;
import picocli.CommandLine;

/**
 * Validation really discriminates: broken variants of the patch, made here from the series by editing one
 * line of pcm_dmabuf.c (never committed), must each fail {@code pcmsim validate}, which builds them into
 * their own harness library, in the case that catches them, and the report must name the docs/spec.md rule
 * they break: the rules of the failing expectation lines, or every rule of the case when the failure is the
 * harness's own report or a crash.
 */
class BrokenVariantsTest {
    static final Path KERNEL_PATCH = Path.of("..", "kernel-patch").toAbsolutePath().normalize();

    /**
     * One breakage: the text of patch 0002 it replaces (unique), its replacement, the case that must catch it,
     * and what else the report must show (null: nothing more).
     */
    record Variant(String name, String from, String to, String caughtBy, String breaks, String shows) {
        Variant(String name, String from, String to, String caughtBy, String breaks) {
            this(name, from, to, caughtBy, breaks, null);
        }
    }

    static final List<Variant> VARIANTS = List.of(
            new Variant("end_cpu_access no longer syncs",
                    "+\t/* the runtime DMA on its own buffer, as long as it owns it */\n",
                    "+\tif (!begin) return 0;\n", "cache-sync.ops", "CACHE-NONCOHERENT-PLAYBACK"),
            new Variant("the runtime takes no reference on its export",
                    "+\tget_dma_buf(buf->dmabuf);\n",
                    "+\t/* the fd's reference is the runtime's */\n", "export.ops", "EXPORT-ONE-DMABUF"),
            new Variant("EXPORT state check removed",
                    "+\tdefault:\n+\t\treturn -EBADFD;\n+\t}\n",
                    "+\tdefault:\n+\t\treturn 0;\n+\t}\n", "export.ops", "EXPORT-STATE"),
            new Variant("hw_free hands the memory over without orphaning",
                    "+\t\tbuf->owns_memory = true;\n+\t\tsnd_pcm_dmabuf_update_orphan(buf);\n",
                    "+\t\tbuf->owns_memory = true;\n+\t\t/* not orphaned */\n", "lifetime.ops", "LIFETIME-ENODEV"),
            new Variant("ATTACH size check removed",
                    "+\tif (dmabuf->size < runtime->dma_bytes)\n",
                    "+\tif (!dmabuf->size)\n", "attach.ops", "ATTACH-SIZE"),
            new Variant("begin_cpu_access no longer invalidates",
                    "+\t\t\tdma_sync_sgtable_for_cpu(m->dev, &m->sgt, m->dir);\n",
                    "+\t\t\tcontinue;\n", "cache-sync.ops", "CACHE-SYNC-ALL-DEVICES"),
            new Variant("EXPORT ignores the PCM file's mode",
                    "+\tif (mode == O_RDWR && !(file->f_mode & FMODE_WRITE))\n",
                    "+\tif (mode == O_RDWR && !file)\n", "export-rdwr-eacces.ops", "EXPORT-RDWR-EACCES"),
            new Variant("capture ATTACH ignores the dma-buf file's mode",
                    "+\t    !(dmabuf->file->f_mode & FMODE_WRITE))\n",
                    "+\t    !dmabuf->file)\n", "attach-capture-eacces.ops", "ATTACH-CAPTURE-EACCES"),
            new Variant("revocation leaves the CPU mappings",
                    "+\t\tunmap_mapping_range(buf->dmabuf->file->f_mapping, 0, 0, 1);\n",
                    "+\t\tbuf->nr_vmas += 0;\n", "suspend-disconnect.ops", "LIFETIME-REVOKE-ZAP"),
            // a NULL dereference kills the harness process: validate reports the crash per case and goes on
            new Variant("release dereferences NULL",
                    "+static void snd_pcm_dmabuf_release(struct dma_buf *dmabuf)\n+{\n+\tstruct snd_pcm_dmabuf *buf = dmabuf->priv;\n",
                    "+static void snd_pcm_dmabuf_release(struct dma_buf *dmabuf)\n+{\n+\tstruct snd_pcm_dmabuf *buf = NULL;\n",
                    "examples/rfc-flow.ops", "UAPI-CLIENT-FLOW", "# C  [libpcmdmabuf-harness.so+"));

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> validateFailsEveryBrokenVariantAndNamesTheRule() throws Exception {
        return VARIANTS.stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            Path series = write(tmp, v);
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = Pcmsim.commandLine();
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            // check.sh's steps are the same for every variant (they compile and pass checkpatch alike) and
            // take minutes each: run-tests validates the shipped series with them.
            int exit = cl.execute("validate", "--no-kernel-checks", "--format", "ktap", series.toString());
            String report = out.toString();
            assertEquals(1, exit, v.name() + ": validate passes this broken patch\n" + report + err);
            assertTrue(Pattern.compile("(?m)^not ok \\d+ conformance: " + Pattern.quote(v.caughtBy() + " (")
                    + "[A-Z0-9 -]+\\)$").matcher(report).find(), v.name() + ": expected " + v.caughtBy()
                    + " to fail:\n" + report);
            assertTrue(Pattern.compile("(?m)^# breaks ([A-Z0-9-]+ )*" + Pattern.quote(v.breaks()) + "( [A-Z0-9-]+)* \\("
                    + Pattern.quote(v.caughtBy()) + "\\)$").matcher(report).find(),
                    v.name() + ": the report does not name " + v.breaks() + " broken:\n" + report);
            assertTrue(report.contains("ok 2 harness: sound/core/pcm_dmabuf.c builds"), report);
            assertTrue(v.shows() == null || report.contains(v.shows()), v.name() + ": no '" + v.shows() + "' in\n"
                    + report);
            System.out.println("broken variant '" + v.name() + "': " + report.lines()
                    .filter(l -> l.startsWith("# breaks ")).toList());
        }));
    }

    /** The series with patch 0002 edited, in a folder of {@code tmp} named after the variant. */
    static Path write(Path tmp, Variant v) throws IOException {
        Path series = tmp.resolve(v.name().replaceAll("\\W+", "-"));
        Files.createDirectories(series);
        try (Stream<Path> patches = Files.list(KERNEL_PATCH.resolve("series"))) {
            for (Path p : patches.sorted().toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                if (p.getFileName().toString().startsWith("0002-")) {
                    int at = text.indexOf(v.from());
                    assertTrue(at >= 0 && text.indexOf(v.from(), at + 1) < 0,
                            v.name() + ": the text to break is not in patch 0002 exactly once");
                    text = text.replace(v.from(), v.to());
                }
                Files.writeString(series.resolve(p.getFileName()), text, StandardCharsets.UTF_8);
            }
        }
        return series;
    }
}
