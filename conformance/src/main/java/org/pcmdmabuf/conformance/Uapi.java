package org.pcmdmabuf.conformance;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.pcmdmabuf.model.Access;
import org.pcmdmabuf.model.Errno;
import org.pcmdmabuf.model.Format;
import org.pcmdmabuf.model.PcmState;
import org.pcmdmabuf.model.PcmStream;

/**
 * The numbers of the Linux user-space ABI that both targets exchange: the harness target hands them to the
 * patch's C code, the device target to a real kernel, and both name what comes back in the model's words.
 * The model keeps its own vocabulary (enums, no numbers to agree on), so the numbers live here, once.
 */
public final class Uapi {
    /** snd_pcm_runtime.info: the hardware supports mmap (include/uapi/sound/asound.h). */
    public static final int SNDRV_PCM_INFO_MMAP = 0x00000001;

    private Uapi() {
    }

    /**
     * The two revisions of the PCM dma-buf ioctls (docs/spec.md section 1), with their numbers as
     * include/uapi/asm-generic/ioctl.h encodes them: {@code _IOC(dir, 'A', nr, size)}. DETACH is the same in
     * both. The numbers are checked against the C headers by kernel-patch/tests/uapi-values.c (the patched
     * headers of either revision) and uapi-layout.c (UapiLayoutTest, check.sh).
     */
    public enum Revision {
        /**
         * Revision 1, {@code UAPI-V1}: the 2019 RFC's bare int; kernel-patch/known-bad/v1. EXPORT is
         * {@code _IOR('A', 0x70, int)}: the kernel writes the new fd (always O_RDWR, O_CLOEXEC) to the int;
         * ATTACH is {@code _IOW('A', 0x71, int)}: it reads the dma-buf fd from it.
         */
        V1(1, 0x80044170L, 0x40044171L, 4),
        /**
         * Revision 2, {@code UAPI-EXPORT-ENCODING}, {@code UAPI-ATTACH-ENCODING}: kernel-patch/series, patch
         * 0001. EXPORT is {@code _IOWR('A', 0x70, struct snd_pcm_dmabuf_export)} ({@code __u32 flags},
         * {@code __s32 fd}, {@code __u32 reserved[6]}); ATTACH is
         * {@code _IOW('A', 0x71, struct snd_pcm_dmabuf_attach)} ({@code __s32 fd}, {@code __u32 flags},
         * {@code __u32 reserved[6]}).
         */
        V2(2, 0xc0204170L, 0x40204171L, 32);

        /** The number docs/spec.md gives the revision, as {@code --uapi} takes it. */
        public final int number;
        /** SNDRV_PCM_IOCTL_DMABUF_EXPORT of this revision. */
        public final long export;
        /** SNDRV_PCM_IOCTL_DMABUF_ATTACH of this revision. */
        public final long attach;
        /** The size of EXPORT's and ATTACH's argument, which {@code _IOC_SIZE} of both numbers gives. */
        public final int argBytes;

        Revision(int number, long export, long attach, int argBytes) {
            this.number = number;
            this.export = export;
            this.attach = attach;
            this.argBytes = argBytes;
        }

        /** SNDRV_PCM_IOCTL_DMABUF_DETACH, {@code _IO('A', 0x72)}: the same in both revisions. */
        public static final long DETACH = 0x4172L;

        /** The revision numbered {@code number} (1 or 2). */
        public static Revision of(int number) {
            for (Revision r : values()) {
                if (r.number == number) {
                    return r;
                }
            }
            throw new IllegalArgumentException("no uAPI revision " + number + " (1 or 2)");
        }

        /** How a run header names it. */
        public String describe() {
            return "uAPI revision " + number + " (EXPORT " + String.format("0x%08x", export) + ", ATTACH "
                    + String.format("0x%08x", attach) + ": " + (this == V1 ? "bare int" : "struct") + " argument)";
        }
    }

    /**
     * errno numbers as include/uapi/asm-generic/errno-base.h and include/uapi/asm-generic/errno.h define them:
     * every architecture that includes them unchanged, x86-64 and arm64 among them, answers these. The aliases
     * EWOULDBLOCK (EAGAIN) and EDEADLOCK (EDEADLK) have no number of their own, so 41 and 58 are unused.
     */
    public enum Errnum {
        // errno-base.h
        EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), ENOEXEC(8), EBADF(9), ECHILD(10),
        EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14), ENOTBLK(15), EBUSY(16), EEXIST(17), EXDEV(18), ENODEV(19),
        ENOTDIR(20), EISDIR(21), EINVAL(22), ENFILE(23), EMFILE(24), ENOTTY(25), ETXTBSY(26), EFBIG(27), ENOSPC(28),
        ESPIPE(29), EROFS(30), EMLINK(31), EPIPE(32), EDOM(33), ERANGE(34),
        // errno.h
        EDEADLK(35), ENAMETOOLONG(36), ENOLCK(37), ENOSYS(38), ENOTEMPTY(39), ELOOP(40), ENOMSG(42), EIDRM(43),
        ECHRNG(44), EL2NSYNC(45), EL3HLT(46), EL3RST(47), ELNRNG(48), EUNATCH(49), ENOCSI(50), EL2HLT(51), EBADE(52),
        EBADR(53), EXFULL(54), ENOANO(55), EBADRQC(56), EBADSLT(57), EBFONT(59), ENOSTR(60), ENODATA(61), ETIME(62),
        ENOSR(63), ENONET(64), ENOPKG(65), EREMOTE(66), ENOLINK(67), EADV(68), ESRMNT(69), ECOMM(70), EPROTO(71),
        EMULTIHOP(72), EDOTDOT(73), EBADMSG(74), EOVERFLOW(75), ENOTUNIQ(76), EBADFD(77), EREMCHG(78), ELIBACC(79),
        ELIBBAD(80), ELIBSCN(81), ELIBMAX(82), ELIBEXEC(83), EILSEQ(84), ERESTART(85), ESTRPIPE(86), EUSERS(87),
        ENOTSOCK(88), EDESTADDRREQ(89), EMSGSIZE(90), EPROTOTYPE(91), ENOPROTOOPT(92), EPROTONOSUPPORT(93),
        ESOCKTNOSUPPORT(94), EOPNOTSUPP(95), EPFNOSUPPORT(96), EAFNOSUPPORT(97), EADDRINUSE(98), EADDRNOTAVAIL(99),
        ENETDOWN(100), ENETUNREACH(101), ENETRESET(102), ECONNABORTED(103), ECONNRESET(104), ENOBUFS(105),
        EISCONN(106), ENOTCONN(107), ESHUTDOWN(108), ETOOMANYREFS(109), ETIMEDOUT(110), ECONNREFUSED(111),
        EHOSTDOWN(112), EHOSTUNREACH(113), EALREADY(114), EINPROGRESS(115), ESTALE(116), EUCLEAN(117), ENOTNAM(118),
        ENAVAIL(119), EISNAM(120), EREMOTEIO(121), EDQUOT(122), ENOMEDIUM(123), EMEDIUMTYPE(124), ECANCELED(125),
        ENOKEY(126), EKEYEXPIRED(127), EKEYREVOKED(128), EKEYREJECTED(129), EOWNERDEAD(130), ENOTRECOVERABLE(131),
        ERFKILL(132), EHWPOISON(133),
        // include/linux/errno.h: kernel-internal, but a driver's -ENOTSUPP reaches user space unchanged
        ENOTSUPP(524);

        public final int number;

        Errnum(int number) {
            this.number = number;
        }

        /** toMap refuses a number twice, so a typo in the table fails when the class loads. */
        private static final Map<Integer, Errnum> BY_NUMBER = Arrays.stream(values())
                .collect(Collectors.toMap(e -> e.number, e -> e));

        /** The errno numbered {@code number}, or null. */
        public static Errnum of(int number) {
            return BY_NUMBER.get(number);
        }
    }

    /** The name op scripts give errno {@code number}; {@code E<number>} for one no header defines. */
    public static String errnoName(int number) {
        Errnum e = Errnum.of(number);
        return e != null ? e.name() : "E" + number;
    }

    /** The model's errno for {@code number}, or null when the model never answers it. */
    public static Errno errno(int number) {
        Errnum e = Errnum.of(number);
        return e == null ? null : Errno.byName(e.name());
    }

    /** SNDRV_PCM_ACCESS_* (include/uapi/sound/asound.h). */
    public static int access(Access a) {
        return switch (a) {
            case MMAP_INTERLEAVED -> 0;
            case MMAP_NONINTERLEAVED -> 1;
            case RW_INTERLEAVED -> 3;
            case RW_NONINTERLEAVED -> 4;
        };
    }

    /** SNDRV_PCM_FORMAT_* (include/uapi/sound/asound.h). */
    public static int format(Format f) {
        return switch (f) {
            case S8 -> 0;
            case U8 -> 1;
            case S16_LE -> 2;
            case S16_BE -> 3;
            case U16_LE -> 4;
            case S24_LE -> 6;
            case S32_LE -> 10;
            case S32_BE -> 11;
            case FLOAT_LE -> 14;
            case FLOAT64_LE -> 16;
            case S24_3LE -> 32;
        };
    }

    /** SNDRV_PCM_STATE_* (include/uapi/sound/asound.h). */
    public static int state(PcmState s) {
        return switch (s) {
            case OPEN -> 0;
            case SETUP -> 1;
            case PREPARED -> 2;
            case RUNNING -> 3;
            case XRUN -> 4;
            case DRAINING -> 5;
            case PAUSED -> 6;
            case SUSPENDED -> 7;
            case DISCONNECTED -> 8;
        };
    }

    /** The model's state numbered {@code number} by SNDRV_PCM_STATE_*, or null. */
    public static PcmState state(int number) {
        for (PcmState s : PcmState.values()) {
            if (state(s) == number) {
                return s;
            }
        }
        return null;
    }

    /** SNDRV_PCM_STREAM_* (include/uapi/sound/asound.h). */
    public static int stream(PcmStream s) {
        return switch (s) {
            case PLAYBACK -> 0;
            case CAPTURE -> 1;
        };
    }
}
