package org.pcmdmabuf.conformance.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * gcov's intermediate text read as the revision's figures: its pcm_dmabuf.c only, lines with code counted,
 * branches taken or not; and a sanitizer's report cut to its head, with the revision's files named as the
 * kernel tree names them.
 */
class CoverageTest {
    /** gcov -b -c -t of a library with one shim and the revision's file, as gcov 12 prints it. */
    static final List<String> GCOV = """
                    -:    0:Source:/work/kernel-patch/harness/shim/src/fs/file.c
                    -:    0:Graph:/tmp/v/harness.gcno
                    5:   10:static int get_unused_fd_flags(unsigned int flags)
                #####:   11:	return -EMFILE;
                    -:    0:Source:/tmp/v/src-coverage/sound/core/pcm_dmabuf.c
                    -:    0:Graph:/tmp/v/harness.gcno
                    -:    1:// SPDX-License-Identifier: GPL-2.0
                   12:   20:	if (arg->flags)
            branch  0 taken 0 (fallthrough)
            branch  1 taken 12
                #####:   21:		return -EINVAL;
                   3*:   22:	scoped_guard(mutex, &buf->lock) {
            branch  0 never executed
            branch  1 taken 3
            call    2 returned 3
                =====:   23:	kfree(m);
                    -:    0:Source:/work/kernel-patch/harness/shim/linux/list.h
                #####:    5:	list->next = list;
            branch  0 never executed
            """.lines().toList();

    @Test
    void countsTheRevisionsFileAlone() {
        Coverage c = Coverage.parse(GCOV);
        assertEquals(Coverage.FILE, c.file());
        assertEquals(4, c.lines());
        assertEquals(2, c.linesReached());
        assertEquals(4, c.branches());
        assertEquals(2, c.branchesTaken());
        assertEquals(List.of(new Coverage.Line(21, "return -EINVAL;"), new Coverage.Line(23, "kfree(m);")),
                c.unreachedLines());
        assertEquals(List.of(new Coverage.Branch(20, 0, "if (arg->flags)"),
                new Coverage.Branch(22, 0, "scoped_guard(mutex, &buf->lock) {")), c.unreachedBranches());
        assertEquals("lines 2/4 (50.0%), branches 2/4 (50.0%)", c.summary());
        assertTrue(c.text().contains("  sound/core/pcm_dmabuf.c:22: branch 0: scoped_guard(mutex, &buf->lock) {"),
                String.join("\n", c.text()));
        assertEquals("{\"file\": \"sound/core/pcm_dmabuf.c\", \"lines\": 4, \"linesReached\": 2, \"branches\": 4, "
                + "\"branchesTaken\": 2, \"unreachedLines\": [{\"line\": 21, \"text\": \"return -EINVAL;\"}, "
                + "{\"line\": 23, \"text\": \"kfree(m);\"}], \"unreachedBranches\": [{\"line\": 20, \"branch\": 0, "
                + "\"text\": \"if (arg->flags)\"}, {\"line\": 22, \"branch\": 0, \"text\": "
                + "\"scoped_guard(mutex, &buf->lock) {\"}]}", c.json());
    }

    @Test
    void noRevisionFileIsNoCoverage() {
        assertNull(Coverage.parse(GCOV.subList(0, 4)));
    }

    @Test
    void aSanitizerReportIsCutToItsHead() {
        Path scratch = Path.of("/tmp/pcmsim-validate-1");
        List<String> out = """
                begin\tconformance\tattach.ops\tATTACH-STATE
                =================================================================
                ==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x6030 at pc 0x7f bp 0x7e sp 0x7d
                WRITE of size 8 at 0x6030 thread T1
                    #0 0x7f01 in snd_pcm_dmabuf_unmap /tmp/pcmsim-validate-1/src-asan/sound/core/pcm_dmabuf.c:354
                    #1 0x7f02 in dma_buf_detach /work/kernel-patch/harness/shim/src/drivers/dma-buf/dma-buf.c:140
                    #2 0x7f03 in harness_detach /work/kernel-patch/harness/harness.c:571
                    #3 0x7f04  (<unknown module>)
                    #4 0x7f05  (<unknown module>)
                    #5 0x7f06  (<unknown module>)
                    #6 0x7f07  (<unknown module>)

                freed by thread T1 here:
                    #0 0x7f11 in free
                    #1 0x7f12 in snd_pcm_dmabuf_unmap /tmp/pcmsim-validate-1/src-asan/sound/core/pcm_dmabuf.c:353
                SUMMARY: AddressSanitizer: heap-use-after-free /tmp/pcmsim-validate-1/src-asan/sound/core/pcm_dmabuf.c:354 in snd_pcm_dmabuf_unmap
                ==7==ABORTING
                """.lines().toList();
        assertEquals(List.of("AddressSanitizer: heap-use-after-free on address 0x6030 at pc 0x7f bp 0x7e sp 0x7d",
                "WRITE of size 8 at 0x6030 thread T1",
                "  #0 0x7f01 in snd_pcm_dmabuf_unmap sound/core/pcm_dmabuf.c:354",
                "  #1 0x7f02 in dma_buf_detach /work/kernel-patch/harness/shim/src/drivers/dma-buf/dma-buf.c:140",
                "  #2 0x7f03 in harness_detach /work/kernel-patch/harness/harness.c:571",
                "  #3 0x7f04  (<unknown module>)", "  #4 0x7f05  (<unknown module>)", "  #5 0x7f06  (<unknown module>)",
                "SUMMARY: AddressSanitizer: heap-use-after-free sound/core/pcm_dmabuf.c:354 in snd_pcm_dmabuf_unmap"),
                SanitizerReport.first(out, scratch));
    }

    @Test
    void anUndefinedBehaviorReportIsNamedSo() {
        List<String> out = List.of(
                "/tmp/pcmsim-validate-1/src-asan/sound/core/pcm_dmabuf.c:837:16: runtime error: store to address "
                        + "0x60c0 with insufficient space for an object of type 'dma_addr_t'",
                "    #0 0x7f01 in snd_pcm_dmabuf_publish /tmp/pcmsim-validate-1/src-asan/sound/core/pcm_dmabuf.c:837",
                "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior "
                        + "/tmp/pcmsim-validate-1/src-asan/sound/core/pcm_dmabuf.c:837:16 in");
        assertEquals(List.of("UndefinedBehaviorSanitizer: sound/core/pcm_dmabuf.c:837:16: runtime error: store to "
                + "address 0x60c0 with insufficient space for an object of type 'dma_addr_t'",
                "  #0 0x7f01 in snd_pcm_dmabuf_publish sound/core/pcm_dmabuf.c:837",
                "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior sound/core/pcm_dmabuf.c:837:16 in"),
                SanitizerReport.first(out, Path.of("/tmp/pcmsim-validate-1")));
    }

    /**
     * A build reused from {@link HarnessBuilds} was compiled in another validation's scratch folder, which UBSan's
     * locations and ASan's globals still name (build.sh maps it away only in the debug information).
     */
    @Test
    void aReusedBuildsFirstScratchFolderIsLeftOutToo() {
        List<String> out = List.of(
                "/tmp/pcmsim-validate-7/src-asan/sound/core/pcm_dmabuf.c:837:16: runtime error: store to address "
                        + "0x60c0 with insufficient space for an object of type 'dma_addr_t'",
                "    #0 0x7f01 in snd_pcm_dmabuf_publish sound/core/pcm_dmabuf.c:837",
                "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior "
                        + "/tmp/pcmsim-validate-7/src-asan/sound/core/pcm_dmabuf.c:837:16 in");
        assertEquals(List.of("UndefinedBehaviorSanitizer: sound/core/pcm_dmabuf.c:837:16: runtime error: store to "
                + "address 0x60c0 with insufficient space for an object of type 'dma_addr_t'",
                "  #0 0x7f01 in snd_pcm_dmabuf_publish sound/core/pcm_dmabuf.c:837",
                "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior sound/core/pcm_dmabuf.c:837:16 in"),
                SanitizerReport.first(out, Path.of("/tmp/pcmsim-validate-1")));
        List<String> global = List.of("==1==ERROR: AddressSanitizer: global-buffer-overflow on address 0x7f00",
                "READ of size 4 at 0x7f00 thread T0",
                "  #0 0x7f01 in snd_pcm_dmabuf_ioctl sound/core/pcm_dmabuf.c:900",
                "SUMMARY: AddressSanitizer: global-buffer-overflow "
                        + "'/tmp/pcmsim-validate-7/src-asan/sound/core/pcm_dmabuf.c:12:3' in snd_pcm_dmabuf_ioctl");
        assertEquals("SUMMARY: AddressSanitizer: global-buffer-overflow 'sound/core/pcm_dmabuf.c:12:3' in "
                + "snd_pcm_dmabuf_ioctl", SanitizerReport.first(global, Path.of("/tmp/pcmsim-validate-1")).getLast());
    }

    @Test
    void aCrashWithoutReportIsNoSanitizers() {
        assertEquals(List.of(), SanitizerReport.first(List.of("#  SIGSEGV (0xb) at pc=0x1", "# C  [lib+0x10]"),
                Path.of("/tmp/x")));
    }
}
