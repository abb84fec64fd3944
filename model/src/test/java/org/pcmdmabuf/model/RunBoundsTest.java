package org.pcmdmabuf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * What keeps a run bounded: fill and check go a chunk at a time with the answers of one pass, a fill that
 * faults still uses up its stamps, and the two limits only a run can reach stop the op that passes them.
 */
class RunBoundsTest {
    /** A server with a 1 MiB playback buffer exported and mapped, ready to start. */
    private static final class Fixture {
        final World w = new World();
        final Task a = w.addTask("a");
        final int pcm;
        final int dmaBuf;
        final Vma map;

        Fixture() {
            w.addDevice(PcmHardware.dummy("pcm0", PcmStream.PLAYBACK).toBuilder()
                    .with(b -> b.bufferBytesMax = 1 << 20).build());
            pcm = w.open(a, "pcm0", false, false, false).value().intValue();
            w.hwParams(a, pcm, new HwParams(Access.MMAP_INTERLEAVED, Format.S16_LE, 2, 48000, 16384, 16)).value();
            dmaBuf = w.dmabufExport(a, pcm).value().intValue();
            map = w.mmap(a, dmaBuf, 0, 1 << 20, true, true).value();
        }
    }

    @Test
    void aFillAndACheckLongerThanAChunkSeeEveryFrame() {
        Fixture f = new Fixture();
        f.w.dmaBufSync(f.a, f.dmaBuf, DmaBufSync.START | DmaBufSync.WRITE).value();
        f.w.fill(f.a, f.map, 0, 1 << 20).value();
        f.w.dmaBufSync(f.a, f.dmaBuf, DmaBufSync.END | DmaBufSync.WRITE).value();
        assertEquals(new CheckCounts(1 << 18, 0, 0, 0), f.w.check(f.a, f.map, 0, 1 << 20).value());
        SndDmaBuffer b = f.map.buffer;
        for (int w = 0; w < 1 << 18; w++) {
            assertEquals(w + 1, b.logical(w));
        }
        // From an odd word across the first chunk's end.
        assertEquals(new CheckCounts(16385, 0, 0, 0), f.w.check(f.a, f.map, 4, 65540).value());
    }

    @Test
    void aFillThatFaultsStillUsesUpItsStamps() {
        Fixture f = new Fixture();
        f.w.fill(f.a, f.map, 0, 16).value();
        assertEquals(Errno.EFAULT, f.w.fill(f.a, f.map, 0, 8L << 20).errno());
        f.w.fill(f.a, f.map, 16, 4).value();
        assertEquals(4 + (2L << 20) + 1, f.map.buffer.logical(4));
    }

    /**
     * ATTACH checks a stream's buffer against the dma-buf's page-aligned size, so its DMA can run past the end
     * of the exporter's smaller buffer: those frames are outside every word (the DMA used to throw there).
     */
    @Test
    void aStreamLargerThanTheExportersBufferRunsPastItsEnd() {
        for (PcmStream stream : PcmStream.values()) {
            World w = new World();
            Task a = w.addTask("a");
            w.addDevice(PcmHardware.dummy("pcm0", stream));
            w.addDevice(PcmHardware.dummy("pcm1", stream));
            int p = w.open(a, "pcm0", false, false, false).value().intValue();
            w.hwParams(a, p, new HwParams(Access.MMAP_INTERLEAVED, Format.S16_LE, 1, 48000, 256, 1)).value();
            int q = w.open(a, "pcm1", false, false, false).value().intValue();
            w.hwParams(a, q, new HwParams(Access.MMAP_INTERLEAVED, Format.U8, 1, 48000, 256, 4)).value();
            int d = w.dmabufExport(a, p).value().intValue();
            w.dmabufAttach(a, q, d).value();
            w.prepare(a, q).value();
            if (stream == PcmStream.PLAYBACK) {
                w.syncPtr(a, q, 1024L).value();
            }
            w.start(a, q).value();
            w.advanceFrames(1024).value();
            assertEquals(PcmState.XRUN, w.substreamOf(a, q).state());
        }
    }

    @Test
    void anOpRecordingMoreViolationsThanItsLimitIsStopped() {
        Fixture f = new Fixture();
        // Written with no sync: the DMA reads it stale at every period from now on.
        f.w.fill(f.a, f.map, 0, 1 << 20).value();
        f.w.swParams(f.a, f.pcm, new SwParams(null, SwParams.BOUNDARY, null)).value();
        f.w.prepare(f.a, f.pcm).value();
        f.w.syncPtr(f.a, f.pcm, 1L << 18).value();
        f.w.start(f.a, f.pcm).value();
        f.w.limitViolationsPerOp(1000);
        f.w.advanceFrames(1 << 20);
        assertEquals(64, f.w.lastOpViolations().size());
        LimitExceeded e = assertThrows(LimitExceeded.class, () -> f.w.advanceFrames(1L << 40));
        assertEquals("protocol violations in one op: more than the limit of 1000", e.getMessage());
    }

    @Test
    void aRunTouchingMoreMemoryThanItsLimitIsStopped() {
        Fixture f = new Fixture();
        f.w.limitTouch(5L << 19);
        f.w.fill(f.a, f.map, 0, 1 << 20).value();
        LimitExceeded e = assertThrows(LimitExceeded.class, () -> f.w.fill(f.a, f.map, 0, 1 << 20));
        assertEquals("bytes of buffer memory this run touches (DMA, transfers, fills, checks, syncs, allocations): "
                + "more than the limit of 2621440", e.getMessage());
    }
}
