package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.pcmdmabuf.model.Errno;
import org.pcmdmabuf.model.PcmState;

class UapiTest {
    /** The model numbers its errnos too; a number of its own would answer the wrong errno on both targets. */
    @Test
    void everyErrnoOfTheModelHasTheKernelsNumber() {
        for (Errno e : Errno.values()) {
            assertEquals(Uapi.Errnum.valueOf(e.name()).number, e.number, e.name());
            assertEquals(e, Uapi.errno(e.number));
        }
    }

    @Test
    void aNumberNoHeaderDefinesKeepsItsNumber() {
        assertEquals("EAGAIN", Uapi.errnoName(11));
        assertEquals("E41", Uapi.errnoName(41));
        assertNull(Uapi.errno(Uapi.Errnum.EOPNOTSUPP.number), "the model never answers EOPNOTSUPP");
    }

    /** _IOC(dir, 'A', nr, size) of include/uapi/asm-generic/ioctl.h: dir 1 write, 2 read. */
    private static long ioc(int dir, int nr, int size) {
        return ((long) dir << 30) | ((long) size << 16) | ('A' << 8) | nr;
    }

    /** UAPI-V1, UAPI-EXPORT-ENCODING, UAPI-ATTACH-ENCODING, UAPI-DETACH-ENCODING: both revisions' numbers. */
    @Test
    void bothRevisionsNumbersAreTheirEncodings() {
        assertEquals(ioc(2, 0x70, 4), Uapi.Revision.V1.export, "_IOR('A', 0x70, int)");
        assertEquals(ioc(1, 0x71, 4), Uapi.Revision.V1.attach, "_IOW('A', 0x71, int)");
        assertEquals(ioc(3, 0x70, 32), Uapi.Revision.V2.export, "_IOWR('A', 0x70, struct snd_pcm_dmabuf_export)");
        assertEquals(ioc(1, 0x71, 32), Uapi.Revision.V2.attach, "_IOW('A', 0x71, struct snd_pcm_dmabuf_attach)");
        assertEquals(ioc(0, 0x72, 0), Uapi.Revision.DETACH, "_IO('A', 0x72)");
        assertEquals(0xc0204170L, Uapi.Revision.V2.export);
        assertEquals(0x40204171L, Uapi.Revision.V2.attach);
        assertEquals(0x80044170L, Uapi.Revision.V1.export);
        assertEquals(0x40044171L, Uapi.Revision.V1.attach);
        assertEquals(Uapi.Revision.V1, Uapi.Revision.of(1));
        assertEquals(Uapi.Revision.V2, Uapi.Revision.of(2));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Uapi.Revision.of(3));
    }

    @Test
    void everyStateRoundTrips() {
        for (PcmState s : PcmState.values()) {
            assertEquals(s, Uapi.state(Uapi.state(s)));
        }
        assertNull(Uapi.state(9));
    }
}
