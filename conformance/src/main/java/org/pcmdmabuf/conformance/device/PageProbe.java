package org.pcmdmabuf.conformance.device;

import static org.pcmdmabuf.conformance.Uapi.Errnum.EFAULT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.pcmdmabuf.conformance.Uapi;

/**
 * Whether the CPU can read a range of a mapping without a signal, asked of the kernel instead of tried.
 *
 * <p>A {@code fill} or {@code check} through a mapping that revocation zapped (LIFETIME-REVOKE-ZAP) raises
 * SIGBUS on a real kernel: the series' fault handler, snd_pcm_dmabuf_vm_fault(), answers VM_FAULT_SIGBUS for a
 * revoked dma-buf. Touched from Java through FFM, that signal is not an exception: HotSpot's handler finds no
 * Java frame that expects it and the JVM dies. So the range is first handed to write(2), one byte of every
 * page, into a pipe of the device target's own: the kernel reads the byte with copy_from_user(), the page
 * fault goes through the same handle_mm_fault() and vm_ops->fault as a user access, and on VM_FAULT_SIGBUS
 * the architecture's fault handler (x86: do_sigbus(), arm64: do_page_fault()), seeing a fault in kernel mode,
 * takes the exception-table fixup of the copy instead of sending a signal: write(2) returns EFAULT. That EFAULT
 * is the SIGBUS the same access from user space would have raised. Read-only probing suffices: a revocation
 * zaps every page, whatever the access.
 *
 * <p>The probe proves the range readable at the moment of the probe; the device target then touches nothing
 * (see {@link DeviceTarget}), so no later revocation can catch it in a Java access.
 */
final class PageProbe implements AutoCloseable {
    /** The smallest page of the architectures the device target runs on: probing finer is only slower. */
    static final long PAGE = 4096;
    /** Probes between two drains of the pipe: far below the one page a pipe keeps at least. */
    private static final int BATCH = 1024;

    private final SystemCalls sys;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment scratch = arena.allocate(BATCH);
    private int readEnd = -1, writeEnd = -1;

    PageProbe(SystemCalls sys) {
        this.sys = sys;
    }

    /**
     * 0 when every page of {@code [addr, addr + len)} can be read, -EFAULT when one cannot (the access would
     * raise SIGBUS, or SIGSEGV where nothing is mapped), another -errno when the probe itself failed.
     */
    long probe(long addr, long len) {
        if (len <= 0) {
            return 0;
        }
        if (writeEnd < 0) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            int r = sys.pipe2(fds, UapiStructs.O_CLOEXEC | UapiStructs.O_NONBLOCK);
            if (r < 0) {
                return r;
            }
            readEnd = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            writeEnd = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
        }
        long end = addr + len;
        int pending = 0;
        for (long a = addr; a < end; a = (a & ~(PAGE - 1)) + PAGE) {
            long w = sys.write(writeEnd, a, 1);
            if (w < 0) {
                drain(pending);
                return w;
            }
            if (++pending == BATCH) {
                long d = drain(pending);
                if (d < 0) {
                    return d;
                }
                pending = 0;
            }
        }
        long d = drain(pending);
        return d < 0 ? d : 0;
    }

    /** Reads back the bytes the probes wrote, so that the pipe is empty again. */
    private long drain(int bytes) {
        if (bytes == 0) {
            return 0;
        }
        long r = sys.read(readEnd, scratch.address(), bytes);
        return r < 0 ? r : 0;
    }

    /** How a result of {@link #probe} reads in a report. */
    static String describe(long r) {
        return r == -EFAULT.number ? "write(2) of the range: EFAULT (the page fault answered VM_FAULT_SIGBUS)"
                : "probe: " + Uapi.errnoName((int) -r);
    }

    @Override
    public void close() {
        if (readEnd >= 0) {
            sys.close(readEnd);
            sys.close(writeEnd);
            readEnd = writeEnd = -1;
        }
        arena.close();
    }
}
