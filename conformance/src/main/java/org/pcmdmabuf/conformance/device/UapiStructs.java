package org.pcmdmabuf.conformance.device;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.conformance.Uapi.Revision;
import org.pcmdmabuf.model.DmabufArg;
import org.pcmdmabuf.model.HwParams;

/**
 * The ioctls the device target issues and the structs they carry, as x86-64 lays them out: the numbers and
 * structs of include/uapi/sound/asound.h and include/uapi/linux/dma-buf.h, and the DMABUF ioctls and structs
 * patch 0001 of the series adds to asound.h (revision 2), with revision 1's bare-int numbers beside them; and the flags and structs of open, fcntl, mmap and the SCM_RIGHTS hand-over
 * of an fd. The size each ioctl number encodes is its struct's (UapiStructsTest), and every offset, size and
 * number is the one kernel-patch/tests/uapi-layout.c prints, compiled on the host (UapiLayoutTest).
 */
final class UapiStructs {
    static final long HW_PARAMS = 0xc2604111L, HW_FREE = 0x4112, SW_PARAMS = 0xc0884113L, HWSYNC = 0x4122,
            DELAY = 0x80084121L, SYNC_PTR = 0xc0884123L, PREPARE = 0x4140, RESET = 0x4141, START = 0x4142,
            DROP = 0x4143, DRAIN = 0x4144, PAUSE = 0x40044145L, RESUME = 0x4147, XRUN = 0x4148,
            LINK = 0x40044160L, UNLINK = 0x4161,
            WRITEI = 0x40184150L, READI = 0x80184151L, DMA_BUF_SYNC = 0x40086200L;

    /** The DMABUF ioctls of revision 2, the series' (patch 0001), and of revision 1 (UAPI-V1): {@link Revision}. */
    static final long DMABUF_EXPORT = Revision.V2.export, DMABUF_ATTACH = Revision.V2.attach,
            DMABUF_EXPORT_V1 = Revision.V1.export, DMABUF_ATTACH_V1 = Revision.V1.attach,
            DMABUF_DETACH = Revision.DETACH;

    /** include/uapi/asm-generic/fcntl.h, mman-common.h and mman.h; include/linux/socket.h and net.h. */
    static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_APPEND = 0x400, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000,
            O_PATH = 0x200000,
            F_GETFD = 1, FD_CLOEXEC = 1, F_GETFL = 3, F_SETFL = 4, PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_PRIVATE = 2, AF_UNIX = 1, SOCK_STREAM = 1,
            SOCK_CLOEXEC = O_CLOEXEC, SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000;

    /** struct snd_mask: SNDRV_MASK_MAX (256) bits. */
    static final MemoryLayout MASK = MemoryLayout.sequenceLayout(8, JAVA_INT);

    /** struct snd_interval; its bit fields (openmin, openmax, integer, empty: bits 0-3) share one word. */
    static final StructLayout INTERVAL = MemoryLayout.structLayout(JAVA_INT.withName("min"),
            JAVA_INT.withName("max"), JAVA_INT.withName("bits"));
    static final int INTERVAL_INTEGER = 1 << 2;

    /** SNDRV_PCM_HW_PARAM_*: the masks, then the intervals from SAMPLE_BITS (8) on. */
    static final int ACCESS = 0, FORMAT = 1, SUBFORMAT = 2, FIRST_INTERVAL = 8, CHANNELS = 10, RATE = 11,
            PERIOD_SIZE = 13, PERIODS = 15;

    static final int SUBFORMAT_STD = 0;

    static final StructLayout HW_PARAMS_STRUCT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(3, MASK).withName("masks"),
            MemoryLayout.sequenceLayout(5, MASK).withName("mres"),
            MemoryLayout.sequenceLayout(12, INTERVAL).withName("intervals"),
            MemoryLayout.sequenceLayout(9, INTERVAL).withName("ires"),
            JAVA_INT.withName("rmask"),
            JAVA_INT.withName("cmask"),
            JAVA_INT.withName("info"),
            JAVA_INT.withName("msbits"),
            JAVA_INT.withName("rate_num"),
            JAVA_INT.withName("rate_den"),
            JAVA_LONG.withName("fifo_size"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sync"),
            MemoryLayout.sequenceLayout(48, JAVA_BYTE).withName("reserved"));

    static final StructLayout SW_PARAMS_STRUCT = MemoryLayout.structLayout(
            JAVA_INT.withName("tstamp_mode"),
            JAVA_INT.withName("period_step"),
            JAVA_INT.withName("sleep_min"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("avail_min"),
            JAVA_LONG.withName("xfer_align"),
            JAVA_LONG.withName("start_threshold"),
            JAVA_LONG.withName("stop_threshold"),
            JAVA_LONG.withName("silence_threshold"),
            JAVA_LONG.withName("silence_size"),
            JAVA_LONG.withName("boundary"),
            JAVA_INT.withName("proto"),
            JAVA_INT.withName("tstamp_type"),
            MemoryLayout.sequenceLayout(56, JAVA_BYTE).withName("reserved"));

    /** sw_params.proto: SNDRV_PROTOCOL_VERSION(2, 0, 19), the protocol this caller claims to speak. */
    static final int PROTOCOL = (2 << 16) | (0 << 8) | 19;

    /** struct snd_pcm_sync_ptr; of the status and control unions only the fields read or written here. */
    static final StructLayout SYNC_PTR_STRUCT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            MemoryLayout.paddingLayout(4),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(JAVA_INT.withName("state")).withName("status"),
                    MemoryLayout.sequenceLayout(64, JAVA_BYTE)).withName("s"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(JAVA_LONG.withName("appl_ptr"), JAVA_LONG.withName("avail_min"))
                            .withName("control"),
                    MemoryLayout.sequenceLayout(64, JAVA_BYTE)).withName("c"));

    static final int SYNC_PTR_APPL = 1 << 1, SYNC_PTR_AVAIL_MIN = 1 << 2;

    /** Read appl_ptr and avail_min from the driver instead of writing them. */
    static final int SYNC_PTR_READ = SYNC_PTR_APPL | SYNC_PTR_AVAIL_MIN;

    static final StructLayout XFERI_STRUCT = MemoryLayout.structLayout(JAVA_LONG.withName("result"),
            ADDRESS.withName("buf"), JAVA_LONG.withName("frames"));

    /** struct snd_pcm_dmabuf_export (revision 2, patch 0001): flags in, fd out, reserved words zero. */
    static final StructLayout DMABUF_EXPORT_STRUCT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("fd"),
            MemoryLayout.sequenceLayout(6, JAVA_INT).withName("reserved"));

    /** struct snd_pcm_dmabuf_attach (revision 2, patch 0001): the dma-buf fd, flags zero, reserved words zero. */
    static final StructLayout DMABUF_ATTACH_STRUCT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(6, JAVA_INT).withName("reserved"));

    static final StructLayout DMA_BUF_SYNC_STRUCT = MemoryLayout.structLayout(JAVA_LONG.withName("flags"));

    /** struct iovec, struct msghdr (glibc's, as the kernel's struct user_msghdr) and struct cmsghdr. */
    static final StructLayout IOVEC = MemoryLayout.structLayout(ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len"));

    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4));

    /** A control message carrying one fd: CMSG_SPACE(sizeof(int)) bytes, its data at CMSG_DATA(). */
    static final StructLayout CMSG_FD = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type"),
            JAVA_INT.withName("data"),
            MemoryLayout.paddingLayout(4));

    // Offsets resolved once: under TCG every op between a START and the next SYNC_PTR must be quick.
    private static final long HW_MASKS = HW_PARAMS_STRUCT.byteOffset(groupElement("masks"));
    private static final long HW_INTERVALS = HW_PARAMS_STRUCT.byteOffset(groupElement("intervals"));
    private static final long HW_RMASK = HW_PARAMS_STRUCT.byteOffset(groupElement("rmask"));
    private static final long HW_INFO = HW_PARAMS_STRUCT.byteOffset(groupElement("info"));
    private static final long INTERVAL_MAX = INTERVAL.byteOffset(groupElement("max"));
    private static final long INTERVAL_BITS = INTERVAL.byteOffset(groupElement("bits"));
    private static final long SW_PERIOD_STEP = SW_PARAMS_STRUCT.byteOffset(groupElement("period_step"));
    private static final long SW_AVAIL_MIN = SW_PARAMS_STRUCT.byteOffset(groupElement("avail_min"));
    private static final long SW_XFER_ALIGN = SW_PARAMS_STRUCT.byteOffset(groupElement("xfer_align"));
    private static final long SW_START = SW_PARAMS_STRUCT.byteOffset(groupElement("start_threshold"));
    private static final long SW_STOP = SW_PARAMS_STRUCT.byteOffset(groupElement("stop_threshold"));
    private static final long SW_BOUNDARY = SW_PARAMS_STRUCT.byteOffset(groupElement("boundary"));
    private static final long SW_PROTO = SW_PARAMS_STRUCT.byteOffset(groupElement("proto"));
    private static final long SYNC_FLAGS = SYNC_PTR_STRUCT.byteOffset(groupElement("flags"));
    private static final long SYNC_STATE = SYNC_PTR_STRUCT.byteOffset(groupElement("s"), groupElement("status"),
            groupElement("state"));
    private static final long SYNC_APPL_PTR = SYNC_PTR_STRUCT.byteOffset(groupElement("c"), groupElement("control"),
            groupElement("appl_ptr"));
    private static final long SYNC_AVAIL_MIN = SYNC_PTR_STRUCT.byteOffset(groupElement("c"), groupElement("control"),
            groupElement("avail_min"));
    private static final long XFERI_RESULT = XFERI_STRUCT.byteOffset(groupElement("result"));
    private static final long XFERI_BUF = XFERI_STRUCT.byteOffset(groupElement("buf"));
    private static final long XFERI_FRAMES = XFERI_STRUCT.byteOffset(groupElement("frames"));
    private static final long EXPORT_FLAGS = DMABUF_EXPORT_STRUCT.byteOffset(groupElement("flags"));
    private static final long EXPORT_FD = DMABUF_EXPORT_STRUCT.byteOffset(groupElement("fd"));
    private static final long EXPORT_RESERVED = DMABUF_EXPORT_STRUCT.byteOffset(groupElement("reserved"));
    private static final long ATTACH_FD = DMABUF_ATTACH_STRUCT.byteOffset(groupElement("fd"));
    private static final long ATTACH_FLAGS = DMABUF_ATTACH_STRUCT.byteOffset(groupElement("flags"));
    private static final long ATTACH_RESERVED = DMABUF_ATTACH_STRUCT.byteOffset(groupElement("reserved"));
    private static final MemorySegment UNMAPPED = MemorySegment.ofAddress(1);
    private static final long DMA_BUF_SYNC_FLAGS = DMA_BUF_SYNC_STRUCT.byteOffset(groupElement("flags"));

    private UapiStructs() {
    }

    /**
     * A request for one configuration: every mask and interval open, as alsa-lib's snd_pcm_hw_params_any()
     * starts one, then access, format, SUBFORMAT_STD, channels, rate, period size and periods each narrowed
     * to one value, so the kernel's refine either accepts it as it is or answers EINVAL, as the model does.
     */
    static MemorySegment hwParams(Arena arena, HwParams p) {
        MemorySegment s = arena.allocate(HW_PARAMS_STRUCT);
        for (int m = ACCESS; m <= SUBFORMAT; m++) {
            mask(s, m).fill((byte) 0xff);
        }
        for (int i = 0; i < 12; i++) {
            s.set(JAVA_INT, HW_INTERVALS + INTERVAL.byteSize() * i + INTERVAL_MAX, -1);
        }
        only(s, ACCESS, Uapi.access(p.access()));
        only(s, FORMAT, Uapi.format(p.format()));
        only(s, SUBFORMAT, SUBFORMAT_STD);
        exactly(s, CHANNELS, p.channels());
        exactly(s, RATE, p.rate());
        exactly(s, PERIOD_SIZE, p.periodFrames());
        exactly(s, PERIODS, p.periods());
        s.set(JAVA_INT, HW_RMASK, -1);
        s.set(JAVA_INT, HW_INFO, -1);
        return s;
    }

    /** Where hw_params keeps the mask of SNDRV_PCM_HW_PARAM_{@code param}. */
    static long maskOffset(int param) {
        return HW_MASKS + MASK.byteSize() * param;
    }

    /** Where hw_params keeps the interval of SNDRV_PCM_HW_PARAM_{@code param}. */
    static long intervalOffset(int param) {
        return HW_INTERVALS + INTERVAL.byteSize() * (param - FIRST_INTERVAL);
    }

    private static MemorySegment mask(MemorySegment s, int param) {
        return s.asSlice(maskOffset(param), MASK.byteSize());
    }

    private static void only(MemorySegment s, int param, int bit) {
        MemorySegment m = mask(s, param);
        m.fill((byte) 0);
        m.set(JAVA_INT, 4L * (bit / 32), 1 << (bit % 32));
    }

    private static void exactly(MemorySegment s, int param, long value) {
        long at = intervalOffset(param);
        s.set(JAVA_INT, at, (int) value);
        s.set(JAVA_INT, at + INTERVAL_MAX, (int) value);
        s.set(JAVA_INT, at + INTERVAL_BITS, INTERVAL_INTEGER);
    }

    static MemorySegment swParams(Arena arena, long availMin, long startThreshold, long stopThreshold) {
        MemorySegment s = arena.allocate(SW_PARAMS_STRUCT);
        s.set(JAVA_INT, SW_PERIOD_STEP, 1);
        s.set(JAVA_LONG, SW_AVAIL_MIN, availMin);
        s.set(JAVA_LONG, SW_XFER_ALIGN, 1);
        s.set(JAVA_LONG, SW_START, startThreshold);
        s.set(JAVA_LONG, SW_STOP, stopThreshold);
        s.set(JAVA_INT, SW_PROTO, PROTOCOL);
        return s;
    }

    /** The boundary SW_PARAMS answered with. */
    static long swParamsBoundary(MemorySegment s) {
        return s.get(JAVA_LONG, SW_BOUNDARY);
    }

    static MemorySegment syncPtr(Arena arena, int flags, long applPtr, long availMin) {
        MemorySegment s = arena.allocate(SYNC_PTR_STRUCT);
        s.set(JAVA_INT, SYNC_FLAGS, flags);
        s.set(JAVA_LONG, SYNC_APPL_PTR, applPtr);
        s.set(JAVA_LONG, SYNC_AVAIL_MIN, availMin);
        return s;
    }

    /** The SNDRV_PCM_STATE_* SYNC_PTR answered with. */
    static int syncPtrState(MemorySegment s) {
        return s.get(JAVA_INT, SYNC_STATE);
    }

    static MemorySegment xferi(Arena arena, MemorySegment buf, long frames) {
        MemorySegment x = arena.allocate(XFERI_STRUCT);
        x.set(ADDRESS, XFERI_BUF, buf);
        x.set(JAVA_LONG, XFERI_FRAMES, frames);
        return x;
    }

    /** The frames WRITEI or READI moved. */
    static long xferiResult(MemorySegment x) {
        return x.get(JAVA_LONG, XFERI_RESULT);
    }

    /**
     * EXPORT's argument. Revision 2: struct snd_pcm_dmabuf_export with {@code a}'s flags (the access mode,
     * O_RDONLY or O_RDWR, and O_CLOEXEC, or what a script passes instead) and reserved word, {@code fd} -1
     * until the kernel writes the new fd (the kernel does not read it) and the other reserved words zero.
     * Revision 1: the int the kernel writes the fd to, -1 until then; it carries no flags (the fd is always O_RDWR
     * and O_CLOEXEC).
     */
    static MemorySegment dmabufExport(Arena arena, Revision rev, DmabufArg a) {
        if (rev == Revision.V1) {
            return arena.allocateFrom(JAVA_INT, -1);
        }
        MemorySegment s = arena.allocate(DMABUF_EXPORT_STRUCT);
        s.set(JAVA_INT, EXPORT_FLAGS, a.flags());
        s.set(JAVA_INT, EXPORT_FD, -1);
        s.set(JAVA_INT, EXPORT_RESERVED + 4L * a.reservedWord(), a.reserved());
        return s;
    }

    /** The fd EXPORT wrote to its argument {@code s} of revision {@code rev}. */
    static int dmabufExportFd(MemorySegment s, Revision rev) {
        return s.get(JAVA_INT, rev == Revision.V1 ? 0 : EXPORT_FD);
    }

    /**
     * ATTACH's argument for dma-buf {@code fd}. Revision 2: struct snd_pcm_dmabuf_attach with {@code a}'s flags
     * and reserved word, the other reserved words zero; revision 1: the int holding the fd.
     */
    static MemorySegment dmabufAttach(Arena arena, Revision rev, int fd, DmabufArg a) {
        if (rev == Revision.V1) {
            return arena.allocateFrom(JAVA_INT, fd);
        }
        MemorySegment s = arena.allocate(DMABUF_ATTACH_STRUCT);
        s.set(JAVA_INT, ATTACH_FD, fd);
        s.set(JAVA_INT, ATTACH_FLAGS, a.flags());
        s.set(JAVA_INT, ATTACH_RESERVED + 4L * a.reservedWord(), a.reserved());
        return s;
    }

    /**
     * The pointer an ioctl gets for {@code a}'s argument {@code s}: {@code s}, or for an unmapped pointer an
     * address in the first page, which is never mapped (mm/mmap.c, mmap_min_addr), so the kernel's copy faults
     * (EFAULT). A read-only pointer needs a page of its own ({@code DeviceTarget.argIoctl}).
     */
    static MemorySegment argPointer(MemorySegment s, DmabufArg a) {
        return switch (a.pointer()) {
            case MAPPED -> s;
            case UNMAPPED -> UNMAPPED;
            case READ_ONLY -> throw new IllegalArgumentException("a read-only argument is a page of its own");
        };
    }

    static MemorySegment dmaBufSync(Arena arena, long flags) {
        MemorySegment s = arena.allocate(DMA_BUF_SYNC_STRUCT);
        s.set(JAVA_LONG, DMA_BUF_SYNC_FLAGS, flags);
        return s;
    }
}
