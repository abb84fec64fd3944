package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code munmap MAP keep=N} on the model (docs/op-scripts.md): the mapping keeps its first N bytes, as
 * do_vmi_munmap() (mm/vma.c) leaves a mapping whose tail it unmapped.
 */
class MunmapTailTest {
    @Test
    void aDmabufMappingKeepsItsHeadAndFaultsPastIt() throws ScriptException {
        assertEquals(List.of("4", "0", "EINVAL", "0", "0", "0", "EFAULT", "0", "0", "EFAULT", "0", "0"),
                GupTest.answers("", """
                        a dmabuf_export p as d
                        a mmap d len=16384 prot=rw as m
                        a munmap m keep=6000
                        a munmap m keep=65536
                        a fill m off=12288 len=4096
                        a munmap m keep=8192
                        a fill m off=8192 len=4
                        a fill m off=4092 len=4
                        a munmap m keep=0
                        a fill m off=0 len=4
                        a munmap m keep=4096
                        a munmap m
                        """));
    }

    @Test
    void aPcmDataMappingKeepsItsHeadToo() throws ScriptException {
        assertEquals(List.of("0", "0", "EFAULT", "0", "0"), GupTest.answers("", """
                a mmap p len=16384 prot=rw as n
                a munmap n keep=4096
                a fill n off=4096 len=4
                a fill n off=0 len=4
                a munmap n
                """));
    }

    @Test
    void keepIsWrittenBackAsItWasRead() throws ScriptException {
        String prefix = "device pcm0 playback\nproc a\na open pcm0 as p\na" + GupTest.HW
                + "a dmabuf_export p as d\na mmap d off=0 len=8192 prot=r as m\n";
        for (String line : List.of("a munmap m keep=4096", "a munmap m")) {
            Op op = ScriptParser.parse(prefix + line + "\n").ops().getLast();
            assertEquals(line, ScriptWriter.line(op));
        }
        assertNull(((Op.Munmap) ScriptParser.parse(prefix + "a munmap m\n").ops().getLast()).keep());
    }
}
