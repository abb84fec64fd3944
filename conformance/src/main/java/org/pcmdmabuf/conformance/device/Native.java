package org.pcmdmabuf.conformance.device;

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
import org.pcmdmabuf.conformance.Uapi;

/**
 * The Linux system calls the device target needs, through FFM (x86_64 glibc): open, close, ioctl, mmap,
 * munmap, dup, socketpair, sendmsg/recvmsg with SCM_RIGHTS. Every call returns the raw result, or
 * {@code -errno} when it failed.
 */
final class Native {
    static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NONBLOCK = 0x800, O_APPEND = 0x400,
            O_CLOEXEC = 0x80000;
    static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    static final int AF_UNIX = 1, SOCK_STREAM = 1, SOL_SOCKET = 1, SCM_RIGHTS = 1;
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
    private static final MethodHandle FCNTL = fn("fcntl", FunctionDescriptor.of(I, I, I, I),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_PTR = fn("ioctl", FunctionDescriptor.of(I, I, L, A),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_INT = fn("ioctl", FunctionDescriptor.of(I, I, L, L),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = fn("mmap", FunctionDescriptor.of(L, L, L, I, I, I, L));
    private static final MethodHandle MUNMAP = fn("munmap", FunctionDescriptor.of(I, L, L));
    private static final MethodHandle SOCKETPAIR = fn("socketpair", FunctionDescriptor.of(I, I, I, I, A));
    private static final MethodHandle SENDMSG = fn("sendmsg", FunctionDescriptor.of(L, I, A, I));
    private static final MethodHandle RECVMSG = fn("recvmsg", FunctionDescriptor.of(L, I, A, I));

    private Native() {
    }

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

    static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) OPEN.invokeExact(st, a.allocateFrom(path), flags, 0);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) CLOSE.invokeExact(st, fd);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int dup(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) DUP.invokeExact(st, fd);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** fcntl with an int argument (F_GETFL 3, F_SETFL 4). */
    static int fcntl(int fd, int cmd, int arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) FCNTL.invokeExact(st, fd, cmd, arg);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** ioctl with a pointer argument (or NULL). */
    static int ioctl(int fd, long request, MemorySegment arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) IOCTL_PTR.invokeExact(st, fd, request, arg);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** ioctl with an integer argument (PAUSE takes its int by value). */
    static int ioctlInt(int fd, long request, long arg) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) IOCTL_INT.invokeExact(st, fd, request, arg);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** mmap(NULL, len, prot, MAP_SHARED, fd, off): the address, or -errno. */
    static long mmap(long len, int prot, int fd, long off) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            long r = (long) MMAP.invokeExact(st, 0L, len, prot, MAP_SHARED, fd, off);
            return r == MAP_FAILED ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int munmap(long addr, long len) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int r = (int) MUNMAP.invokeExact(st, addr, len);
            return r < 0 ? -errno(st) : r;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A connected AF_UNIX stream pair, or throws. */
    static int[] socketpair() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment sv = a.allocate(I, 2);
            int r = (int) SOCKETPAIR.invokeExact(st, AF_UNIX, SOCK_STREAM | O_CLOEXEC, 0, sv);
            if (r < 0) {
                throw new IllegalStateException("socketpair: errno " + errno(st));
            }
            return new int[] {sv.getAtIndex(I, 0), sv.getAtIndex(I, 1)};
        } catch (Throwable t) {
            throw t instanceof RuntimeException re ? re : new IllegalStateException(t);
        }
    }

    // struct msghdr (x86_64): name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48; 56 bytes
    // struct cmsghdr: len (size_t) 0, level 8, type 12, data 16; CMSG_SPACE(sizeof(int)) = 24
    private static MemorySegment msghdr(Arena a, MemorySegment byteBuf, MemorySegment control) {
        MemorySegment iov = a.allocate(16, 8);
        iov.set(A, 0, byteBuf);
        iov.set(L, 8, 1L);
        MemorySegment m = a.allocate(56, 8);
        m.set(A, 16, iov);
        m.set(L, 24, 1L);
        m.set(A, 32, control);
        m.set(L, 40, control.byteSize());
        return m;
    }

    /** Sends {@code fd} over the socket with SCM_RIGHTS; 0 or -errno. */
    static int sendFd(int sock, int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment control = a.allocate(24, 8);
            control.set(L, 0, 20L);                 // CMSG_LEN(sizeof(int))
            control.set(I, 8, SOL_SOCKET);
            control.set(I, 12, SCM_RIGHTS);
            control.set(I, 16, fd);
            MemorySegment m = msghdr(a, a.allocate(1), control);
            long r = (long) SENDMSG.invokeExact(st, sock, m, 0);
            return r < 0 ? -errno(st) : 0;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Receives one fd sent with SCM_RIGHTS (MSG_CMSG_CLOEXEC); the new fd or -errno. */
    static int recvFd(int sock) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment control = a.allocate(24, 8);
            MemorySegment m = msghdr(a, a.allocate(1), control);
            long r = (long) RECVMSG.invokeExact(st, sock, m, 0x40000000 /* MSG_CMSG_CLOEXEC */);
            if (r < 0) {
                return -errno(st);
            }
            if (m.get(L, 40) < 20 || control.get(I, 8) != SOL_SOCKET || control.get(I, 12) != SCM_RIGHTS) {
                return -Uapi.Errnum.EIO.number; // no fd arrived
            }
            return control.get(I, 16);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Calls every binding once with harmless arguments: linking FFM downcalls costs seconds under TCG, and a
     * case must not pay it between two ops whose timing matters (a START and the next SYNC_PTR).
     */
    static void warmUp() {
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        ioctl(fd, 0, MemorySegment.NULL);
        ioctlInt(fd, 0, 0);
        fcntl(fd, 3, 0);
        int d = dup(fd);
        mmap(4096, PROT_READ, -1, 0);
        munmap(0, 0);
        int[] sv = socketpair();
        sendFd(sv[0], fd);
        int got = recvFd(sv[1]);
        for (int f : new int[] {got, d, fd, sv[0], sv[1]}) {
            if (f >= 0) {
                close(f);
            }
        }
    }
}
