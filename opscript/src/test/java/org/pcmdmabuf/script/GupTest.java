package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code gup} and {@code unpin} on the model (docs/op-scripts.md, PERM-GUP-EFAULT): a PCM dma-buf mapping gives no
 * pin, a PCM data mapping as its buffer type's mmap maps it (struct pages pin, page frames are EFAULT), a mapping
 * gone or without the access is EFAULT, and pins outlive munmap until unpin.
 */
class GupTest {
    static final String HW = " hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000"
            + " period_frames=1024 periods=4\n";

    /**
     * The model's answers (the return value, or the errno) to {@code ops} of process {@code a}, after it opened
     * pcm0 (a {@code device} line's options) as {@code p} and set its hardware parameters.
     */
    static List<String> answers(String device, String ops) throws ScriptException {
        String script = "device pcm0 playback " + device + "\nproc a\na open pcm0 as p\na" + HW + ops;
        return ScriptRunner.run(ScriptParser.parse(script), new ModelTarget()).stream()
                .map(s -> s.outcome().errno() == null ? String.valueOf(s.outcome().ret()) : s.outcome().errno())
                .toList().subList(2, 2 + (int) ops.lines().count());
    }

    @Test
    void aDmabufMappingGivesNoPinOnAnyBufferType() throws ScriptException {
        for (String device : List.of("", "buffer=vmalloc", "coherent=true contiguous=false", "buffer=dev iommu=true",
                "buffer=noncontig iommu=true")) {
            assertEquals(List.of("4", "0", "EFAULT", "EFAULT", "EINVAL"), answers(device, """
                    a dmabuf_export p as d
                    a mmap d len=16384 prot=rw as m
                    a gup m
                    a gup m write
                    a unpin m
                    """), device);
        }
    }

    @Test
    void aPcmDataMappingPinsAsItsBufferTypeIsMapped() throws ScriptException {
        String ops = """
                a mmap p len=16384 prot=rw as m
                a gup m write
                a munmap m
                a gup m
                a unpin m
                a unpin m
                """;
        assertEquals(List.of("0", "4", "0", "EFAULT", "4", "EINVAL"), answers("buffer=vmalloc", ops));
        assertEquals(List.of("0", "4", "0", "EFAULT", "4", "EINVAL"), answers("coherent=true contiguous=false", ops));
        assertEquals(List.of("0", "EFAULT", "0", "EFAULT", "EINVAL", "EINVAL"), answers("", ops));
        assertEquals(List.of("0", "EFAULT", "0", "EFAULT", "EINVAL", "EINVAL"), answers("buffer=noncontig", ops));
        assertEquals(List.of("0", "4", "0", "EFAULT", "4", "EINVAL"), answers("buffer=noncontig iommu=true", ops));
    }

    @Test
    void aPinNeedsTheAccessOfTheMapping() throws ScriptException {
        assertEquals(List.of("0", "EFAULT", "4", "4"), answers("buffer=vmalloc", """
                a mmap p len=16384 prot=r as m
                a gup m write
                a gup m
                a unpin m
                """));
    }
}
