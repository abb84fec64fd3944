package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pcmdmabuf.model.BufferType;
import org.pcmdmabuf.model.DmabufOptIn;
import org.pcmdmabuf.model.DriverProfile;
import org.pcmdmabuf.model.PcmHardware;

/** The platform attributes of a {@code device} line (docs/op-scripts.md, SCRIPT-PLATFORM). */
class PlatformAttributesTest {
    private static PcmHardware device(String attributes) throws ScriptException {
        return ScriptParser.parse("device pcm0 playback " + attributes + "\nproc a\n").devices().getFirst();
    }

    @Test
    void everyAttributeParsesAndIsWrittenBack() throws ScriptException {
        PcmHardware hw = device("coherent=true buffer=dev-wc iommu=true bounce=true driver=keeps-addr optin=export");
        assertEquals(BufferType.DEV_WC, hw.buffer());
        assertTrue(hw.iommu());
        assertTrue(hw.bounce());
        assertEquals(DriverProfile.KEEPS_ADDR, hw.driver());
        assertEquals(DmabufOptIn.EXPORT, hw.optIn());
        assertFalse(hw.defaultPlatform());
        Script again = ScriptParser.parse(ScriptWriter.write(ScriptParser.parse(
                "device pcm0 playback coherent=true buffer=dev-wc iommu=true bounce=true driver=keeps-addr"
                        + " optin=export\nproc a\n")));
        assertEquals(hw, again.devices().getFirst());
    }

    @Test
    void theDefaultBufferTypeIsTheOneTheDmaPropertiesImply() throws ScriptException {
        assertEquals(BufferType.NONCOHERENT, device("").buffer());
        assertEquals(BufferType.NONCONTIG, device("contiguous=false").buffer());
        assertEquals(BufferType.DEV, device("coherent=true").buffer());
        assertEquals(BufferType.DEV_SG, device("coherent=true contiguous=false").buffer());
        assertTrue(device("coherent=true contiguous=false").defaultPlatform());
        // the writer leaves out what is implied, so scripts written before the platform existed read the same
        assertFalse(ScriptWriter.write(ScriptParser.parse("device pcm0 playback\nproc a\n")).contains("buffer="));
    }

    @Test
    void aScatteredBufferMakesTheDeviceScatterGatherUnlessTheLineSaysOtherwise() throws ScriptException {
        assertFalse(device("buffer=vmalloc").contiguous());
        ScriptException e = assertThrows(ScriptException.class, () -> device("contiguous=true buffer=dev-sg"));
        assertTrue(e.describe().contains("'contiguous=true': a device that needs contiguous memory cannot use"
                + " buffer=dev-sg"), e.describe());
    }

    /** mover=cpu: a driver whose CPU moves the data of a device with a DMA mask (snd-pcmtest), as a vmalloc one. */
    @Test
    void aCpuMoverIsADeviceWhoseDataTheCpuMoves() throws ScriptException {
        PcmHardware hw = device("coherent=true mover=cpu bounce=true");
        assertTrue(hw.cpuMover());
        assertTrue(hw.cpuMovesData());
        assertTrue(hw.syncFree());
        assertFalse(hw.defaultPlatform());
        assertEquals(hw, ScriptParser.parse(ScriptWriter.write(ScriptParser.parse(
                "device pcm0 playback coherent=true mover=cpu bounce=true\nproc a\n"))).devices().getFirst());
        assertFalse(device("mover=dma").cpuMovesData());
        assertTrue(device("buffer=vmalloc").cpuMovesData());
        ScriptException e = assertThrows(ScriptException.class, () -> device("buffer=vmalloc mover=dma"));
        assertTrue(e.describe().contains("'mover=dma': the CPU moves the data of a buffer=vmalloc device"),
                e.describe());
        assertTrue(assertThrows(ScriptException.class, () -> device("mover=gpu")).describe()
                .contains("expected mover=cpu or mover=dma"));
    }

    @Test
    void aBadValueIsNamedWithTheValuesAllowed() {
        ScriptException e = assertThrows(ScriptException.class, () -> device("driver=sof"));
        assertTrue(e.describe().contains("'driver=sof': expected one of managed prealloc fixed keeps-addr"
                + " descriptors"), e.describe());
    }

    @Test
    void aTargetThatDoesNotModelThePlatformRefusesTheScriptNamingTheDevice() throws ScriptException {
        Script s = ScriptParser.parse("device pcm0 playback\ndevice pcm1 capture iommu=true\nproc a\n");
        assertEquals("device pcm1: --target device does not model its platform (capture coherent=false"
                + " contiguous=true iommu=true) yet", Target.refusal(s, "device"));
        // the harness models an IOMMU and swiotlb in its kernel shim (drivers/iommu/dma-iommu.c, kernel/dma/swiotlb.c)
        assertNull(Target.refusal(s, "harness"));
        assertNull(Target.refusal(ScriptParser.parse("device pcm0 playback bounce=true\nproc a\n"), "harness"));
        assertNull(Target.refusal(ScriptParser.parse("device pcm0 playback\nproc a\n"), "harness"));
        // the harness models buffer types, driver profiles and opt-ins in its kernel shim
        Script modelled = ScriptParser.parse("device pcm0 playback buffer=fake driver=prealloc optin=export\nproc a\n");
        assertNull(Target.refusal(modelled, "harness"));
        assertNotNull(Target.refusal(modelled, "device"));
    }
}
