package org.pcmdmabuf.conformance.device;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.pcmdmabuf.conformance.device.UapiStructs.CMSG_FD;
import static org.pcmdmabuf.conformance.device.UapiStructs.IOVEC;
import static org.pcmdmabuf.conformance.device.UapiStructs.MSGHDR;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.pcmdmabuf.conformance.Uapi;

/**
 * An fd handed from one script process to another as a sound server hands its dma-buf to a client: sent with
 * SCM_RIGHTS over a connected AF_UNIX socket pair, so that the receiver gets a new fd to the same open file
 * (scm_detach_fds() in net/core/scm.c installs it, close-on-exec with MSG_CMSG_CLOEXEC).
 */
final class FdPassing {
    private static final long IOV_BASE = IOVEC.byteOffset(groupElement("iov_base"));
    private static final long IOV_LEN = IOVEC.byteOffset(groupElement("iov_len"));
    private static final long MSG_IOV = MSGHDR.byteOffset(groupElement("msg_iov"));
    private static final long MSG_IOVLEN = MSGHDR.byteOffset(groupElement("msg_iovlen"));
    private static final long MSG_CONTROL = MSGHDR.byteOffset(groupElement("msg_control"));
    private static final long MSG_CONTROLLEN = MSGHDR.byteOffset(groupElement("msg_controllen"));
    private static final long CMSG_LEN = CMSG_FD.byteOffset(groupElement("cmsg_len"));
    private static final long CMSG_LEVEL = CMSG_FD.byteOffset(groupElement("cmsg_level"));
    private static final long CMSG_TYPE = CMSG_FD.byteOffset(groupElement("cmsg_type"));
    private static final long CMSG_DATA = CMSG_FD.byteOffset(groupElement("data"));

    /** CMSG_LEN(sizeof(int)): the header and one fd, without the trailing padding. */
    private static final long CMSG_LEN_FD = CMSG_DATA + JAVA_INT.byteSize();

    private FdPassing() {
    }

    /** A new fd to the file of {@code fd}, by way of a socket pair made and closed for it; or -errno. */
    static int pass(SystemCalls sys, int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            int r = sys.socketpair(UapiStructs.AF_UNIX, UapiStructs.SOCK_STREAM | UapiStructs.SOCK_CLOEXEC, 0, sv);
            if (r < 0) {
                return r;
            }
            int sender = sv.getAtIndex(JAVA_INT, 0);
            int receiver = sv.getAtIndex(JAVA_INT, 1);
            try {
                Message out = message(a);
                out.control().set(JAVA_LONG, CMSG_LEN, CMSG_LEN_FD);
                out.control().set(JAVA_INT, CMSG_LEVEL, UapiStructs.SOL_SOCKET);
                out.control().set(JAVA_INT, CMSG_TYPE, UapiStructs.SCM_RIGHTS);
                out.control().set(JAVA_INT, CMSG_DATA, fd);
                long sent = sys.sendmsg(sender, out.header(), 0);
                if (sent < 0) {
                    return (int) sent;
                }
                Message in = message(a);
                long got = sys.recvmsg(receiver, in.header(), UapiStructs.MSG_CMSG_CLOEXEC);
                if (got < 0) {
                    return (int) got;
                }
                if (in.header().get(JAVA_LONG, MSG_CONTROLLEN) < CMSG_LEN_FD
                        || in.control().get(JAVA_INT, CMSG_LEVEL) != UapiStructs.SOL_SOCKET
                        || in.control().get(JAVA_INT, CMSG_TYPE) != UapiStructs.SCM_RIGHTS) {
                    return -Uapi.Errnum.EIO.number; // the byte came, the fd did not
                }
                return in.control().get(JAVA_INT, CMSG_DATA);
            } finally {
                sys.close(sender);
                sys.close(receiver);
            }
        }
    }

    private record Message(MemorySegment header, MemorySegment control) {
    }

    /** A msghdr of one byte of payload (a stream socket carries no control message without one) and room for one fd. */
    private static Message message(Arena a) {
        MemorySegment iov = a.allocate(IOVEC);
        iov.set(ADDRESS, IOV_BASE, a.allocate(1));
        iov.set(JAVA_LONG, IOV_LEN, 1L);
        MemorySegment control = a.allocate(CMSG_FD);
        MemorySegment m = a.allocate(MSGHDR);
        m.set(ADDRESS, MSG_IOV, iov);
        m.set(JAVA_LONG, MSG_IOVLEN, 1L);
        m.set(ADDRESS, MSG_CONTROL, control);
        m.set(JAVA_LONG, MSG_CONTROLLEN, control.byteSize());
        return new Message(m, control);
    }
}
