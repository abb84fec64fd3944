package org.pcmdmabuf.conformance.device;

import static org.pcmdmabuf.conformance.Uapi.Errnum.EBADF;
import static org.pcmdmabuf.conformance.Uapi.Errnum.EBADFD;
import static org.pcmdmabuf.conformance.Uapi.Errnum.ENODEV;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.PcmState;
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
 * of its own inside this process: an fd {@code send} goes through a real socketpair with SCM_RIGHTS (the
 * receiving process gets a new fd to the same file), and {@code exit} closes every fd and unmaps every
 * mapping of that process, which is what the kernel's exit does with them. Ops the device cannot answer
 * ({@code leaks}, {@code fill}, {@code check}: nothing in user space counts the kernel's objects, and a real
 * card has no stamp checker) answer with an extra field {@code skipped}; cases with {@code advance},
 * {@code suspend} or {@code disconnect} are not run (see {@link #notApplicable}).
 */
public final class DeviceTarget implements Target {
    // ioctl numbers, x86_64 (include/uapi/sound/asound.h, include/uapi/linux/dma-buf.h)
    static final long HW_PARAMS = 0xc2604111L, HW_FREE = 0x4112, SW_PARAMS = 0xc0884113L, HWSYNC = 0x4122,
            DELAY = 0x80084121L, SYNC_PTR = 0xc0884123L, PREPARE = 0x4140, RESET = 0x4141, START = 0x4142,
            DROP = 0x4143, DRAIN = 0x4144, PAUSE = 0x40044145L, RESUME = 0x4147, XRUN = 0x4148,
            WRITEI = 0x40184150L, READI = 0x80184151L, DMABUF_EXPORT = 0x80044170L, DMABUF_ATTACH = 0x40044171L,
            DMABUF_DETACH = 0x4172, DMA_BUF_SYNC = 0x40086200L;

    /** An open file description as this target tracks it (shared by dup and send). */
    static final class FileInfo {
        final Cards.Pcm pcm;           // null for a dma-buf
        long bufferFrames;
        long boundary;
        long availMin = 1;
        long startThreshold = 1;
        long stopThreshold;
        int frameBytes = 4;

        FileInfo(Cards.Pcm pcm) {
            this.pcm = pcm;
        }
    }

    record Mapping(long addr, long len) {
    }

    private final Cards cards;
    private final Map<String, Cards.Pcm> devices = new HashMap<>();
    private final Map<Integer, FileInfo> files = new HashMap<>();
    private final Map<String, List<Integer>> procFds = new LinkedHashMap<>();
    private final Map<String, List<Mapping>> procMaps = new LinkedHashMap<>();
    private final Map<Mapping, String> mapOwner = new IdentityHashMap<>();
    private final Arena arena = Arena.ofConfined();
    private int lastRate = 48000;
    private boolean timed;

    public DeviceTarget(Cards cards) {
        this.cards = cards;
    }

    @Override
    public String name() {
        return "device";
    }

    /**
     * Card disconnect by unbinding the card's platform driver in sysfs (and binding it again when the case
     * ends); off unless DeviceMain's {@code --disconnect}: it needs root and a card nobody else uses.
     */
    static boolean disconnectByUnbind;

    /** sysfs driver directory and device name of a card kind that can be unbound, or null. */
    static String[] unbindable(Cards.Pcm p) {
        return switch (p.kind()) {
            case "dummy" -> new String[] {"/sys/bus/platform/drivers/snd_dummy", "snd_dummy.0"};
            case "aloop" -> new String[] {"/sys/bus/platform/drivers/snd_aloop", "snd_aloop.0"};
            default -> null;
        };
    }

    /** Why a script cannot run on the real cards, or null when it can. */
    public static String notApplicable(Script script, Cards cards) {
        Map<String, Cards.Pcm> bound;
        try {
            bound = cards.assign(script);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        for (Op op : script.ops()) {
            if (op instanceof Op.CardEvent e) {
                if (e.name().equals("suspend")) {
                    return "line " + e.line() + ": suspend (no per-card suspend from user space)";
                }
                if (!disconnectByUnbind) {
                    return "line " + e.line() + ": disconnect (needs --disconnect: unbinds the card's driver)";
                }
                if (unbindable(bound.get(e.device())) == null) {
                    return "line " + e.line() + ": disconnect of " + bound.get(e.device())
                            + " (only snd-dummy and snd-aloop are unbound)";
                }
            }
        }
        return null;
    }

    @Override
    public void declare(Script script) {
        devices.putAll(cards.assign(script));
        for (String p : script.procs()) {
            procFds.put(p, new ArrayList<>());
            procMaps.put(p, new ArrayList<>());
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
            case Op.HwParamsOp o -> pcm(o.proc(), fd(n, o.proc(), o.fd()), hwParams(fd(n, o.proc(), o.fd()),
                    o.params()));
            case Op.SwParamsOp o -> pcm(o.proc(), fd(n, o.proc(), o.fd()), swParams(fd(n, o.proc(), o.fd()),
                    o.params()));
            case Op.Simple o -> simple(o, fd(n, o.proc(), o.fd()));
            case Op.Pause o -> pcm(o.proc(), fd(n, o.proc(), o.fd()),
                    Native.ioctlInt(fd(n, o.proc(), o.fd()), PAUSE, o.push() ? 1 : 0));
            case Op.SyncPtr o -> pcm(o.proc(), fd(n, o.proc(), o.fd()), syncPtr(fd(n, o.proc(), o.fd()), o.applPtr()));
            case Op.Xfer o -> xfer(o, fd(n, o.proc(), o.fd()));
            case Op.Mmap o -> mmap(o, n);
            case Op.Munmap o -> munmap(o, n);
            case Op.MapAccess o -> new Outcome(0, null, null, Map.of("skipped",
                    o.name() + ": stamps are the simulator's; a real card is checked by the WAV check"));
            case Op.Sync o -> {
                int fd = fd(n, o.proc(), o.fd());
                MemorySegment s = arena.allocate(8, 8);
                s.set(ValueLayout.JAVA_LONG, 0, o.flags());
                yield pcm(o.proc(), fd, Native.ioctl(fd, DMA_BUF_SYNC, s));
            }
            case Op.DmabufExport o -> {
                int fd = fd(n, o.proc(), o.fd());
                MemorySegment out = arena.allocate(4, 4);
                out.set(ValueLayout.JAVA_INT, 0, -1);
                int r = Native.ioctl(fd, DMABUF_EXPORT, out);
                int dfd = r < 0 ? -1 : out.get(ValueLayout.JAVA_INT, 0);
                if (dfd >= 0) {
                    own(o.proc(), dfd, new FileInfo(null));
                }
                n.bindFd(o.proc(), o.as(), dfd);
                yield pcm(o.proc(), fd, r < 0 ? r : dfd);
            }
            case Op.DmabufAttach o -> {
                int fd = fd(n, o.proc(), o.fd());
                MemorySegment in = arena.allocate(4, 4);
                in.set(ValueLayout.JAVA_INT, 0, fd(n, o.proc(), o.dmabufFd()));
                yield pcm(o.proc(), fd, Native.ioctl(fd, DMABUF_ATTACH, in));
            }
            case Op.DmabufDetach o -> {
                int fd = fd(n, o.proc(), o.fd());
                yield pcm(o.proc(), fd, Native.ioctl(fd, DMABUF_DETACH, MemorySegment.NULL));
            }
            case Op.Close o -> {
                int fd = fd(n, o.proc(), o.fd());
                int r = owns(o.proc(), fd) ? Native.close(fd) : -EBADF.number;
                if (r == 0) {
                    disown(o.proc(), fd);
                }
                yield pcm(o.proc(), fd, r);
            }
            case Op.Dup o -> {
                int fd = fd(n, o.proc(), o.fd());
                int r = owns(o.proc(), fd) ? Native.dup(fd) : -EBADF.number;
                if (r >= 0) {
                    own(o.proc(), r, files.get(fd));
                }
                n.bindFd(o.proc(), o.as(), r < 0 ? -1 : r);
                yield pcm(o.proc(), fd, r);
            }
            case Op.Send o -> send(o, n);
            case Op.Exit o -> exit(o.proc());
            case Op.LeaksOp o -> new Outcome(0, null, null, Map.of("skipped",
                    "leaks: the kernel's files, dma-bufs and attachments are not countable from user space"));
            case Op.CardEvent o -> disconnect(o);
            case Op.Advance o -> advance(o);
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

    private final List<String[]> unbound = new ArrayList<>();
    private final List<Thread> unbinders = new ArrayList<>();

    /**
     * Card disconnect: the card's driver is unbound. The unbind disconnects the card at once
     * (snd_card_disconnect: its device nodes go) and then waits for every file of the card to be closed, so
     * it runs in a thread of its own, as the kselftest's unbind test does in a child; the card is bound
     * again at close(), after every process exited.
     */
    private Outcome disconnect(Op.CardEvent o) {
        Cards.Pcm pcm = devices.get(o.device());
        String[] u = unbindable(pcm);
        if (!o.name().equals("disconnect") || u == null) {
            return Outcome.error("ENOSYS", null);
        }
        Thread t = new Thread(() -> {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(u[0], "unbind"), u[1]);
            } catch (java.io.IOException e) {
                System.out.println("  device: unbind " + u[1] + " failed: " + e);
            }
        }, "unbind " + u[1]);
        t.setDaemon(true);
        t.start();
        unbinders.add(t);
        unbound.add(u);
        for (int i = 0; i < 100 && java.nio.file.Files.exists(java.nio.file.Path.of(pcm.path())); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return java.nio.file.Files.exists(java.nio.file.Path.of(pcm.path())) ? Outcome.error("EIO", null)
                : Outcome.ok(0, null);
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
        int flags = (o.readOnly() ? Native.O_RDONLY : Native.O_RDWR) | Native.O_CLOEXEC
                | (o.append() ? Native.O_APPEND : 0) | Native.O_NONBLOCK;
        int fd = Native.open(pcm.path(), flags);
        n.bindFd(o.proc(), o.as(), fd < 0 ? -1 : fd);
        if (fd < 0) {
            return Outcome.error(Uapi.errnoName(-fd), null);
        }
        if (!o.nonblock()) {
            Native.fcntl(fd, 4 /* F_SETFL */, Native.fcntl(fd, 3 /* F_GETFL */, 0) & ~Native.O_NONBLOCK);
        }
        own(o.proc(), fd, new FileInfo(pcm));
        return Outcome.ok(fd, state(fd));
    }

    private int hwParams(int fd, HwParams p) {
        MemorySegment s = arena.allocate(608, 8);
        s.fill((byte) 0);
        for (int m = 0; m < 3; m++) {                         // masks[3], 32 bytes each, from offset 4
            s.asSlice(4 + 32 * m, 32).fill((byte) 0xff);
        }
        for (int i = 0; i < 12; i++) {                        // intervals[12] at 260: min, max, flags
            s.set(ValueLayout.JAVA_INT, 260 + 12 * i + 4, -1);
        }
        mask(s, 0, Uapi.access(p.access()));
        mask(s, 1, Uapi.format(p.format()));
        mask(s, 2, 0);                                        // SUBFORMAT_STD
        interval(s, 10, p.channels());
        interval(s, 11, p.rate());
        interval(s, 13, p.periodFrames());
        interval(s, 15, p.periods());
        s.set(ValueLayout.JAVA_INT, 512, -1);                 // rmask
        s.set(ValueLayout.JAVA_INT, 520, -1);                 // info
        int r = Native.ioctl(fd, HW_PARAMS, s);
        FileInfo f = files.get(fd);
        if (r == 0 && f != null) {
            lastRate = p.rate();
            f.bufferFrames = p.bufferFrames();
            f.frameBytes = p.frameBytes();
            f.boundary = f.bufferFrames;
            // pcm_native.c: while (boundary * 2 <= LONG_MAX - buffer_size), in unsigned long arithmetic
            while (Long.compareUnsigned(f.boundary * 2, Long.MAX_VALUE - f.bufferFrames) <= 0) {
                f.boundary *= 2;
            }
            f.availMin = p.periodFrames();
            f.startThreshold = 1;
            f.stopThreshold = f.bufferFrames;
        }
        return r;
    }

    private static void mask(MemorySegment s, int index, int bit) {
        MemorySegment m = s.asSlice(4 + 32L * index, 32);
        m.fill((byte) 0);
        m.set(ValueLayout.JAVA_INT, 4L * (bit / 32), 1 << (bit % 32));
    }

    private static void interval(MemorySegment s, int param, long value) {
        long at = 260 + 12L * (param - 8);
        s.set(ValueLayout.JAVA_INT, at, (int) value);
        s.set(ValueLayout.JAVA_INT, at + 4, (int) value);
        s.set(ValueLayout.JAVA_INT, at + 8, 4);               // integer:1 (bit 2)
    }

    private int swParams(int fd, SwParams p) {
        FileInfo f = files.getOrDefault(fd, new FileInfo(null));
        long start = p.startThreshold() != null ? p.startThreshold() : f.startThreshold;
        long stop = p.stopThreshold() == null ? f.stopThreshold
                : p.stopThreshold() == SwParams.BOUNDARY ? f.boundary : p.stopThreshold();
        long availMin = p.availMin() != null ? p.availMin() : f.availMin;
        MemorySegment s = arena.allocate(136, 8);
        s.fill((byte) 0);
        s.set(ValueLayout.JAVA_INT, 4, 1);                    // period_step
        s.set(ValueLayout.JAVA_LONG, 16, availMin);
        s.set(ValueLayout.JAVA_LONG, 24, 1);                  // xfer_align
        s.set(ValueLayout.JAVA_LONG, 32, start);
        s.set(ValueLayout.JAVA_LONG, 40, stop);
        s.set(ValueLayout.JAVA_INT, 72, (2 << 16) | (0 << 8) | 19);   // proto 2.0.19
        int r = Native.ioctl(fd, SW_PARAMS, s);
        if (r == 0 && files.containsKey(fd)) {
            f.startThreshold = start;
            f.stopThreshold = stop;
            f.availMin = availMin;
            f.boundary = s.get(ValueLayout.JAVA_LONG, 64);
        }
        return r;
    }

    private MemorySegment syncPtrStruct(long flags, long appl, long availMin) {
        MemorySegment s = arena.allocate(136, 8);
        s.fill((byte) 0);
        s.set(ValueLayout.JAVA_INT, 0, (int) flags);
        s.set(ValueLayout.JAVA_LONG, 72, appl);
        s.set(ValueLayout.JAVA_LONG, 80, availMin);
        return s;
    }

    private int syncPtr(int fd, Long appl) {
        FileInfo f = files.get(fd);
        long availMin = f == null ? 1 : f.availMin;
        // SNDRV_PCM_SYNC_PTR_APPL (2) | _AVAIL_MIN (4): read only; 0: write appl_ptr and avail_min
        MemorySegment s = appl == null ? syncPtrStruct(6, 0, 0) : syncPtrStruct(0, appl, availMin);
        return Native.ioctl(fd, SYNC_PTR, s);
    }

    /** The state of the substream behind a PCM fd, or null for anything else. */
    private String state(int fd) {
        FileInfo f = files.get(fd);
        if (f == null || f.pcm == null) {
            return null;
        }
        MemorySegment s = syncPtrStruct(6, 0, 0);
        int r = Native.ioctl(fd, SYNC_PTR, s);
        if (r < 0) {
            // a disconnected card: EBADFD from the PCM core, or ENODEV once its file ops are swapped
            return r == -EBADFD.number || r == -ENODEV.number ? PcmState.DISCONNECTED.name() : null;
        }
        int st = s.get(ValueLayout.JAVA_INT, 8);
        PcmState state = Uapi.state(st);
        return state != null ? state.name() : String.valueOf(st);
    }

    private Outcome simple(Op.Simple o, int fd) {
        long req = switch (o.name()) {
            case "hw_free" -> HW_FREE;
            case "prepare" -> PREPARE;
            case "start" -> START;
            case "drop" -> DROP;
            case "drain" -> DRAIN;
            case "reset" -> RESET;
            case "xrun" -> XRUN;
            case "hwsync" -> HWSYNC;
            case "delay" -> DELAY;
            case "resume" -> RESUME;
            default -> throw new IllegalArgumentException(o.name());
        };
        if (req == DELAY) {
            MemorySegment out = arena.allocate(8, 8);
            int r = Native.ioctl(fd, DELAY, out);
            return pcm(o.proc(), fd, r < 0 ? r : out.get(ValueLayout.JAVA_LONG, 0));
        }
        return pcm(o.proc(), fd, Native.ioctl(fd, req, MemorySegment.NULL));
    }

    private Outcome xfer(Op.Xfer o, int fd) {
        FileInfo f = files.get(fd);
        int fb = f == null ? 4 : Math.max(1, f.frameBytes);
        long frames = Math.min(o.frames(), 1L << 22);
        MemorySegment buf = arena.allocate(Math.max(8, frames * fb), 8);
        MemorySegment x = arena.allocate(24, 8);
        x.set(ValueLayout.JAVA_LONG, 0, 0);
        x.set(ValueLayout.ADDRESS, 8, buf);
        x.set(ValueLayout.JAVA_LONG, 16, o.frames());
        int r = Native.ioctl(fd, o.name().equals("writei") ? WRITEI : READI, x);
        return pcm(o.proc(), fd, r < 0 ? r : x.get(ValueLayout.JAVA_LONG, 0));
    }

    private Outcome mmap(Op.Mmap o, Names n) {
        int fd = fd(n, o.proc(), o.fd());
        int prot = (o.read() ? Native.PROT_READ : 0) | (o.write() ? Native.PROT_WRITE : 0);
        long addr = Native.mmap(o.length(), prot, fd, o.offset());
        if (addr < 0 && addr > -4096) {
            n.bindMap(o.proc(), o.as(), null);
            return pcm(o.proc(), fd, addr);
        }
        Mapping m = new Mapping(addr, o.length());
        procMaps.get(o.proc()).add(m);
        mapOwner.put(m, o.proc());
        n.bindMap(o.proc(), o.as(), m);
        return pcm(o.proc(), fd, 0);
    }

    private Outcome munmap(Op.Munmap o, Names n) {
        Mapping m = (Mapping) n.map(o.proc(), o.map());
        if (m == null || !procMaps.get(o.proc()).contains(m)) {
            return Outcome.error("EINVAL", null);
        }
        int r = Native.munmap(m.addr(), m.len());
        if (r == 0) {
            procMaps.get(o.proc()).remove(m);
            mapOwner.remove(m);
        }
        return r < 0 ? Outcome.error(Uapi.errnoName(-r), null) : Outcome.ok(0, null);
    }

    private Outcome send(Op.Send o, Names n) {
        int fd = fd(n, o.proc(), o.fd());
        if (!owns(o.proc(), fd)) {
            n.bindFd(o.to(), o.as(), -1);
            return Outcome.error("EBADF", null);
        }
        int[] sv = Native.socketpair();
        try {
            int r = Native.sendFd(sv[0], fd);
            int got = r < 0 ? r : Native.recvFd(sv[1]);
            if (got < 0) {
                n.bindFd(o.to(), o.as(), -1);
                return Outcome.error(Uapi.errnoName(-got), null);
            }
            own(o.to(), got, files.get(fd));
            n.bindFd(o.to(), o.as(), got);
            return Outcome.ok(got, state(got));
        } finally {
            Native.close(sv[0]);
            Native.close(sv[1]);
        }
    }

    private Outcome exit(String proc) {
        for (Mapping m : new ArrayList<>(procMaps.getOrDefault(proc, List.of()))) {
            Native.munmap(m.addr(), m.len());
            mapOwner.remove(m);
        }
        procMaps.getOrDefault(proc, new ArrayList<>()).clear();
        for (int fd : new ArrayList<>(procFds.getOrDefault(proc, List.of()))) {
            Native.close(fd);
            disown(proc, fd);
        }
        return Outcome.ok(0, null);
    }

    private Outcome pcm(String proc, int fd, long r) {
        String st = owns(proc, fd) ? state(fd) : null;
        if (st != null && !st.equals("OPEN") && !st.equals("SETUP") && !st.equals("PREPARED")) {
            timed = true;
        }
        return r < 0 ? Outcome.error(Uapi.errnoName((int) -r), st) : Outcome.ok(r, st);
    }

    /** A name's fd if the process still holds it, else -1 (EBADF), as in its own fd table. */
    private int fd(Names n, String proc, String name) {
        int fd = n.fd(proc, name);
        return owns(proc, fd) ? fd : -1;
    }

    private void own(String proc, int fd, FileInfo f) {
        procFds.computeIfAbsent(proc, p -> new ArrayList<>()).add(fd);
        files.put(fd, f == null ? new FileInfo(null) : f);
    }

    private boolean owns(String proc, int fd) {
        return fd >= 0 && procFds.getOrDefault(proc, List.of()).contains(fd);
    }

    private void disown(String proc, int fd) {
        procFds.get(proc).remove(Integer.valueOf(fd));
        files.remove(fd);
    }

    /** Binds an unbound card again and waits (5 s at most) for its PCM devices to come back. */
    private void rebind(String[] u) {
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(u[0], "bind"), u[1]);
            for (int i = 0; i < 50; i++) {
                boolean back = true;
                for (Cards.Pcm p : devices.values()) {
                    back &= java.nio.file.Files.exists(java.nio.file.Path.of(p.path()));
                }
                if (back) {
                    return;
                }
                Thread.sleep(100);
            }
        } catch (java.io.IOException | InterruptedException e) {
            System.out.println("  device: binding " + u[1] + " again failed: " + e);
        }
    }

    /** Every process exits: the next case starts with nothing open. */
    @Override
    public void close() {
        for (String p : new ArrayList<>(procFds.keySet())) {
            exit(p);
        }
        arena.close();
        for (Thread t : unbinders) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String[] u : unbound) {
            rebind(u);
        }
    }
}
