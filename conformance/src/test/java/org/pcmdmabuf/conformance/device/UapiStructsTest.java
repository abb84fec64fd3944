package org.pcmdmabuf.conformance.device;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * Every ioctl number carries the size of its argument (_IOC_SIZE, include/uapi/asm-generic/ioctl.h): a
 * struct layout that differs from the kernel's by a field shows here, where the device target, which runs
 * only on a patched kernel, cannot show it.
 */
class UapiStructsTest {
    private static long size(long ioctl) {
        return (ioctl >> 16) & 0x3fff;
    }

    @Test
    void everyIoctlNumberCarriesTheSizeOfItsStruct() {
        assertEquals(UapiStructs.HW_PARAMS_STRUCT.byteSize(), size(UapiStructs.HW_PARAMS));
        assertEquals(UapiStructs.SW_PARAMS_STRUCT.byteSize(), size(UapiStructs.SW_PARAMS));
        assertEquals(UapiStructs.SYNC_PTR_STRUCT.byteSize(), size(UapiStructs.SYNC_PTR));
        assertEquals(UapiStructs.XFERI_STRUCT.byteSize(), size(UapiStructs.WRITEI));
        assertEquals(UapiStructs.XFERI_STRUCT.byteSize(), size(UapiStructs.READI));
        assertEquals(UapiStructs.DMA_BUF_SYNC_STRUCT.byteSize(), size(UapiStructs.DMA_BUF_SYNC));
        assertEquals(ValueLayout.JAVA_LONG.byteSize(), size(UapiStructs.DELAY));
        // revision 2 (the series): the structs; revision 1 (UAPI-V1): a bare int
        assertEquals(UapiStructs.DMABUF_EXPORT_STRUCT.byteSize(), size(UapiStructs.DMABUF_EXPORT));
        assertEquals(UapiStructs.DMABUF_ATTACH_STRUCT.byteSize(), size(UapiStructs.DMABUF_ATTACH));
        for (long intArgument : new long[] {UapiStructs.PAUSE, UapiStructs.LINK, UapiStructs.DMABUF_EXPORT_V1,
            UapiStructs.DMABUF_ATTACH_V1}) {
            assertEquals(ValueLayout.JAVA_INT.byteSize(), size(intArgument));
        }
        for (long none : new long[] {UapiStructs.HW_FREE, UapiStructs.HWSYNC, UapiStructs.PREPARE, UapiStructs.RESET,
            UapiStructs.START, UapiStructs.DROP, UapiStructs.DRAIN, UapiStructs.RESUME, UapiStructs.XRUN,
            UapiStructs.UNLINK, UapiStructs.DMABUF_DETACH}) {
            assertEquals(0, size(none));
        }
    }
}
