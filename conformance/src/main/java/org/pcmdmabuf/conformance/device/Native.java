package org.pcmdmabuf.conformance.device;

import static org.pcmdmabuf.conformance.device.UapiStructs.O_CLOEXEC;
import static org.pcmdmabuf.conformance.device.UapiStructs.O_RDWR;
import static org.pcmdmabuf.conformance.device.UapiStructs.O_WRONLY;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@link SystemCalls} of this machine: glibc's functions through FFM (x86_64), errno captured per call. */
final class Native implements SystemCalls {
    /** What mmap(2) returns when it failed. */
    static final long MAP_FAILED = -1L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CCS = Linker.Option.captureCallState("errno");
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final AddressLayout A = ValueLayout.ADDRESS;

    private static final MethodHandle OPEN = fn("open", FunctionDescriptor.of(I, A, I, I),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(I, I));
    private static final MethodHandle DUP = fn("dup", FunctionDescriptor.of(I, I));
    private static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(L, I, A, L));
    private static final MethodHandle WRITE_AT = fn("write", FunctionDescriptor.of(L, I, L, L));
    private static final MethodHandle READ_AT = fn("read", FunctionDescriptor.of(L, I, L, L));
    private static final MethodHandle PIPE2 = fn("pipe2", FunctionDescriptor.of(I, A, I));
    private static final MethodHandle FCNTL = fn("fcntl", FunctionDescriptor.of(I, I, I, I),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_PTR = fn("ioctl", FunctionDescriptor.of(I, I, L, A),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_VALUE = fn("ioctl", FunctionDescriptor.of(I, I, L, L),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = fn("mmap", FunctionDescriptor.of(L, L, L, I, I, I, L));
    private static final MethodHandle MUNMAP = fn("munmap", FunctionDescriptor.of(I, L, L));
    private static final MethodHandle MPROTECT = fn("mprotect", FunctionDescriptor.of(I, L, L, I));
    private static final MethodHandle SOCKETPAIR = fn("socketpair", FunctionDescriptor.of(I, I, I, I, A));
    private static final MethodHandle SENDMSG = fn("sendmsg", FunctionDescriptor.of(L, I, A, I));
    private static final MethodHandle RECVMSG = fn("recvmsg", FunctionDescriptor.of(L, I, A, I));

    @SuppressWarnings("restricted") // the point of this class; run with --enable-native-access=ALL-UNNAMED
    private static MethodHandle fn(String name, FunctionDescriptor d, Linker.Option... extra) {
        Linker.Option[] opts = new Linker.Option[extra.length + 1];
        opts[0] = CCS;
        System.arraycopy(extra, 0, opts, 1, extra.length);
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), d, opts);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    @Override
    public int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) OPEN.invokeExact(st, a.allocateFrom(path), flags, 0);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) CLOSE.invokeExact(st, fd);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int dup(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) DUP.invokeExact(st, fd);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) FCNTL.invokeExact(st, fd, cmd, arg);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int ioctl(int fd, long request, MemorySegment arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) IOCTL_PTR.invokeExact(st, fd, request, arg);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int ioctlValue(int fd, long request, long arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) IOCTL_VALUE.invokeExact(st, fd, request, arg);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public long mmap(long len, int prot, int flags, int fd, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            long r = (long) MMAP.invokeExact(st, 0L, len, prot, flags, fd, offset);
            return r == MAP_FAILED ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int munmap(long addr, long len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) MUNMAP.invokeExact(st, addr, len);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int mprotect(long addr, long len, int prot) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) MPROTECT.invokeExact(st, addr, len, prot);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int socketpair(int domain, int type, int protocol, MemorySegment sv) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) SOCKETPAIR.invokeExact(st, domain, type, protocol, sv);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public long sendmsg(int sock, MemorySegment msghdr, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            long r = (long) SENDMSG.invokeExact(st, sock, msghdr, flags);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public long recvmsg(int sock, MemorySegment msghdr, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            long r = (long) RECVMSG.invokeExact(st, sock, msghdr, flags);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int pipe2(MemorySegment fds, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) PIPE2.invokeExact(st, fds, flags);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public long write(int fd, long addr, long len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            long r = (long) WRITE_AT.invokeExact(st, fd, addr, len);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public long read(int fd, long addr, long len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            long r = (long) READ_AT.invokeExact(st, fd, addr, len);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public int writeAttribute(String path, String text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            return fd;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            long r = (long) WRITE.invokeExact(st, fd, a.allocateFrom(ValueLayout.JAVA_BYTE, bytes), (long) bytes.length);
            return r < 0 ? -errno(st) : 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            close(fd);
        }
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(Path.of(path));
    }

    /**
     * Calls every binding once with harmless arguments: linking FFM downcalls costs seconds under TCG, and a
     * case must not pay it between two ops whose timing matters (a START and the next SYNC_PTR).
     */
    void warmUp() {
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        ioctl(fd, 0, MemorySegment.NULL);
        ioctlValue(fd, 0, 0);
        fcntl(fd, UapiStructs.F_GETFL, 0);
        int d = dup(fd);
        writeAttribute("/dev/null", "");
        mmap(4096, UapiStructs.PROT_READ, UapiStructs.MAP_SHARED, -1, 0);
        munmap(0, 0);
        mprotect(0, 0, UapiStructs.PROT_READ);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ValueLayout.JAVA_INT, 2);
            if (pipe2(p, O_CLOEXEC) == 0) {
                write(p.getAtIndex(ValueLayout.JAVA_INT, 1), a.allocate(1).address(), 1);
                read(p.getAtIndex(ValueLayout.JAVA_INT, 0), a.allocate(1).address(), 1);
                close(p.getAtIndex(ValueLayout.JAVA_INT, 0));
                close(p.getAtIndex(ValueLayout.JAVA_INT, 1));
            }
        }
        int passed = FdPassing.pass(this, fd);
        for (int f : new int[] {passed, d, fd}) {
            if (f >= 0) {
                close(f);
            }
        }
    }
}
