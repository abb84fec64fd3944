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

/**
 * Binding declarations to real cards: the drivers' ATTACH opt-in, the buffers they manage, and cards whose DMA an IOMMU
 * translates (docs/decisions.md 3b).
 */
class CardsTest {
    private static final Map<String, Integer> CARD_OF = Map.of("dummy", 0, "aloop", 1, "pcmtest", 2, "hda", 3);
    /** The known kinds, but an hda that opts in to ATTACH, as a contiguous-only driver of another series might. */
    private static final Map<String, Cards.Kind> HDA_ATTACHES = Map.of(
            "dummy", Cards.KINDS.get("dummy"), "aloop", Cards.KINDS.get("aloop"),
            "pcmtest", Cards.KINDS.get("pcmtest"), "hda", new Cards.Kind("hda", true, true, false, false, true, true, false));
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
        assertEquals("hda pcmC3D0p",
                new Cards(CARD_OF, true, Set.of(), HDA_ATTACHES).assign(s).get("pcm0").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Cards(CARD_OF, true, Set.of("hda"), HDA_ATTACHES).assign(s));
        assertTrue(e.getMessage().contains("hda pcmC3D0p: behind a translating IOMMU (iommu=true)"), e.getMessage());
    }

    @Test
    void aCardBehindAnIommuStillBindsWhereContiguityDoesNotMatter() {
        Script s = parse("device pcm0 playback pause=true\nproc a\na open pcm0 as p\na pause p on\n");
        assertEquals("hda pcmC3D0p",
                new Cards(CARD_OF, true, Set.of("hda"), HDA_ATTACHES).assign(s).get("pcm0").toString());
    }

    @Test
    void theSeriesHdaNeitherAttachesNorExportsAsAManagedBuffer() {
        Cards cards = new Cards(CARD_OF, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cards.assign(parse(CONTIGUITY)));
        assertTrue(e.getMessage().contains("hda pcmC3D0p: its driver does not opt in to ATTACH"), e.getMessage());
        // pause: the dummy has none, so without the rules the hda would be the exporter or the importer
        String pausing = "device pcm0 playback\ndevice pcm1 playback pause=true\nproc a\n"
                + "a open pcm0 as p\na open pcm1 as q\na pause q on\n"
                + "a hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4\n"
                + "a hw_params q access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4\n";
        assertEquals("aloop pcmC1D0p", cards.assign(parse(pausing + "a dmabuf_export q as d\na dmabuf_attach p d\n"))
                .get("pcm1").toString(), "the hda's buffer is a preallocation");
        assertEquals("aloop pcmC1D0p", cards.assign(parse(pausing + "a dmabuf_export p as d\na dmabuf_attach q d\n"))
                .get("pcm1").toString(), "the hda does not attach");
        assertEquals("hda pcmC3D0p", cards.assign(parse(pausing + "a dmabuf_export p as d\n")).get("pcm1").toString(),
                "the hda only pauses");
    }

    @Test
    void aFaultInjectingCaseIsNotApplicableOnTheDeviceRatherThanFailingTheRun() {
        Script s = parse("device pcm0 playback\nproc a\na open pcm0 as p\nfail_nth 1\na close p\n");
        String why = DeviceTarget.notApplicable(s, new Cards(CARD_OF, true));
        assertTrue(why != null && why.startsWith("line 4: fail_nth"), String.valueOf(why));
    }

    private static void group(Path sound, int card, String type) throws IOException {
        Path g = Files.createDirectories(sound.resolve("card" + card + "/device/iommu_group"));
        Files.writeString(g.resolve("type"), type);
    }

    /** snd-aloop takes 6 channels where snd-dummy's limits, the declaration's, refuse them (random sequence 558). */
    @Test
    void hwParamsOutsideTheCommonOnesBindOnlySndDummy() {
        String script = """
                device pcm0 playback
                proc server
                server open pcm0 as f0
                server hw_params f0 access=RW_INTERLEAVED format=S16_LE channels=CH rate=48000 period_frames=256 periods=4
                """;
        Cards cards = new Cards(CARD_OF, true);
        assertEquals("dummy", cards.assign(parse(script.replace("CH", "2"))).get("pcm0").kind());
        Cards noDummy = new Cards(Map.of("aloop", 1, "pcmtest", 2, "hda", 3), true);
        assertEquals("hda", noDummy.assign(parse(script.replace("CH", "2"))).get("pcm0").kind());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> noDummy.assign(parse(script.replace("CH", "6"))));
        assertTrue(e.getMessage().contains("only snd-dummy's limits are the declared"), e.getMessage());
    }
}
