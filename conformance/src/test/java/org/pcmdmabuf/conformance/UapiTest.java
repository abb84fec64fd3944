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

    @Test
    void everyStateRoundTrips() {
        for (PcmState s : PcmState.values()) {
            assertEquals(s, Uapi.state(Uapi.state(s)));
        }
        assertNull(Uapi.state(9));
    }
}
