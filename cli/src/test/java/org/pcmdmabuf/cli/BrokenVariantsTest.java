package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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

/**
 * Validation really discriminates: broken variants of the patch, made here from the series by editing one
 * line of pcm_dmabuf.c (never committed), must each fail {@code pcmsim validate}, which builds them into
 * their own harness library, in the case that catches them, and the report must name the docs/spec.md rule
 * they break: the rules of the failing expectation lines, or every rule of the case when the failure is the
 * harness's own report or a crash.
 */
class BrokenVariantsTest {
    static final Path KERNEL_PATCH = Path.of("..", "kernel-patch").toAbsolutePath().normalize();

    /** A text of patch 0002 (unique) and its replacement, of as many lines, so that the hunk still applies. */
    record Edit(String from, String to) {
    }

    /**
     * One breakage: its edits of patch 0002, the case that must catch it, and what else the report must show
     * (null: nothing more).
     */
    record Variant(String name, List<Edit> edits, String caughtBy, String breaks, String shows) {
        Variant(String name, String from, String to, String caughtBy, String breaks, String shows) {
            this(name, List.of(new Edit(from, to)), caughtBy, breaks, shows);
        }

        Variant(String name, String from, String to, String caughtBy, String breaks) {
            this(name, from, to, caughtBy, breaks, null);
        }
    }

    static final List<Variant> VARIANTS = List.of(
            new Variant("end_cpu_access no longer syncs",
                    "+\tif (buf->exporter_dma && (!begin || dir != DMA_TO_DEVICE))\n"
                            + "+\t\tsnd_dma_buffer_sync(&buf->dmab, begin ? SNDRV_DMA_SYNC_CPU :\n"
                            + "+\t\t\t\t\t\t       SNDRV_DMA_SYNC_DEVICE);\n",
                    "+\tif (!begin)\n+\t\treturn 0;\n"
                            + "+\tif (buf->exporter_dma && dir != DMA_TO_DEVICE) snd_dma_buffer_sync(&buf->dmab, SNDRV_DMA_SYNC_CPU);\n",
                    "cache-sync.ops", "CACHE-NONCOHERENT-PLAYBACK"),
            new Variant("the runtime takes no reference on its export",
                    "+\tget_dma_buf(buf->dmabuf);\n+\treturn buf->dmabuf;\n",
                    "+\t/* the fd's reference is the runtime's */\n+\treturn buf->dmabuf;\n", "export.ops",
                    "EXPORT-ONE-DMABUF"),
            // revision 1's bug: the runtime keeps a weak pointer to its export, cleared by the dma-buf's release,
            // and revalidates the export's file with get_file_active(); a held path keeps the dma-buf past its file
            new Variant("the runtime keeps a weak pointer to its export's file", List.of(
                    new Edit("+\t} else if (buf->mode != mode) {\n+\t\t/* one dma-buf, one file: its access mode is set */\n"
                            + "+\t\treturn ERR_PTR(-EBUSY);\n+\t}\n+\tget_dma_buf(buf->dmabuf);\n+\treturn buf->dmabuf;\n",
                            "+\t\treturn buf->dmabuf;\n+\t} else if (buf->mode != mode) {\n+\t\treturn ERR_PTR(-EBUSY);\n+\t}\n"
                            + "+\tif (!get_file_active(&buf->dmabuf->file)) return ERR_PTR(-EAGAIN);\n"
                            + "+\treturn buf->dmabuf;\n"),
                    new Edit("+\tsnd_pcm_dmabuf_let_go(substream, buf);\n+\tdma_buf_put(buf->dmabuf);\n+}\n",
                            "+\tsnd_pcm_dmabuf_let_go(substream, buf);\n+\t/* a weak pointer: no reference to drop */\n+}\n"),
                    new Edit("+\t\tlist_del_init(&buf->handed_over);\n+\t\tif (buf->owns_memory)\n",
                            "+\t\tlist_del_init(&buf->handed_over); if (buf->exporter && "
                            + "buf->exporter->runtime && buf->exporter->runtime->dmabuf == buf) "
                            + "buf->exporter->runtime->dmabuf = NULL;\n+\t\tif (buf->owns_memory)\n")),
                    "plat-file-lifetime.ops", "PLAT-FILE-LIFETIME", "a stale struct file pointer revalidated"),
            new Variant("EXPORT state check removed",
                    "+\tdefault:\n+\t\treturn -EBADFD;\n+\t}\n",
                    "+\tdefault:\n+\t\treturn 0;\n+\t}\n", "export.ops", "EXPORT-STATE"),
            new Variant("hw_free hands the memory over without orphaning",
                    "+\t\t\tsnd_pcm_dmabuf_exporter_done(buf);\n+\t\t\tsnd_pcm_dmabuf_update_orphan(buf);\n",
                    "+\t\t\tsnd_pcm_dmabuf_exporter_done(buf);\n+\t\t\t/* not orphaned */\n", "lifetime.ops",
                    "LIFETIME-ENODEV"),
            new Variant("ATTACH size check removed",
                    "+\tif (dmabuf->size < runtime->dma_bytes)\n",
                    "+\tif (!dmabuf->size)\n", "attach.ops", "ATTACH-SIZE"),
            new Variant("begin_cpu_access no longer invalidates",
                    "+\t\t\tdma_sync_sgtable_for_cpu(m->dev, &m->sgt, m->dir);\n",
                    "+\t\t\tcontinue;\n", "cache-sync.ops", "CACHE-SYNC-ALL-DEVICES"),
            new Variant("EXPORT ignores the PCM file's mode",
                    "+\tif (mode == O_RDWR && !(file->f_mode & FMODE_WRITE))\n",
                    "+\tif (mode == O_RDWR && !file)\n", "export-rdwr-eacces.ops", "EXPORT-RDWR-EACCES"),
            new Variant("ATTACH ignores the dma-buf file's mode",
                    "+\tif (!(dmabuf->file->f_mode & FMODE_WRITE) &&\n",
                    "+\tif (!dmabuf->file &&\n", "attach-capture-eacces.ops", "ATTACH-CAPTURE-EACCES"),
            new Variant("revocation leaves the CPU mappings",
                    "+\t\tunmap_mapping_range(buf->dmabuf->file->f_mapping, 0, 0, 1);\n",
                    "+\t\tbuf->nr_vmas += 0;\n", "suspend-disconnect.ops", "LIFETIME-REVOKE-ZAP"),
            // the platform of docs/spec.md section 3 in the harness's shims: swiotlb, an IOMMU, DMA-API debugging
            new Variant("the syncs skip DMA-coherent devices",
                    "+\t\tif (!for_cpu)\n+\t\t\tdma_sync_sgtable_for_device(m->dev, &m->sgt, m->dir);\n",
                    "+\t\tif (!for_cpu && !m->dev->dma_coherent)\n+\t\t\tdma_sync_sgtable_for_device(m->dev, &m->sgt, m->dir);\n",
                    "plat-bounce.ops", "PLAT-BOUNCE"),
            new Variant("the importer's DMA address is the physical address, not the IOVA",
                    "+\t\timp->dmab.addr = sg_dma_address(imp->sgt->sgl);\n",
                    "+\t\timp->dmab.addr = page_to_pfn(sg_page(imp->sgt->sgl)) << PAGE_SHIFT;\n",
                    "plat-iommu.ops", "PLAT-IOMMU", "IOMMU fault: device"),
            new Variant("the unmap names another direction than the map",
                    "+\t\tdma_unmap_sgtable(m->dev, &m->sgt, m->dir, 0);\n+\tsg_free_table(&m->sgt);\n"
                            + "+\tsg_free_table(&m->out);\n",
                    "+\t\tdma_unmap_sgtable(m->dev, &m->sgt, DMA_BIDIRECTIONAL, 0);\n+\tsg_free_table(&m->sgt);\n"
                            + "+\tsg_free_table(&m->out);\n",
                    "plat-dma-debug.ops", "PLAT-DMA-DEBUG", "frees DMA memory with different direction"),
            new Variant("the disconnect leaves a revoked export's DMA memory to the dma-buf's release",
                    "+\tif (buf->owns_memory && !buf->nr_users) {\n",
                    "+\tif (buf->owns_memory && !buf->nr_users && !buf->dmabuf) {\n",
                    "plat-dma-debug-unbind.ops", "PLAT-DMA-DEBUG",
                    "pending DMA allocations while released from device"),
            new Variant("the importer looks at the pages of the table it was given", List.of(new Edit(
                    "+\tfor_each_sgtable_dma_sg(sgt, sg, i) {\n+\t\tif (i && sg_dma_address(sg) != next)\n",
                    "+\tfor_each_sgtable_dma_sg(sgt, sg, i) {\n+\t\tif (!sg_page(sg) || (i && sg_dma_address(sg) != next))\n")),
                    "plat-dma-debug.ops", "PLAT-DMA-DEBUG", "mangle_sg_table() scrambles its page links"),
            new Variant("the importer unmaps with another direction than it mapped", List.of(new Edit(
                    "+\t\tdma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt,\n+\t\t\t\t\t\t  imp->dir);\n",
                    "+\t\tdma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt,\n+\t\t\t\t\t\t  DMA_BIDIRECTIONAL);\n")),
                    "plat-dma-debug.ops", "PLAT-DMA-DEBUG", "dma_buf_unmap_attachment() with direction DMA_BIDIRECTIONAL"),
            // a NULL dereference kills the harness process: validate reports the crash per case and goes on
            new Variant("release dereferences NULL",
                    "+static void snd_pcm_dmabuf_release(struct dma_buf *dmabuf)\n+{\n+\tstruct snd_pcm_dmabuf *buf = dmabuf->priv;\n",
                    "+static void snd_pcm_dmabuf_release(struct dma_buf *dmabuf)\n+{\n+\tstruct snd_pcm_dmabuf *buf = NULL;\n",
                    "examples/rfc-flow.ops", "UAPI-CLIENT-FLOW", "# C  [libpcmdmabuf-harness.so+"));

    /**
     * A breakage of an error path or of the accounting: the stage of validate that must fail a case for it
     * ({@code fault}: the fault sweep, FAULT-NO-CHANGE and FAULT-NO-LEAK; {@code conformance}: a case run as it
     * is, whose teardown finds what the code still holds), the case, and what the report must show.
     */
    record FaultVariant(String name, String from, String to, String stage, String caughtBy, String shows) {
    }

    static final List<FaultVariant> FAULT_VARIANTS = List.of(
            new FaultVariant("an error path of the map leaks its mapping",
                    "+\tif (err) {\n+\t\tkfree(m);\n+\t\treturn ERR_PTR(err);\n",
                    "+\tif (err) {\n+\t\t/* the caller frees it */\n+\t\treturn ERR_PTR(err);\n",
                    "fault", "attach.ops", "is held: kzalloc at sound/core/pcm_dmabuf.c:"
                            + CoreLines.lineOf("m = kzalloc(sizeof(*m), GFP_KERNEL);") + " (FAULT-NO-LEAK)"),
            new FaultVariant("ATTACH out of memory answers EINVAL",
                    "+\tif (!imp) {\n+\t\tdma_buf_put(dmabuf);\n+\t\treturn -ENOMEM;\n",
                    "+\tif (!imp) {\n+\t\tdma_buf_put(dmabuf);\n+\t\treturn -EINVAL;\n",
                    "fault", "attach.ops", "(kzalloc at sound/core/pcm_dmabuf.c:"
                            + CoreLines.lineOf("imp = kzalloc(sizeof(*imp), GFP_KERNEL);") + " (ENOMEM)): the op failed with"
                            + " EINVAL, not with the injected ENOMEM"),
            // a PCM export is vmapped by the series itself (no dma_buf_vmap(), which WARNs at a refusal): the
            // user it never drops keeps the export from being orphaned
            new FaultVariant("DETACH keeps the vmap",
                    "+\tif (imp->map.vaddr && imp->dmabuf->ops == &snd_pcm_dmabuf_ops)\n"
                            + "+\t\tsnd_pcm_dmabuf_vunmap(imp->dmabuf, &imp->map);\n",
                    "+\tif (imp->map.vaddr && imp->dmabuf->ops == &snd_pcm_dmabuf_ops)\n+\t\timp->map.vaddr = NULL;\n",
                    "fault", "attach.ops", "orphaned: model vs C ==> expected: <1> but was: <0>"),
            new FaultVariant("the release leaves the export on the handed-over list",
                    "+\t\tlist_del_init(&buf->handed_over);\n+\t\tif (buf->owns_memory)\n",
                    "+\t\t/* stays listed */\n+\t\tif (buf->owns_memory)\n",
                    "conformance", "attach.ops", "list_add corruption. prev->next should be next"),
            new FaultVariant("the release frees the page array twice",
                    "+\tmutex_destroy(&buf->lock);\n+\tkvfree(buf->pages);\n+\tkfree(buf);\n",
                    "+\tmutex_destroy(&buf->lock);\n+\tkvfree(buf->pages);\n+\tkvfree(buf->pages);\n",
                    "conformance", "export.ops", "double free of"));

    /**
     * Every error path runs: a variant that mishandles one, or that leaks, frees twice or corrupts a list, fails
     * validate in the stage and case that reach it, the report naming what the C code did.
     */
    @TestFactory
    Stream<DynamicTest> validateFailsEveryErrorPathVariant() throws Exception {
        // the race stage judges locks, which no variant here touches (RaceKernelTest and DroppedLockTest drop them)
        return TwoAtATime.tests(FAULT_VARIANTS, FaultVariant::name, v -> PcmsimRunTest.pcmsim("validate",
                "--no-kernel-checks", "--sequences", "0", "--no-races", "--format", "ktap", write(tmp,
                        new Variant(v.name(), v.from(), v.to(), v.caughtBy(), null)).toString()), (v, r) -> {
            String report = r.out();
            assertEquals(1, r.exit(), v.name() + ": validate passes this broken patch\n" + report + r.err());
            assertTrue(Pattern.compile("(?m)^not ok \\d+ " + v.stage() + ": " + Pattern.quote(v.caughtBy() + " ("))
                    .matcher(report).find(), v.name() + ": expected " + v.stage() + " " + v.caughtBy() + " to fail:\n"
                    + report);
            assertTrue(report.contains(v.shows()), v.name() + ": no '" + v.shows() + "' in\n" + report);
        });
    }

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> validateFailsEveryBrokenVariantAndNamesTheRule() throws Exception {
        // check.sh's steps are the same for every variant (they compile and pass checkpatch alike) and
        // take minutes each: run-tests validates the shipped series with them. Each variant is here for the
        // case that catches it; the stages after the cases have variants of their own (the error-path ones
        // above, RaceKernelTest, DroppedLockTest, ShardMergeTest's), and most of these fail every one of
        // them again, a crashing variant once per schedule.
        return TwoAtATime.tests(VARIANTS, Variant::name, v -> PcmsimRunTest.pcmsim("validate", "--no-kernel-checks",
                "--no-faults", "--no-races", "--sequences", "0", "--format", "ktap", write(tmp, v).toString()),
                (v, r) -> {
            String report = r.out();
            assertEquals(1, r.exit(), v.name() + ": validate passes this broken patch\n" + report + r.err());
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
        });
    }

    /** The series with patch 0002 edited, in a folder of {@code tmp} named after the variant. */
    static Path write(Path tmp, Variant v) throws IOException {
        Path series = tmp.resolve(v.name().replaceAll("\\W+", "-"));
        Files.createDirectories(series);
        try (Stream<Path> patches = Files.list(KERNEL_PATCH.resolve("series"))) {
            for (Path p : patches.sorted().toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                if (p.getFileName().toString().startsWith("0002-")) {
                    for (Edit e : v.edits()) {
                        int at = text.indexOf(e.from());
                        assertTrue(at >= 0 && text.indexOf(e.from(), at + 1) < 0,
                                v.name() + ": the text to break is not in patch 0002 exactly once");
                        text = text.replace(e.from(), e.to());
                    }
                }
                Files.writeString(series.resolve(p.getFileName()), text, StandardCharsets.UTF_8);
            }
        }
        return series;
    }
}
