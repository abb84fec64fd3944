package org.pcmdmabuf.script;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntUnaryOperator;
import org.pcmdmabuf.model.Access;
import org.pcmdmabuf.model.Format;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.PcmState;
import org.pcmdmabuf.model.Substream;
import org.pcmdmabuf.model.SwParams;

/**
 * A stateful random op script over {@link RandomScript}'s world, which reaches the deep states random choices
 * seldom form: exported, attached, mapped, synced, filled, DMA running, then reconfigured, revoked or torn
 * down. Each op is drawn from what holds now: the generator runs every op it draws on a model of its own as
 * it goes, so it knows which fds are open PCMs and which dma-bufs, each substream's state, what is attached
 * and mapped, and draws an op valid there most of the time and an invalid one ({@link #NOISE} in 100) the
 * rest. The same draws give the same script: the only randomness is {@code random}.
 *
 * <p>It keeps RandomScript's three restrictions, for the same reason (the model is held to what both revisions
 * do): no O_RDONLY opens, no disconnect of a card an export came from, no write() to a buffer that may be
 * shared.
 */
public final class DeepScript {
    /** In 100 draws, how many pick an op from the whole menu, whatever the state: the invalid ones. */
    static final int NOISE = 12;
    /** The longest script, in drawn ops, before every process exits. */
    public static final int MAX_OPS = 120;
    private static final List<String> PROCS = RandomScript.PROCS;
    private static final HwParams MMAP = new HwParams(Access.MMAP_INTERLEAVED, Format.S16_LE, 2, 48000, 1024, 4);
    /** The bytes of {@link #MMAP}'s buffer: what a mapping of a dma-buf spans. */
    private static final long BYTES = 16384;

    /** What a bound fd name holds: a PCM of {@code device}, or a dma-buf exported from it. */
    private record Fd(String name, String device, boolean dmabuf) {
    }

    /** A bound mapping name, and whether it may be written. */
    private record Mapping(String name, boolean write) {
    }

    private final IntUnaryOperator random;
    private final ModelTarget model = new ModelTarget();
    private final Names names = new Names();
    private final Map<String, List<Fd>> fds = new LinkedHashMap<>();
    private final Map<String, List<Mapping>> maps = new LinkedHashMap<>();
    private final Set<String> exportedFrom = new HashSet<>();
    private final Set<String> shared = new HashSet<>();
    private final List<String> alive = new ArrayList<>(PROCS);
    private final List<Op> ops = new ArrayList<>();
    private int bound;
    private int line;

    private DeepScript(IntUnaryOperator random) {
        this.random = random;
        model.declare(new Script(RandomScript.DEVICES, PROCS, List.of()));
        for (String p : PROCS) {
            fds.put(p, new ArrayList<>());
            maps.put(p, new ArrayList<>());
        }
    }

    /**
     * A script of 1 to {@link #MAX_OPS} drawn ops, then every live process's exit and a leak check.
     *
     * @param random {@code random.applyAsInt(n)} is a number in [0, n)
     */
    public static Script draw(IntUnaryOperator random) {
        DeepScript g = new DeepScript(random);
        int n = 1 + random.applyAsInt(MAX_OPS);
        for (int i = 0; i < n && !g.alive.isEmpty(); i++) {
            g.step();
        }
        for (String p : List.copyOf(g.alive)) {
            g.run(new Op.Exit(g.line(), p));
        }
        g.run(new Op.LeaksOp(g.line(), null));
        return new Script(RandomScript.DEVICES, PROCS, g.ops);
    }

    private int rnd(int n) {
        return random.applyAsInt(n);
    }

    private <T> T pick(List<T> from) {
        return from.get(rnd(from.size()));
    }

    private void step() {
        String proc = pick(alive);
        List<Fd> pcms = fds.get(proc).stream().filter(f -> !f.dmabuf()).toList();
        List<Fd> bufs = fds.get(proc).stream().filter(Fd::dmabuf).toList();
        if (rnd(100) < NOISE) {
            noise(proc);
            return;
        }
        int what = rnd(20);
        if (pcms.isEmpty() || what == 0 && pcms.size() < 3) {
            open(proc);
        } else if (what <= 9) {
            pcm(proc, pick(pcms), bufs);
        } else if (what <= 13 && !bufs.isEmpty()) {
            dmabuf(proc, pick(bufs));
        } else if (what <= 17 && !maps.get(proc).isEmpty()) {
            mapping(proc, pick(maps.get(proc)));
        } else {
            world();
        }
    }

    private void open(String proc) {
        String dev = pick(RandomScript.DEVICES).name();
        String as = name("f");
        if (ok(new Op.Open(line(), proc, dev, rnd(8) == 0, rnd(4) == 0, false, as))) {
            fds.get(proc).add(new Fd(as, dev, false));
        }
    }

    /** The op the substream's state calls for, mostly the next step toward a running shared stream. */
    private void pcm(String proc, Fd fd, List<Fd> bufs) {
        Substream s = model.world().substreamOf(model.world().task(proc), names.fd(proc, fd.name()));
        PcmState state = s == null ? null : s.state();
        boolean attached = s != null && s.runtime() != null && s.runtime().attachment() != null;
        String f = fd.name();
        int r = rnd(10);
        if (state == null || state == PcmState.DISCONNECTED) {
            close(proc, fd);
            return;
        }
        switch (state) {
            case OPEN -> run(new Op.HwParamsOp(line(), proc, f, r < 8 ? MMAP : RandomScript.hwParams(rnd(1 << 20), rnd(1 << 20))));
            case SETUP -> {
                if (r < 3) {
                    export(proc, fd);
                } else if (r < 5 && !attached) {
                    attach(proc, fd, bufs);
                } else if (r < 8) {
                    run(new Op.Simple(line(), proc, "prepare", f));
                } else {
                    reconfigure(proc, fd, attached);
                }
            }
            case PREPARED -> {
                if (r < 4) {
                    run(new Op.SyncPtr(line(), proc, f, rnd(2) == 0 ? 4096L : 1024L * (1 + rnd(4))));
                } else if (r < 7) {
                    // a playback stream starts with a full ring queued, else it underruns at once (EPIPE)
                    run(new Op.SyncPtr(line(), proc, f, 4096L));
                    run(new Op.Simple(line(), proc, "start", f));
                } else if (r < 8 && !attached) {
                    attach(proc, fd, bufs);
                } else {
                    reconfigure(proc, fd, attached);
                }
            }
            case RUNNING -> {
                if (r < 3) {
                    run(new Op.Advance(line(), null, (long) (1 + rnd(2048))));
                } else if (r < 5) {
                    run(new Op.SyncPtr(line(), proc, f, (long) rnd(9000)));
                } else if (r < 6) {
                    run(new Op.Simple(line(), proc, pick(List.of("hwsync", "delay", "xrun")), f));
                } else if (r < 7) {
                    run(new Op.Pause(line(), proc, f, true));
                } else if (r < 8) {
                    run(new Op.CardEvent(line(), "suspend", fd.device()));
                } else {
                    reconfigure(proc, fd, attached);
                }
            }
            case PAUSED -> run(r < 7 ? new Op.Pause(line(), proc, f, false) : new Op.Simple(line(), proc, "drop", f));
            case SUSPENDED -> run(new Op.Simple(line(), proc, r < 6 ? "resume" : "prepare", f));
            default -> run(new Op.Simple(line(), proc, r < 6 ? "prepare" : "drop", f));
        }
    }

    /** What undoes a set-up stream: detach, hw_free (a revocation or a hand-over), hw_params again, close. */
    private void reconfigure(String proc, Fd fd, boolean attached) {
        int r = rnd(10);
        String f = fd.name();
        if (r < 3 && attached) {
            run(new Op.DmabufDetach(line(), proc, f));
        } else if (r < 5) {
            run(new Op.Simple(line(), proc, "hw_free", f));
        } else if (r < 7) {
            run(new Op.HwParamsOp(line(), proc, f, r == 5 ? MMAP : RandomScript.hwParams(rnd(1 << 20), rnd(1 << 20))));
        } else if (r < 8) {
            run(new Op.Simple(line(), proc, "drop", f));
        } else if (r < 9) {
            run(new Op.SwParamsOp(line(), proc, f, new SwParams(rnd(2) == 0 ? null : 1L, null, null)));
        } else {
            close(proc, fd);
        }
    }

    private void export(String proc, Fd fd) {
        String as = name("d");
        exportedFrom.add(fd.device());
        shared.add(fd.device());
        if (ok(new Op.DmabufExport(line(), proc, fd.name(), as))) {
            fds.get(proc).add(new Fd(as, fd.device(), true));
        }
    }

    private void attach(String proc, Fd fd, List<Fd> bufs) {
        if (bufs.isEmpty()) {
            export(proc, fd);
            return;
        }
        Fd d = pick(bufs);
        shared.add(fd.device());
        run(new Op.DmabufAttach(line(), proc, fd.name(), d.name()));
    }

    /** A dma-buf fd: handed on, mapped, synced, duplicated or closed. */
    private void dmabuf(String proc, Fd d) {
        int r = rnd(10);
        if (r < 3) {
            List<String> others = alive.stream().filter(p -> !p.equals(proc)).toList();
            String to = others.isEmpty() ? proc : pick(others);
            String as = name("d");
            if (ok(new Op.Send(line(), proc, d.name(), to, as))) {
                fds.get(to).add(new Fd(as, d.device(), true));
            }
        } else if (r < 6) {
            boolean write = rnd(4) != 0;
            String as = name("m");
            if (ok(new Op.Mmap(line(), proc, d.name(), 0, rnd(6) == 0 ? 4096 : BYTES, true, write, as))) {
                maps.get(proc).add(new Mapping(as, write));
            }
        } else if (r < 9) {
            long dir = 1 + rnd(3);
            run(new Op.Sync(line(), proc, d.name(), dir | (rnd(2) == 0 ? 0 : 4)));
        } else if (rnd(2) == 0) {
            String as = name("d");
            if (ok(new Op.Dup(line(), proc, d.name(), as))) {
                fds.get(proc).add(new Fd(as, d.device(), true));
            }
        } else {
            close(proc, d);
        }
    }

    /** A CPU access through a mapping, within the buffer most of the time. */
    private void mapping(String proc, Mapping m) {
        int r = rnd(10);
        long off = 4L * rnd((int) (BYTES / 4));
        long len = 4L * (1 + rnd((int) ((BYTES - off) / 4)));
        if (r < 4 && m.write()) {
            run(new Op.MapAccess(line(), proc, "fill", m.name(), off, len));
        } else if (r < 8) {
            run(new Op.MapAccess(line(), proc, "check", m.name(), off, len));
        } else if (r < 9) {
            run(new Op.Munmap(line(), proc, m.name()));
            maps.get(proc).remove(m);
        } else {
            run(new Op.MapAccess(line(), proc, m.write() ? "fill" : "check", m.name(), off, len));
        }
    }

    /** Time, a card event or a leak check. */
    private void world() {
        int r = rnd(10);
        if (r < 6) {
            run(new Op.Advance(line(), null, (long) (1 + rnd(4096))));
        } else if (r < 7) {
            run(new Op.Advance(line(), 1000L * (1 + rnd(50_000)), null));
        } else if (r < 8) {
            run(new Op.CardEvent(line(), "suspend", pick(RandomScript.DEVICES).name()));
        } else if (r < 9 && rnd(4) == 0) {
            // seldom: a disconnected card opens no more (ENODEV) for the rest of the script
            List<String> free = RandomScript.DEVICES.stream().map(d -> d.name())
                    .filter(d -> !exportedFrom.contains(d)).toList();
            run(free.isEmpty() ? new Op.LeaksOp(line(), null) : new Op.CardEvent(line(), "disconnect", pick(free)));
        } else if (rnd(4) == 0 && alive.size() > 1) {
            String p = pick(alive);
            run(new Op.Exit(line(), p));
        } else {
            run(new Op.LeaksOp(line(), null));
        }
    }

    /** Any op on any fd of the process, whatever its state: mostly an errno. */
    private void noise(String proc) {
        List<Fd> all = fds.get(proc);
        if (all.isEmpty()) {
            open(proc);
            return;
        }
        Fd fd = pick(all);
        Fd other = pick(all);
        String f = fd.name();
        int k = rnd(12);
        Op op = switch (k) {
            case 0 -> new Op.DmabufExport(line(), proc, f, name("d"));
            case 1 -> new Op.DmabufAttach(line(), proc, f, other.name());
            case 2 -> new Op.DmabufDetach(line(), proc, f);
            case 3 -> new Op.Sync(line(), proc, f, rnd(16));
            case 4 -> new Op.Mmap(line(), proc, f, 4096L * rnd(5), 4096L * rnd(6), true, rnd(2) == 0, name("m"));
            case 5 -> new Op.Simple(line(), proc, pick(List.of("prepare", "start", "drop", "hw_free", "reset")), f);
            case 6 -> new Op.HwParamsOp(line(), proc, f, RandomScript.hwParams(rnd(1 << 20), rnd(1 << 20)));
            case 7 -> new Op.SyncPtr(line(), proc, f, (long) rnd(1 << 20));
            case 8 -> shared.contains(fd.device()) || fd.dmabuf() ? new Op.Simple(line(), proc, "delay", f)
                    : new Op.Xfer(line(), proc, rnd(2) == 0 ? "writei" : "readi", f, rnd(5000));
            case 9 -> new Op.Pause(line(), proc, f, rnd(2) == 0);
            case 10 -> new Op.SwParamsOp(line(), proc, f, RandomScript.swParams(rnd(1 << 20), rnd(1 << 20)));
            default -> new Op.Sync(line(), proc, f, 1 + rnd(3) | (rnd(2) == 0 ? 0 : 4));
        };
        if (op instanceof Op.DmabufExport) {
            exportedFrom.add(fd.device());
            shared.add(fd.device());
        } else if (op instanceof Op.DmabufAttach) {
            shared.add(fd.device());
        }
        if (ok(op)) {
            if (op instanceof Op.DmabufExport e) {
                fds.get(proc).add(new Fd(e.as(), fd.device(), true));
            } else if (op instanceof Op.Mmap m && fd.dmabuf()) {
                maps.get(proc).add(new Mapping(m.as(), m.write()));
            }
        }
    }

    private void close(String proc, Fd fd) {
        run(new Op.Close(line(), proc, fd.name()));
        fds.get(proc).remove(fd);
    }

    /** A name not bound before in this script: a name is never reused, so every op means what it says. */
    private String name(String prefix) {
        return prefix + bound++;
    }

    private boolean ok(Op op) {
        return run(op).errno() == null;
    }

    /** The line of the op about to be made: every op made is run, in the order made. */
    private int line() {
        return ++line;
    }

    /** {@code op}, run on the generator's model; an exit forgets the process. */
    private Outcome run(Op op) {
        ops.add(op);
        Outcome o = model.execute(op, names);
        if (op instanceof Op.Exit e) {
            alive.remove(e.proc());
            fds.get(e.proc()).clear();
            maps.get(e.proc()).clear();
        }
        return o;
    }
}
