package org.pcmdmabuf.conformance.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.Uapi.Errnum;

/**
 * The FFM system calls themselves, on what every Linux host has (/dev/null, a socket pair): the real side of
 * the seam {@link DeviceTargetTest} doubles. Each failure comes back as the kernel's errno.
 */
class NativeTest {
    private final Native sys = new Native();

    @Test
    void anFdPassedWithScmRightsIsANewFdToTheSameFile() {
        int fd = sys.open("/dev/null", UapiStructs.O_RDWR | UapiStructs.O_APPEND | UapiStructs.O_CLOEXEC);
        assertTrue(fd >= 0, "open: " + fd);
        try {
            int passed = FdPassing.pass(sys, fd);
            assertTrue(passed >= 0, "pass: " + passed);
            assertNotEquals(fd, passed);
            // the same open file description: its status flags, O_APPEND among them, came along
            assertEquals(sys.fcntl(fd, UapiStructs.F_GETFL, 0), sys.fcntl(passed, UapiStructs.F_GETFL, 0));
            assertTrue((sys.fcntl(passed, UapiStructs.F_GETFL, 0) & UapiStructs.O_APPEND) != 0);
            assertEquals(0, sys.close(passed));
        } finally {
            sys.close(fd);
        }
    }

    @Test
    void everyFailureIsMinusTheErrno() {
        assertEquals(-Errnum.ENOENT.number, sys.open("/nonexistent-pcm-dmabuf", UapiStructs.O_RDWR));
        assertEquals(-Errnum.EBADF.number, sys.close(-1));
        assertEquals(-Errnum.EBADF.number, sys.dup(-1));
        assertEquals(-Errnum.EBADF.number, sys.fcntl(-1, UapiStructs.F_GETFL, 0));
        assertEquals(-Errnum.EBADF.number, sys.mmap(4096, UapiStructs.PROT_READ, -1, 0));
        assertEquals(-Errnum.EINVAL.number, sys.munmap(1, 4096));
        assertEquals(-Errnum.ENOENT.number, sys.writeAttribute("/nonexistent-pcm-dmabuf/unbind", "x"));
        int fd = sys.open("/dev/null", UapiStructs.O_RDWR | UapiStructs.O_CLOEXEC);
        try {
            // /dev/null is no PCM: the PCM core's ioctls are not its own
            assertEquals(-Errnum.ENOTTY.number, sys.ioctl(fd, UapiStructs.START, MemorySegment.NULL));
            assertEquals(-Errnum.ENOTTY.number, sys.ioctlValue(fd, UapiStructs.PAUSE, 1));
            assertEquals(-Errnum.ENOTSOCK.number, sys.sendmsg(fd, MemorySegment.NULL, 0));
            assertEquals(-Errnum.ENOTSOCK.number, sys.recvmsg(fd, MemorySegment.NULL, 0));
        } finally {
            sys.close(fd);
        }
    }
}
