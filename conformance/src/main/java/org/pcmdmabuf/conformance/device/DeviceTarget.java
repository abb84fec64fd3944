package org.pcmdmabuf.conformance.device;

import static org.pcmdmabuf.conformance.Uapi.Errnum.EBADF;
import static org.pcmdmabuf.conformance.Uapi.Errnum.EBADFD;
import static org.pcmdmabuf.conformance.Uapi.Errnum.EFAULT;
import static org.pcmdmabuf.conformance.Uapi.Errnum.EINVAL;
import static org.pcmdmabuf.conformance.Uapi.Errnum.ENODEV;
import static org.pcmdmabuf.conformance.Uapi.Errnum.ENOENT;
import static org.pcmdmabuf.conformance.Uapi.Errnum.ENOSYS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.conformance.Uapi.Revision;
import org.pcmdmabuf.conformance.device.FdTable.FileInfo;
import org.pcmdmabuf.conformance.device.FdTable.Mapping;
import org.pcmdmabuf.model.DmabufArg;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.PcmState;
import org.pcmdmabuf.model.Substream;
import org.pcmdmabuf.model.SwParams;
import org.pcmdmabuf.script.Names;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.Target;

/**
 * The {@code device} target: a real kernel's /dev/snd PCMs and dma-buf fds, driven through FFM system calls.
 *
 * <p>Each script device is bound to a real PCM ({@link Cards#assign}); each script process is an fd table
 * of its own inside this process ({@link FdTable}): an fd {@code send} goes through a real socketpair with
 * SCM_RIGHTS (the receiving process gets a new fd to the same file), and {@code exit} closes every fd and
 * unmaps every mapping of that process. Ops the device cannot answer ({@code leaks}, {@code dma_debug}:
 * nothing in user space counts the kernel's objects or reads DMA-API debug's entries per script) answer with
 * an extra field {@code skipped}. A {@code fill} or {@code check} answers what the access would: SIGBUS where
 * a page of the range faults ({@link PageProbe}: asked with write(2), never touched, since a SIGBUS in an FFM
 * access kills the JVM), else success with an extra field {@code unobserved}, the stamps being the
 * simulator's: its result and state are compared, its counts are not. Cases with {@code suspend}, or
 * {@code disconnect} without {@link #disconnectByUnbind}, are not run (see {@link #notApplicable}).
 *
 * <p>The DMABUF ioctls are those of one {@link Revision} of the uAPI, chosen by the caller (default
 * {@link Revision#V2}, the series'; {@code pcmsim conformance --target device --uapi 1} for a kernel of
 * kernel-patch/known-bad/v1), never guessed: a probe that fell back to revision 1 on ENOTTY would judge a
 * revision-2 kernel whose EXPORT is missing or broken with the other revision's ioctls. Revision 2's EXPORT
 * asks for O_RDWR, or O_RDONLY for {@code dmabuf_export ... rdonly}, always with O_CLOEXEC: what a sound
 * server asks for, and no op script can exec, so the flag changes nothing a script observes. A script with an
 * {@code rdonly} export does not run on revision 1, which has no access mode.
 *
 * <p>The ioctls' structs are {@link UapiStructs}'; a disconnect is an {@link Unbind}; every system call goes
 * through {@link SystemCalls}.
 */
public final class DeviceTarget implements Target {
    private final Cards cards;
    private final SystemCalls sys;
    private final Map<String, Cards.Pcm> devices = new HashMap<>();
    private final FdTable fds;
    private final Unbind unbind;
    private final Arena arena = Arena.ofConfined();
    private final Revision uapi;
    private final PageProbe probe;
    private int lastRate = 48000;
    private boolean timed;

    public DeviceTarget(Cards cards) {
        this(cards, Revision.V2);
    }

    /** The target on this machine's kernel, issuing the DMABUF ioctls of {@code uapi}. */
    public DeviceTarget(Cards cards, Revision uapi) {
        this(cards, new Native(), uapi);
    }

    /** The target on {@code sys}: this machine's kernel, or a host test's double of it; revision 2. */
    DeviceTarget(Cards cards, SystemCalls sys) {
        this(cards, sys, Revision.V2);
    }

    DeviceTarget(Cards cards, SystemCalls sys, Revision uapi) {
        this.cards = cards;
        this.sys = sys;
        this.uapi = uapi;
        this.probe = new PageProbe(sys);
        this.fds = new FdTable(sys);
        this.unbind = new Unbind(sys);
    }

    @Override
    public String name() {
        return "device";
    }

    /**
     * Card disconnect by unbinding the card's platform driver in sysfs (and binding it again when the case
     * ends); off unless {@code pcmsim conformance --disconnect-by-unbind}: it needs root and a card nobody else uses.
     */
    static boolean disconnectByUnbind;

    /** The uAPI revision whose DMABUF ioctls this target issues. */
    public Revision uapi() {
        return uapi;
    }

    /** Why a script cannot run on the real cards with revision 2's ioctls, or null when it can. */
    public static String notApplicable(Script script, Cards cards) {
        return notApplicable(script, cards, Revision.V2);
    }

    /** Why a script cannot run on the real cards with the DMABUF ioctls of {@code uapi}, or null when it can. */
    public static String notApplicable(Script script, Cards cards, Revision uapi) {
        Map<String, Cards.Pcm> bound;
        try {
            bound = cards.assign(script);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (uapi == Revision.V1 && Target.uapiV1Refusal(script, "device") instanceof String why) {
            return why;
        }
        // what declare() refuses (fault injection, model-only ops) is not run, as an unbindable device is not
        if (Target.refusal(script, "device") instanceof String why) {
            return why;
        }
        Set<String> disconnected = new HashSet<>();
        for (Op op : script.ops()) {
            if (op instanceof Op.Simple x && x.name().equals("resume") && !cards.powerManagement()) {
                return "line " + x.line() + ": resume (this kernel has no CONFIG_PM: snd_pcm_resume() is -ENOSYS,"
                        + " sound/core/pcm_native.c)";
            }
            if (op instanceof Op.Open x && disconnected.contains(x.device())) {
                // the unbind removed the card's nodes: open(2) answers ENOENT from the VFS, where the model's
                // ENODEV is snd_pcm_open() finding the minor gone under a node that outlived the card
                return "line " + x.line() + ": open of " + x.device() + " after its disconnect (the unbound card's"
                        + " node is gone: ENOENT)";
            }
            if (op instanceof Op.CardEvent e && e.name().equals("disconnect")) {
                disconnected.add(e.device());
            }
            if (op instanceof Op.DmabufExport x && x.readOnly() && uapi == Revision.V1) {
                return "line " + x.line() + ": dmabuf_export rdonly (uAPI revision 1 has no access mode: every"
                        + " export is O_RDWR)";
            }
            if (op instanceof Op.CardEvent e) {
                if (e.name().equals("suspend")) {
                    return "line " + e.line() + ": suspend (no per-card suspend from user space)";
                }
                if (!disconnectByUnbind) {
                    return "line " + e.line() + ": disconnect (needs --disconnect-by-unbind: unbinds the card's driver)";
                }
                if (Unbind.driver(bound.get(e.device())) == null) {
                    return "line " + e.line() + ": disconnect of " + bound.get(e.device())
                            + " (only snd-dummy and snd-aloop are unbound)";
                }
            }
        }
        return null;
    }

    @Override
    public void declare(Script script) {
        if (Target.refusal(script, name()) instanceof String why) {
            throw new IllegalArgumentException(why);
        }
        devices.putAll(cards.assign(script));
        for (String p : script.procs()) {
            fds.declare(p);
        }
    }

    /** The real PCM each script device was bound to. */
    public Map<String, Cards.Pcm> devices() {
        return devices;
    }

    private static final boolean TRACE = !System.getenv().getOrDefault("PCMDMABUF_DEVICE_TRACE", "").isEmpty();

    @Override
    public Outcome execute(Op op, Names n) {
        if (TRACE) {
            System.out.println("  trace: line " + op.line() + " " + op);
            System.out.flush();
        }
        return run(op, n);
    }

    private Outcome run(Op op, Names n) {
        return switch (op) {
            case Op.Open o -> open(o, n);
            case Op.HwParamsOp o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                yield pcm(o.proc(), fd, hwParams(fd, o.params()));
            }
            case Op.SwParamsOp o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                yield pcm(o.proc(), fd, swParams(fd, o.params()));
            }
            case Op.Simple o -> simple(o, fds.fd(n, o.proc(), o.fd()));
            case Op.Pause o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                yield pcm(o.proc(), fd, sys.ioctlValue(fd, UapiStructs.PAUSE, o.push() ? 1 : 0));
            }
            case Op.SyncPtr o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                yield pcm(o.proc(), fd, syncPtr(fd, o.applPtr()));
            }
            case Op.Xfer o -> xfer(o, fds.fd(n, o.proc(), o.fd()));
            case Op.Mmap o -> mmap(o, n);
            case Op.Munmap o -> munmap(o, n);
            case Op.MapAccess o -> mapAccess(o, n);
            case Op.Sync o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                yield pcm(o.proc(), fd, sys.ioctl(fd, UapiStructs.DMA_BUF_SYNC,
                        UapiStructs.dmaBufSync(arena, o.flags())));
            }
            case Op.DmabufExport o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                MemorySegment arg = UapiStructs.dmabufExport(arena, uapi, o.arg());
                int r = argIoctl(fd, uapi.export, arg, o.arg());
                int dfd = r < 0 ? -1 : UapiStructs.dmabufExportFd(arg, uapi);
                if (dfd >= 0) {
                    fds.own(o.proc(), dfd, new FileInfo(null));
                }
                n.bindFd(o.proc(), o.as(), dfd);
                Outcome out = pcm(o.proc(), fd, r < 0 ? r : dfd);
                // UAPI-EXPORT-FLAGS: the new fd has close-on-exec exactly when the flags asked for it
                yield dfd < 0 ? out
                        : out.with("cloexec", (sys.fcntl(dfd, UapiStructs.F_GETFD, 0) & UapiStructs.FD_CLOEXEC) != 0);
            }
            case Op.DmabufAttach o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                MemorySegment in = UapiStructs.dmabufAttach(arena, uapi, fds.fd(n, o.proc(), o.dmabufFd()), o.arg());
                yield pcm(o.proc(), fd, argIoctl(fd, uapi.attach, in, o.arg()));
            }
            case Op.DmabufDetach o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                yield pcm(o.proc(), fd, sys.ioctl(fd, UapiStructs.DMABUF_DETACH, MemorySegment.NULL));
            }
            // snd_pcm_link() takes the other fd as the argument's value, not through a pointer
            case Op.Link o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                yield pcm(o.proc(), fd, sys.ioctlValue(fd, UapiStructs.LINK, fds.fd(n, o.proc(), o.other())));
            }
            case Op.Unlink o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                yield pcm(o.proc(), fd, sys.ioctl(fd, UapiStructs.UNLINK, MemorySegment.NULL));
            }
            case Op.Close o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                int r = fds.owns(o.proc(), fd) ? sys.close(fd) : -EBADF.number;
                if (r == 0) {
                    fds.disown(o.proc(), fd);
                }
                yield pcm(o.proc(), fd, r);
            }
            case Op.Dup o -> {
                int fd = fds.fd(n, o.proc(), o.fd());
                int r = fds.owns(o.proc(), fd) ? sys.dup(fd) : -EBADF.number;
                if (r >= 0) {
                    fds.own(o.proc(), r, fds.file(fd));
                }
                n.bindFd(o.proc(), o.as(), r < 0 ? -1 : r);
                yield pcm(o.proc(), fd, r);
            }
            case Op.OpenPath o -> openPath(o, n);
            case Op.Send o -> send(o, n);
            case Op.Exit o -> {
                fds.exit(o.proc());
                yield Outcome.ok(0, null);
            }
            case Op.LeaksOp o -> new Outcome(0, null, null, Map.of("skipped",
                    "leaks: the kernel's files, dma-bufs and attachments are not countable from user space"));
            case Op.DmaDebug o -> new Outcome(0, null, null, Map.of("skipped",
                    "dma_debug: not observed: the kernel's DMA-API debug entries (CONFIG_DMA_API_DEBUG) are"
                            + " root-only debugfs, kernel-wide, and say nothing about one script's attachments"));
            case Op.CardEvent o -> disconnect(o);
            case Op.Advance o -> advance(o);
            case Op.Restrict _, Op.BufferFd _, Op.FailNth _, Op.Gup _, Op.Unpin _, Op.Import _ ->
                    throw new IllegalStateException(Target.refusal(
                    new Script(List.of(), List.of(), List.of(op)), name()));
        };
    }

    /**
     * True once a stream ran or an {@code advance} slept: from then on positions (delay, frame counts) depend
     * on the wall clock and the guest's scheduling, so only errno and state are comparable.
     */
    public boolean timed() {
        return timed;
    }

    // ---- ops ----------------------------------------------------------------------------------------

    private Outcome disconnect(Op.CardEvent o) {
        Cards.Pcm pcm = devices.get(o.device());
        Unbind.Driver d = Unbind.driver(pcm);
        if (!o.name().equals("disconnect") || d == null) {
            return Outcome.error(ENOSYS.name(), null);
        }
        return unbind.disconnect(pcm, d);
    }

    /** Virtual time becomes wall-clock time: the real DMA runs while this process sleeps. */
    private Outcome advance(Op.Advance o) {
        long nanos = o.nanos() != null ? o.nanos() : o.frames() * 1_000_000_000L / lastRate;
        timed = true;
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Outcome(0, null, null, Map.of("timed", "slept " + nanos / 1000 + " us"));
    }

    private Outcome open(Op.Open o, Names n) {
        Cards.Pcm pcm = devices.get(o.device());
        // Always opened O_NONBLOCK: a blocking open of a busy substream waits for it to be free, where
        // the model (and a script, which has no second thread) says EBUSY. The flag is cleared afterwards
        // if the script did not ask for it, so later ops block as the script expects.
        int flags = (o.readOnly() ? UapiStructs.O_RDONLY : UapiStructs.O_RDWR) | UapiStructs.O_CLOEXEC
                | (o.append() ? UapiStructs.O_APPEND : 0) | UapiStructs.O_NONBLOCK;
        int fd = sys.open(pcm.path(), flags);
        n.bindFd(o.proc(), o.as(), fd < 0 ? -1 : fd);
        if (fd < 0) {
            return Outcome.error(Uapi.errnoName(-fd), null);
        }
        int fl = o.nonblock() ? -1 : sys.fcntl(fd, UapiStructs.F_GETFL, 0);
        if (fl >= 0) {
            sys.fcntl(fd, UapiStructs.F_SETFL, fl & ~UapiStructs.O_NONBLOCK);
        }
        fds.own(o.proc(), fd, new FileInfo(pcm));
        return Outcome.ok(fd, state(fd));
    }

    private int hwParams(int fd, HwParams p) {
        int r = sys.ioctl(fd, UapiStructs.HW_PARAMS, UapiStructs.hwParams(arena, p));
        FileInfo f = fds.file(fd);
        if (r == 0 && f != null) {
            lastRate = p.rate();
            f.hwParams(p);
        }
        return r;
    }

    private int swParams(int fd, SwParams p) {
        FileInfo tracked = fds.file(fd);
        FileInfo f = tracked != null ? tracked : new FileInfo(null);
        long start = p.startThreshold() != null ? p.startThreshold() : f.startThreshold;
        long stop = p.stopThreshold() == null ? f.stopThreshold
                : p.stopThreshold() == SwParams.BOUNDARY ? f.boundary : p.stopThreshold();
        long availMin = p.availMin() != null ? p.availMin() : f.availMin;
        MemorySegment s = UapiStructs.swParams(arena, availMin, start, stop);
        int r = sys.ioctl(fd, UapiStructs.SW_PARAMS, s);
        if (r == 0 && tracked != null) {
            f.startThreshold = start;
            f.stopThreshold = stop;
            f.availMin = availMin;
            f.boundary = UapiStructs.swParamsBoundary(s);
        }
        return r;
    }

    /** SYNC_PTR: with no {@code appl} it reads appl_ptr and avail_min; with one, it writes both. */
    private int syncPtr(int fd, Long appl) {
        FileInfo f = fds.file(fd);
        long availMin = f == null ? 1 : f.availMin;
        MemorySegment s = appl == null ? UapiStructs.syncPtr(arena, UapiStructs.SYNC_PTR_READ, 0, 0)
                : UapiStructs.syncPtr(arena, 0, appl, availMin);
        return sys.ioctl(fd, UapiStructs.SYNC_PTR, s);
    }

    /** The state of the substream behind a PCM fd, or null for anything else. */
    private String state(int fd) {
        FileInfo f = fds.file(fd);
        if (f == null || f.pcm == null) {
            return null;
        }
        MemorySegment s = UapiStructs.syncPtr(arena, UapiStructs.SYNC_PTR_READ, 0, 0);
        int r = sys.ioctl(fd, UapiStructs.SYNC_PTR, s);
        if (r < 0) {
            // a disconnected card: EBADFD from the PCM core, or ENODEV once its file ops are swapped
            return r == -EBADFD.number || r == -ENODEV.number ? PcmState.DISCONNECTED.name() : null;
        }
        int st = UapiStructs.syncPtrState(s);
        PcmState state = Uapi.state(st);
        return state != null ? state.name() : String.valueOf(st);
    }

    private Outcome simple(Op.Simple o, int fd) {
        long req = switch (o.name()) {
            case "hw_free" -> UapiStructs.HW_FREE;
            case "prepare" -> UapiStructs.PREPARE;
            case "start" -> UapiStructs.START;
            case "drop" -> UapiStructs.DROP;
            case "drain" -> UapiStructs.DRAIN;
            case "reset" -> UapiStructs.RESET;
            case "xrun" -> UapiStructs.XRUN;
            case "hwsync" -> UapiStructs.HWSYNC;
            case "delay" -> UapiStructs.DELAY;
            case "resume" -> UapiStructs.RESUME;
            default -> throw new IllegalArgumentException(o.name());
        };
        if (req == UapiStructs.DELAY) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            int r = sys.ioctl(fd, UapiStructs.DELAY, out);
            if (r < 0) {
                return pcm(o.proc(), fd, r);
            }
            // a delay may be negative (the DMA overtook appl_ptr before the xrun is noticed): a value, not an errno
            Outcome ok = pcm(o.proc(), fd, 0);
            return new Outcome(out.get(ValueLayout.JAVA_LONG, 0), null, ok.state(), ok.extra());
        }
        return pcm(o.proc(), fd, sys.ioctl(fd, req, MemorySegment.NULL));
    }

    /**
     * EXPORT or ATTACH {@code request} on {@code fd} with struct {@code s} behind the pointer {@code a} asks for:
     * {@code s} itself, an address in the never mapped first page (mm/mmap.c, mmap_min_addr), or a copy of
     * {@code s} in a page of /dev/zero made read-only with mprotect(PROT_READ) (UAPI-EXPORT-WRITEBACK), copied
     * back into {@code s} after the ioctl.
     */
    private int argIoctl(int fd, long request, MemorySegment s, DmabufArg a) {
        if (a.pointer() != DmabufArg.Pointer.READ_ONLY) {
            return sys.ioctl(fd, request, UapiStructs.argPointer(s, a));
        }
        long page = 4096;
        int zero = sys.open("/dev/zero", UapiStructs.O_RDWR | UapiStructs.O_CLOEXEC);
        long addr = zero < 0 ? zero : sys.mmap(page, UapiStructs.PROT_READ | UapiStructs.PROT_WRITE,
                UapiStructs.MAP_SHARED, zero, 0);
        if (zero >= 0) {
            sys.close(zero);
        }
        if (addr <= 0) {
            throw new IllegalStateException("a page for a read-only argument: /dev/zero gives " + addr);
        }
        try {
            MemorySegment ro = MemorySegment.ofAddress(addr).reinterpret(page);
            ro.copyFrom(s);
            int p = sys.mprotect(addr, page, UapiStructs.PROT_READ);
            if (p < 0) {
                throw new IllegalStateException("mprotect(PROT_READ) of a read-only argument's page: " + p);
            }
            int r = sys.ioctl(fd, request, ro.asSlice(0, s.byteSize()));
            s.copyFrom(ro.asSlice(0, s.byteSize()));
            return r;
        } finally {
            sys.munmap(addr, page);
        }
    }

    private Outcome xfer(Op.Xfer o, int fd) {
        FileInfo f = fds.file(fd);
        int fb = f == null ? 4 : Math.max(1, f.frameBytes);
        long frames = Math.min(o.frames(), 1L << 22);
        MemorySegment buf = arena.allocate(Math.max(8, frames * fb), 8);
        MemorySegment x = UapiStructs.xferi(arena, buf, o.frames());
        int r = sys.ioctl(fd, o.name().equals("writei") ? UapiStructs.WRITEI : UapiStructs.READI, x);
        return pcm(o.proc(), fd, r < 0 ? r : UapiStructs.xferiResult(x));
    }

    private Outcome mmap(Op.Mmap o, Names n) {
        int fd = fds.fd(n, o.proc(), o.fd());
        int prot = (o.read() ? UapiStructs.PROT_READ : 0) | (o.write() ? UapiStructs.PROT_WRITE : 0);
        long addr = sys.mmap(o.length(), prot, o.shared() ? UapiStructs.MAP_SHARED : UapiStructs.MAP_PRIVATE, fd,
                o.offset());
        if (addr < 0 && addr > -4096) {
            n.bindMap(o.proc(), o.as(), null);
            return pcm(o.proc(), fd, addr);
        }
        Mapping m = new Mapping(addr, o.length(), o.read(), o.write());
        fds.mapped(o.proc(), m);
        n.bindMap(o.proc(), o.as(), m);
        return pcm(o.proc(), fd, 0);
    }

    /**
     * {@code fill} and {@code check}: refused as the model refuses them (EFAULT outside a mapping of the
     * process or against its protection, the SIGSEGV a store to a read-only page raises; EINVAL finer than a
     * word), SIGBUS where a page of the range would fault (LIFETIME-REVOKE-ZAP), else success with the stamps
     * unobserved. Nothing is written or read from Java: the probe only reads the pages, so the protection is
     * the mapping's as the script asked for it.
     */
    private Outcome mapAccess(Op.MapAccess o, Names n) {
        Mapping m = (Mapping) n.map(o.proc(), o.map());
        long off = o.offset(), len = o.length();
        boolean allowed = m != null && (o.name().equals("fill") ? m.writable() : m.readable());
        if (!allowed || !fds.maps(o.proc(), m) || off < 0 || len < 0 || off + len > m.len()) {
            return Outcome.error(EFAULT.name(), null);
        }
        if (off % 4 != 0 || len % 4 != 0) {
            return Outcome.error(EINVAL.name(), null);
        }
        long r = probe.probe(m.addr() + off, len);
        if (r == -EFAULT.number) {
            return Outcome.error("SIGBUS", null).with("probe", PageProbe.describe(r));
        }
        if (r < 0) {
            throw new IllegalStateException(o.name() + ": " + PageProbe.describe(r));
        }
        return Outcome.ok(0, null).with("unobserved", o.name() + ": the pages are there (" + len + " bytes"
                + " probed); the stamps are the simulator's, a real card is checked by the WAV check");
    }

    private Outcome munmap(Op.Munmap o, Names n) {
        Mapping m = (Mapping) n.map(o.proc(), o.map());
        if (m == null) {
            return Outcome.error(EINVAL.name(), null);
        }
        if (!fds.maps(o.proc(), m)) {
            // munmap(2) of a range nothing maps succeeds (do_vmi_munmap(), mm/vma.c, finds no vma), as the model
            // answers; not called again, since another mapping of this process may have taken the address
            return Outcome.ok(0, null);
        }
        if (o.keep() != null && o.keep() > 0) {
            return munmapTail(o, n, m, o.keep());
        }
        int r = sys.munmap(m.addr(), m.len());
        if (r == 0) {
            fds.unmapped(o.proc(), m);
        }
        return r < 0 ? Outcome.error(Uapi.errnoName(-r), null) : Outcome.ok(0, null);
    }

    /**
     * munmap(2) of a mapping from byte {@code keep} on: the kernel splits it and the first {@code keep} bytes
     * stay, bound to the same name. A range past its end unmaps nothing of it and is not called: another mapping
     * of this process may lie there.
     */
    private Outcome munmapTail(Op.Munmap o, Names n, Mapping m, long keep) {
        if (keep % Substream.PAGE_SIZE != 0) {
            return Outcome.error(EINVAL.name(), null);
        }
        if (keep >= m.len()) {
            return Outcome.ok(0, null);
        }
        int r = sys.munmap(m.addr() + keep, m.len() - keep);
        if (r < 0) {
            return Outcome.error(Uapi.errnoName(-r), null);
        }
        Mapping kept = new Mapping(m.addr(), keep, m.readable(), m.writable());
        fds.unmapped(o.proc(), m);
        fds.mapped(o.proc(), kept);
        n.bindMap(o.proc(), o.map(), kept);
        return Outcome.ok(0, null);
    }

    /**
     * open("/proc/self/fd/N", O_PATH): the magic link resolves to the fd's file's path (fs/proc/fd.c,
     * proc_fd_link()) and the O_PATH file holds it, a reference on the dma-buf's dentry that delays its d_release
     * past the file's free (PLAT-FILE-LIFETIME). An fd the script process does not hold is not in its
     * /proc/self/fd: ENOENT.
     */
    private Outcome openPath(Op.OpenPath o, Names n) {
        int fd = fds.fd(n, o.proc(), o.fd());
        int r = fds.owns(o.proc(), fd)
                ? sys.open("/proc/self/fd/" + fd, UapiStructs.O_PATH | UapiStructs.O_CLOEXEC) : -ENOENT.number;
        if (r >= 0) {
            fds.own(o.proc(), r, new FileInfo(null));
        }
        n.bindFd(o.proc(), o.as(), r < 0 ? -1 : r);
        return r < 0 ? Outcome.error(Uapi.errnoName(-r), null) : Outcome.ok(r, null);
    }

    private Outcome send(Op.Send o, Names n) {
        int fd = fds.fd(n, o.proc(), o.fd());
        if (!fds.owns(o.proc(), fd)) {
            n.bindFd(o.to(), o.as(), -1);
            return Outcome.error(EBADF.name(), null);
        }
        int got = FdPassing.pass(sys, fd);
        if (got < 0) {
            n.bindFd(o.to(), o.as(), -1);
            return Outcome.error(Uapi.errnoName(-got), null);
        }
        fds.own(o.to(), got, fds.file(fd));
        n.bindFd(o.to(), o.as(), got);
        return Outcome.ok(got, state(got));
    }

    private Outcome pcm(String proc, int fd, long r) {
        String st = fds.owns(proc, fd) ? state(fd) : null;
        if (st != null && !st.equals("OPEN") && !st.equals("SETUP") && !st.equals("PREPARED")) {
            timed = true;
        }
        return r < 0 ? Outcome.error(Uapi.errnoName((int) -r), st) : Outcome.ok(r, st);
    }

    /** Every process exits, then every unbound card is bound again. */
    @Override
    public void close() {
        fds.exitAll();
        probe.close();
        arena.close();
        unbind.rebind(devices.values());
    }
}
