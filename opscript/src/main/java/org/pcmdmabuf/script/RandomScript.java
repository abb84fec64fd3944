package org.pcmdmabuf.script;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pcmdmabuf.model.Access;
import org.pcmdmabuf.model.Format;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.model.SwParams;

/**
 * Turns a list of random choices into a valid op script over a fixed world: three processes, a two-substream
 * non-coherent playback device that can pause, a one-substream coherent scatter-gather capture device, and a
 * one-substream playback device (so O_APPEND works). Every choice becomes one op or a short protocol step
 * (the RFC setup, a start); names are only
 * used once bound, ops of exited processes are skipped, so any sublist is again a valid script and shrinking
 * works. Ops are weighted toward the dma-buf paths and the states where the rules differ.
 *
 * @see Choice
 */
public final class RandomScript {
    /** One random choice: the op kind, the acting process, and three free parameters. */
    public record Choice(int kind, int proc, int a, int b, int c) {
    }

    public static final List<String> PROCS = List.of("server", "app1", "app2");
    public static final List<PcmHardware> DEVICES = List.of(
            PcmHardware.dummy("pcm0", PcmStream.PLAYBACK).toBuilder().with(b -> {
                b.substreams = 2;
                b.pause = true;
            }).build(),
            PcmHardware.dummy("cap0", PcmStream.CAPTURE).toBuilder().with(b -> {
                b.coherent = true;
                b.contiguous = false;
            }).build(),
            PcmHardware.dummy("pcm1", PcmStream.PLAYBACK));

    private static final int FDS = 6;
    private static final int MAPS = 3;

    /** The number of op kinds {@link Choice#kind()} ranges over (modulo). */
    public static final int KINDS = 40;

    private final Map<String, List<String>> fdNames = new LinkedHashMap<>();
    private final Map<String, List<String>> mapNames = new LinkedHashMap<>();
    private final Map<String, String> deviceOf = new LinkedHashMap<>();
    /**
     * Devices an export may have come from: never disconnected, since revision 2 revokes a disconnected card's
     * exports (LIFETIME-DISCONNECT) where revision 1 orphans them, and the differential tests hold the model to
     * revision 1. An export from an fd of unknown device counts for every device.
     */
    private final Set<String> exportedFrom = new HashSet<>();
    /**
     * Devices whose buffer may be shared as a dma-buf (exported from, or attached to one): no write() goes to
     * them, since revision 2 syncs the PCM core's writes into shared memory (CACHE-CORE-WRITES-SYNCED) and
     * revision 1 does not. Unknown devices count as every device, as for {@link #exportedFrom}.
     */
    private final Set<String> shared = new HashSet<>();
    private final List<String> exited = new ArrayList<>();
    private final List<Op> ops = new ArrayList<>();
    private int line;

    private RandomScript() {
        for (String p : PROCS) {
            fdNames.put(p, new ArrayList<>());
            mapNames.put(p, new ArrayList<>());
        }
    }

    /** The script for these choices, ending with every process that is still alive exiting. */
    public static Script of(List<Choice> choices) {
        RandomScript g = new RandomScript();
        for (Choice c : choices) {
            g.add(c);
        }
        for (String p : PROCS) {
            if (!g.exited.contains(p)) {
                g.ops.add(new Op.Exit(++g.line, p));
            }
        }
        g.ops.add(new Op.LeaksOp(++g.line, null));
        return new Script(DEVICES, PROCS, g.ops);
    }

    private void add(Choice c) {
        String proc = PROCS.get(Math.floorMod(c.proc(), PROCS.size()));
        int kind = Math.floorMod(c.kind(), KINDS);
        int a = Math.abs(c.a());
        int b = Math.abs(c.b());
        int x = Math.abs(c.c());
        if (kind >= 38) {
            cardOrTime(kind, a, b);
            return;
        }
        if (exited.contains(proc)) {
            return;
        }
        List<String> fds = fdNames.get(proc);
        String fd = fds.isEmpty() ? null : fds.get(a % fds.size());
        if (kind <= 1 || fd == null) {
            String dev = DEVICES.get(b % DEVICES.size()).name();
            boolean append = x % 5 == 0;
            boolean nonblock = x % 3 == 0;
            String name = bindFd(proc, b);
            deviceOf.put(proc + "/" + name, dev);
            // No O_RDONLY opens: revision 2 refuses an O_RDWR export of one (EXPORT-RDWR-EACCES) and revision 1
            // does not, and the differential tests hold the model to revision 1 (docs/op-scripts.md).
            ops.add(new Op.Open(++line, proc, dev, append, nonblock, false, name));
            return;
        }
        if (kind == 36) {
            rfcSetup(proc, fd, b, x);
            return;
        }
        if (kind == 37) {
            go(proc, fd, b);
            return;
        }
        int l = ++line;
        Op op = switch (kind) {
            case 2, 3, 4 -> new Op.HwParamsOp(l, proc, fd, hwParams(b, x));
            case 5 -> new Op.SwParamsOp(l, proc, fd, swParams(b, x));
            case 6 -> new Op.Simple(l, proc, "hw_free", fd);
            case 7, 8 -> new Op.Simple(l, proc, "prepare", fd);
            case 9, 10 -> new Op.Simple(l, proc, "start", fd);
            case 11 -> new Op.Simple(l, proc, List.of("drop", "drain", "reset", "xrun", "resume").get(b % 5), fd);
            case 12 -> new Op.Simple(l, proc, List.of("hwsync", "delay").get(b % 2), fd);
            case 13 -> new Op.Pause(l, proc, fd, b % 2 == 0);
            case 14, 15 -> new Op.SyncPtr(l, proc, fd, b % 7 == 0 ? null : Long.valueOf(x % 3 == 0 ? b : b % 9000));
            case 16 -> mayBeShared(proc, fd) ? new Op.Simple(l, proc, "delay", fd)
                    : new Op.Xfer(l, proc, b % 2 == 0 ? "writei" : "readi", fd, x % 5000);
            case 17, 18 -> new Op.Mmap(l, proc, fd, 4096L * (b % 6 == 5 ? 1 : 0) + (x % 13 == 0 ? 100 : 0),
                    x % 17 == 0 ? 0 : 4096L * (1 + b % 5), x % 4 != 1, x % 4 != 2, bindMap(proc, a));
            case 19, 20 -> map(proc, a) == null ? null : new Op.MapAccess(l, proc, b % 2 == 0 ? "fill" : "check",
                    map(proc, a), 4L * (x % 4096), 4L * (b % 4096));
            case 21 -> map(proc, a) == null ? null : new Op.Munmap(l, proc, map(proc, a));
            case 22, 23, 24 -> new Op.Sync(l, proc, fd, syncFlags(b, x));
            case 25, 26 -> {
                exported(proc, fd);
                yield new Op.DmabufExport(l, proc, fd, bindFd(proc, b));
            }
            case 27, 28, 29 -> {
                markShared(proc, fd);
                yield new Op.DmabufAttach(l, proc, fd, fds.get(b % fds.size()));
            }
            case 30 -> new Op.DmabufDetach(l, proc, fd);
            case 31 -> {
                fds.remove(fd);
                yield new Op.Close(l, proc, fd);
            }
            // An O_PATH fd of the same file's path: it keeps a dma-buf past its file (PLAT-FILE-LIFETIME).
            case 32 -> b % 4 == 3 ? new Op.OpenPath(l, proc, fd, sameFile(proc, fd, proc, bindFd(proc, x)))
                    : new Op.Dup(l, proc, fd, sameFile(proc, fd, proc, bindFd(proc, b)));
            case 33, 34 -> send(l, proc, fd, b, x);
            default -> {
                if (x % 4 != 0) {
                    yield new Op.LeaksOp(l, proc);
                }
                exited.add(proc);
                yield new Op.Exit(l, proc);
            }
        };
        if (op == null) {
            line--;
        } else {
            ops.add(op);
        }
    }

    private Op send(int l, String proc, String fd, int b, int x) {
        String to = PROCS.get(b % PROCS.size());
        return exited.contains(to) ? new Op.LeaksOp(l, proc) : new Op.Send(l, proc, fd, to, sameFile(proc, fd, to, bindFd(to, x)));
    }

    /** The RFC's setup on one fd: configure for MMAP, export, attach the export, hand it to another process. */
    private void rfcSetup(String proc, String fd, int b, int x) {
        ops.add(new Op.HwParamsOp(++line, proc, fd, new HwParams(Access.MMAP_INTERLEAVED, Format.S16_LE, 2, 48000,
                1024, 4)));
        String d = bindFd(proc, b);
        exported(proc, fd);
        ops.add(new Op.DmabufExport(++line, proc, fd, d));
        markShared(proc, fd);
        ops.add(new Op.DmabufAttach(++line, proc, fd, d));
        ops.add(send(++line, proc, d, x, b));
    }

    /** Prepare, queue a full ring, start; sometimes a system suspend and RESUME right after. */
    private void go(String proc, String fd, int b) {
        ops.add(new Op.Simple(++line, proc, "prepare", fd));
        ops.add(new Op.SyncPtr(++line, proc, fd, b % 3 == 0 ? 1024L : 4096L));
        ops.add(new Op.Simple(++line, proc, "start", fd));
        String dev = deviceOf.get(proc + "/" + fd);
        if (b % 4 == 0 && dev != null) {
            ops.add(new Op.CardEvent(++line, "suspend", dev));
            ops.add(new Op.Simple(++line, proc, "resume", fd));
        }
    }

    private void exported(String proc, String fd) {
        String dev = deviceOf.get(proc + "/" + fd);
        if (dev != null) {
            exportedFrom.add(dev);
        } else {
            DEVICES.forEach(hw -> exportedFrom.add(hw.name()));
        }
        markShared(proc, fd);
    }

    private void markShared(String proc, String fd) {
        String dev = deviceOf.get(proc + "/" + fd);
        if (dev != null) {
            shared.add(dev);
        } else {
            DEVICES.forEach(hw -> shared.add(hw.name()));
        }
    }

    private boolean mayBeShared(String proc, String fd) {
        String dev = deviceOf.get(proc + "/" + fd);
        return dev == null ? !shared.isEmpty() : shared.contains(dev);
    }

    private void cardOrTime(int kind, int a, int b) {
        int l = ++line;
        if (kind == 39 && a % 8 == 0) {
            String dev = DEVICES.get(b % DEVICES.size()).name();
            boolean disconnect = b % 10 == 0 && !exportedFrom.contains(dev);
            ops.add(new Op.CardEvent(l, disconnect ? "disconnect" : "suspend", dev));
        } else if (kind == 39 && a % 3 == 0) {
            ops.add(new Op.LeaksOp(l, null));
        } else if (a % 2 == 0) {
            ops.add(new Op.Advance(l, 1000L * (1 + b % 50_000), null));
        } else {
            ops.add(new Op.Advance(l, null, (long) (b % 6000)));
        }
    }

    static HwParams hwParams(int b, int x) {
        if (b % 3 != 0) {
            return new HwParams(b % 3 == 1 ? Access.MMAP_INTERLEAVED : Access.RW_INTERLEAVED, Format.S16_LE, 2,
                    48000, 1024, 4);
        }
        Access access = Access.values()[x % 8 < 5 ? 0 : x % 4];
        Format format = x % 9 == 0 ? Format.S32_LE : Format.S16_LE;
        int channels = 1 + b % 2 + (x % 23 == 0 ? 5 : 0);
        int rate = x % 19 == 0 ? 96000 : 48000;
        long period = List.of(256L, 512L, 1024L, 1024L, 2048L, 16L).get(b % 6);
        int periods = 2 + x % 4;
        return new HwParams(access, format, channels, rate, period, periods);
    }

    static SwParams swParams(int b, int x) {
        Long start = b % 3 == 0 ? null : Long.valueOf(b % 3 == 1 ? 1 : x % 5000);
        Long stop = b % 4 == 0 ? null : Long.valueOf(b % 4 == 1 ? SwParams.BOUNDARY : x % 9000);
        Long availMin = x % 7 == 0 ? Long.valueOf(0) : x % 2 == 0 ? null : Long.valueOf(1 + x % 2048);
        return new SwParams(start, stop, availMin);
    }

    private static long syncFlags(int b, int x) {
        if (x % 10 == 0) {
            return b % 16;
        }
        return (b % 2 == 0 ? 0 : 4) | (1 + x % 3);
    }

    /** A name for a new fd; what device it was bound to before is forgotten (a caller that knows sets it). */
    private String bindFd(String proc, int pick) {
        String name = bind(fdNames.get(proc), "f", FDS, pick);
        deviceOf.remove(proc + "/" + name);
        return name;
    }

    /** {@code name} of {@code to} is now a new fd of the same file as {@code fd} of {@code proc}. */
    private String sameFile(String proc, String fd, String to, String name) {
        String dev = deviceOf.get(proc + "/" + fd);
        if (dev != null) {
            deviceOf.put(to + "/" + name, dev);
        }
        return name;
    }

    private String bindMap(String proc, int pick) {
        return bind(mapNames.get(proc), "m", MAPS, pick);
    }

    /** A name to bind: a new one while the pool has room, else a reused one (its old fd is then lost). */
    private static String bind(List<String> pool, String prefix, int max, int pick) {
        if (pool.size() < max && pick % 4 != 0 || pool.isEmpty()) {
            String n = prefix + pool.size();
            pool.add(n);
            return n;
        }
        return pool.get(pick % pool.size());
    }

    private String map(String proc, int pick) {
        List<String> pool = mapNames.get(proc);
        return pool.isEmpty() ? null : pool.get(pick % pool.size());
    }
}
