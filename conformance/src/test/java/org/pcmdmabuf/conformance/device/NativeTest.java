package org.pcmdmabuf.conformance.device;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * The SIGBUS probe on this machine's kernel: a shared mapping of a file past its end faults with
     * VM_FAULT_SIGBUS (filemap_fault()), as a revoked dma-buf's mapping does in the series' fault handler, and
     * write(2) of that page answers EFAULT where a load would have raised SIGBUS and killed the JVM.
     */
    @Test
    void aPageWhoseFaultIsSigbusIsEfaultToTheProbe() throws IOException {
        Path f = Files.createTempFile("pcm-dmabuf-probe", ".bin");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(4096);
            int fd = sys.open(f.toString(), UapiStructs.O_RDWR | UapiStructs.O_CLOEXEC);
            assertTrue(fd >= 0, "open: " + fd);
            long addr = sys.mmap(3 * 4096, UapiStructs.PROT_READ | UapiStructs.PROT_WRITE, UapiStructs.MAP_SHARED, fd, 0);
            assertTrue(addr > 0, "mmap: " + addr);
            try (PageProbe probe = new PageProbe(sys)) {
                assertEquals(0, probe.probe(addr, 4096), "the page within the file");
                assertEquals(0, probe.probe(addr + 4092, 4), "its last word");
                assertEquals(-Errnum.EFAULT.number, probe.probe(addr, 8192), "the page past the end");
                assertEquals(-Errnum.EFAULT.number, probe.probe(addr + 4096, 4), "one word past the end");
                // the probe's pipe is empty again after a fault: the next probe works as the first did
                assertEquals(0, probe.probe(addr, 4096));
                raf.setLength(3 * 4096);
                assertEquals(0, probe.probe(addr, 3 * 4096), "the file grew under the mapping");
                raf.setLength(0);
                assertEquals(-Errnum.EFAULT.number, probe.probe(addr, 4), "truncated: zapped, as a revocation does");
            } finally {
                sys.munmap(addr, 3 * 4096);
                sys.close(fd);
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /**
     * A page made read-only with mprotect(), as the device target passes a read-only ioctl argument
     * (UAPI-EXPORT-WRITEBACK): this kernel reads it, and an ioctl that writes its argument (FIONREAD on a pipe)
     * answers EFAULT until the page is writable again.
     */
    @Test
    void anIoctlCannotWriteItsArgumentIntoAPageMadeReadOnly() {
        int zero = sys.open("/dev/zero", UapiStructs.O_RDWR | UapiStructs.O_CLOEXEC);
        assertTrue(zero >= 0, "open: " + zero);
        long addr = sys.mmap(4096, UapiStructs.PROT_READ | UapiStructs.PROT_WRITE, UapiStructs.MAP_SHARED, zero, 0);
        sys.close(zero);
        assertTrue(addr > 0, "mmap: " + addr);
        long fionread = 0x541B;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(JAVA_INT, 2);
            assertEquals(0, sys.pipe2(fds, UapiStructs.O_CLOEXEC));
            int r = fds.getAtIndex(JAVA_INT, 0);
            int w = fds.getAtIndex(JAVA_INT, 1);
            MemorySegment page = MemorySegment.ofAddress(addr).reinterpret(4096);
            page.set(JAVA_INT, 0, 7);
            assertEquals(0, sys.mprotect(addr, 4096, UapiStructs.PROT_READ));
            assertEquals(4, sys.write(w, addr, 4), "the kernel reads a read-only page");
            assertEquals(-Errnum.EFAULT.number, sys.ioctl(r, fionread, page.asSlice(0, 4)), "and cannot write it");
            assertEquals(7, page.get(JAVA_INT, 0));
            assertEquals(0, sys.mprotect(addr, 4096, UapiStructs.PROT_READ | UapiStructs.PROT_WRITE));
            assertEquals(0, sys.ioctl(r, fionread, page.asSlice(0, 4)));
            assertEquals(4, page.get(JAVA_INT, 0), "the 4 bytes in the pipe");
            assertEquals(-Errnum.EINVAL.number, sys.mprotect(addr + 1, 4096, UapiStructs.PROT_READ), "unaligned");
            sys.close(r);
            sys.close(w);
        } finally {
            sys.munmap(addr, 4096);
        }
    }

    @Test
    void everyFailureIsMinusTheErrno() {
        assertEquals(-Errnum.ENOENT.number, sys.open("/nonexistent-pcm-dmabuf", UapiStructs.O_RDWR));
        assertEquals(-Errnum.EBADF.number, sys.close(-1));
        assertEquals(-Errnum.EBADF.number, sys.dup(-1));
        assertEquals(-Errnum.EBADF.number, sys.fcntl(-1, UapiStructs.F_GETFL, 0));
        assertEquals(-Errnum.EBADF.number, sys.mmap(4096, UapiStructs.PROT_READ, UapiStructs.MAP_SHARED, -1, 0));
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
