package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.harness.Harness;
import org.pcmdmabuf.harness.HarnessTarget;
import org.pcmdmabuf.model.InvariantViolation;

/**
 * The suite really discriminates: broken variants of the patch, made here from the series by editing one
 * line of pcm_dmabuf.c (never committed), each built into its own harness library, must fail the
 * conformance suite, and fail it in the case of the rule they break.
 */
class BrokenVariantsTest {
    static final Path KERNEL_PATCH = Path.of("..", "kernel-patch").toAbsolutePath().normalize();

    /** One breakage: the text of patch 0002 it replaces (unique), its replacement, the case that must catch it. */
    record Variant(String name, String from, String to, String caughtBy) {
    }

    static final List<Variant> VARIANTS = List.of(
            new Variant("end_cpu_access no longer syncs",
                    "+\t/* the runtime DMA on its own buffer, as long as it owns it */\n",
                    "+\tif (!begin) return 0;\n", "cache-sync.ops"),
            new Variant("a second EXPORT takes no reference on the dma-buf file",
                    "+\t\t\tfile = get_file_active(&buf->dmabuf->file);\n",
                    "+\t\t\tfile = buf->dmabuf->file;\n", "export.ops"),
            new Variant("ATTACH state check removed",
                    "+\t\tcase SNDRV_PCM_STATE_SETUP:\n+\t\t\tbreak;\n+\t\tdefault:\n+\t\t\terr = -EBADFD;\n",
                    "+\t\tcase SNDRV_PCM_STATE_SETUP:\n+\t\t\tbreak;\n+\t\tdefault:\n+\t\t\tbreak;\n", "attach.ops"),
            new Variant("hw_free hands the pages over without orphaning",
                    "+\tbuf->owns_pages = true;\n+\tsnd_pcm_dmabuf_update_orphan(buf);\n",
                    "+\tbuf->owns_pages = true;\n+\t/* not orphaned */\n", "lifetime.ops"),
            new Variant("ATTACH size check removed",
                    "+\tif (dmabuf->size < runtime->dma_bytes)\n",
                    "+\tif (!dmabuf->size)\n", "attach.ops"),
            new Variant("begin_cpu_access no longer invalidates",
                    "+\t\t\tdma_sync_sgtable_for_cpu(a->dev, &a->sgt, a->dir);\n",
                    "+\t\t\tcontinue;\n", "cache-sync.ops"));

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyBrokenVariantFailsTheSuite() {
        return VARIANTS.stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            Path lib = build(v);
            List<String> failures = new ArrayList<>();
            for (Case c : Case.all()) {
                if (ConformanceTest.KNOWN_PATCH_BUGS.containsKey(c.name())) {
                    continue;
                }
                try (HarnessTarget t = new HarnessTarget(Harness.load(lib), ConformanceTest.LINE_BYTES,
                        ConformanceTest.CACHE_LINES)) {
                    try {
                        failures.addAll(c.run(t));
                    } catch (InvariantViolation e) {
                        failures.add(c.name() + ": the C code left the host inconsistent: "
                                + e.getMessage().lines().findFirst().orElse(""));
                    }
                    for (String p : t.driver().problems()) {
                        failures.add(c.name() + ": " + p);
                    }
                }
            }
            assertFalse(failures.isEmpty(), v.name() + ": the suite passes on this broken patch");
            System.out.println("broken variant '" + v.name() + "': " + failures.size() + " failure(s), first: "
                    + failures.getFirst());
            assertTrue(failures.stream().anyMatch(f -> f.startsWith(v.caughtBy())),
                    v.name() + ": expected " + v.caughtBy() + " to fail, got " + failures);
        }));
    }

    /** The series with patch 0002 edited, built by kernel-patch/harness/build.sh into its own directory. */
    private Path build(Variant v) throws IOException, InterruptedException {
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
        Path out = series.resolve("out");
        Process p = new ProcessBuilder(KERNEL_PATCH.resolve("harness/build.sh").toString(), series.toString(),
                out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), v.name() + ": the broken variant does not build:\n" + log);
        return out.resolve("libpcmdmabuf-harness.so");
    }
}
