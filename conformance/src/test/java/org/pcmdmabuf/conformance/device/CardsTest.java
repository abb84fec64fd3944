package org.pcmdmabuf.conformance.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;

/** Binding declarations to real cards where an IOMMU translates a card's DMA (docs/decisions.md 3b). */
class CardsTest {
    private static final Map<String, Integer> CARD_OF = Map.of("dummy", 0, "aloop", 1, "pcmtest", 2, "hda", 3);
    /** A contiguous-only device attaching a scattered device's export: EINVAL without an IOMMU only. */
    private static final String CONTIGUITY = """
            device pcm0 playback contiguous=true
            device sg playback contiguous=false
            proc server
            server open pcm0 as p
            server open sg as g
            server hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            server hw_params g access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            server dmabuf_export g as sg_buf
            server dmabuf_attach p sg_buf        #=> EINVAL SETUP
            """;

    private static Script parse(String text) {
        try {
            return ScriptParser.parse(text);
        } catch (ScriptException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void translatedKindsAreThoseWhoseIommuGroupHasADmaDomain(@TempDir Path sound) throws IOException {
        group(sound, 3, "DMA\n");
        group(sound, 2, "DMA-FQ\n");
        group(sound, 1, "identity\n");
        Files.createDirectories(sound.resolve("card0/device"));     // no IOMMU group at all
        assertEquals(Set.of("hda", "pcmtest"), Cards.translated(CARD_OF, sound));
    }

    @Test
    void aContiguousOnlyAttachOfScatteredMemoryBindsTheHdaOnlyWithoutAnIommu() {
        Script s = parse(CONTIGUITY);
        assertEquals("hda pcmC3D0p", new Cards(CARD_OF, true, Set.of()).assign(s).get("pcm0").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Cards(CARD_OF, true, Set.of("hda")).assign(s));
        assertTrue(e.getMessage().contains("hda pcmC3D0p: behind a translating IOMMU (iommu=true)"), e.getMessage());
    }

    @Test
    void aCardBehindAnIommuStillBindsWhereContiguityDoesNotMatter() {
        Script s = parse("device pcm0 playback pause=true\nproc a\na open pcm0 as p\na pause p on\n");
        assertEquals("hda pcmC3D0p", new Cards(CARD_OF, true, Set.of("hda")).assign(s).get("pcm0").toString());
    }

    private static void group(Path sound, int card, String type) throws IOException {
        Path g = Files.createDirectories(sound.resolve("card" + card + "/device/iommu_group"));
        Files.writeString(g.resolve("type"), type);
    }
}
