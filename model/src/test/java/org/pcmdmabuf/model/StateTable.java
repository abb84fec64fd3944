package org.pcmdmabuf.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Drives a fresh model into each of the nine PCM states and applies one ioctl there: the state x op table.
 * Each cell runs in its own {@link World}, so cells cannot influence each other. Used to generate
 * docs/model.md and by the tests that assert every cell against the kernel's rules.
 */
public final class StateTable {
    /** 48 kHz stereo S16, 4 periods of 1024 frames: 16 KiB. */
    public static final int PERIOD = 1024;
    public static final int PERIODS = 4;
    public static final long BUFFER_BYTES = (long) PERIOD * PERIODS * 4;

    /** One cell: the errno (null on success), the return value and the state after the op. */
    public record Cell(Errno errno, long ret, PcmState after) {
        public String render() {
            return errno != null ? errno.name() : "ok → " + (after == null ? "closed" : after.name());
        }
    }

    /** A world with the substream under test in a state, and the fds to poke it with. */
    public static final class Fixture {
        public final World world = new World();
        public final Pcm pcm;
        public final Pcm other;
        public final Task task;
        public final int fd;
        /** A live dma-buf of the same size exported by a second device, to attach. */
        public final int foreignDmabuf;
        /** This substream's own export, or -1 before hw_params. */
        public int ownDmabuf = -1;
        private final Access access;

        Fixture(PcmStream stream, Access access) {
            pcm = world.addDevice(PcmHardware.dummy("pcm0", stream).toBuilder().with(b -> {
                b.pause = true;
                b.resume = true;
            }).build());
            other = world.addDevice(PcmHardware.dummy("pcm1", stream));
            task = world.addTask("server");
            fd = ok(world.open(task, "pcm0", false, false, false)).intValue();
            int otherFd = ok(world.open(task, "pcm1", false, false, false)).intValue();
            ok(world.hwParams(task, otherFd, params(Access.MMAP_INTERLEAVED)));
            foreignDmabuf = ok(world.dmabufExport(task, otherFd)).intValue();
            this.access = access;
        }

        public Substream substream() {
            return pcm.substreams().getFirst();
        }

        public PcmState state() {
            return substream().state();
        }
    }

    public static HwParams params(Access access) {
        return new HwParams(access, Format.S16_LE, 2, 48000, PERIOD, PERIODS);
    }

    /** The ops of the table's columns, in order; each runs on a fixture in the row's state. */
    public static Map<String, BiFunction<Fixture, World, Result<?>>> ops() {
        Map<String, BiFunction<Fixture, World, Result<?>>> m = new LinkedHashMap<>();
        m.put("hw_params", (f, w) -> w.hwParams(f.task, f.fd, params(f.access)));
        m.put("hw_free", (f, w) -> w.hwFree(f.task, f.fd));
        m.put("sw_params", (f, w) -> w.swParams(f.task, f.fd, new SwParams(null, null, 64L)));
        m.put("prepare", (f, w) -> w.prepare(f.task, f.fd));
        m.put("start", (f, w) -> w.start(f.task, f.fd));
        m.put("drop", (f, w) -> w.drop(f.task, f.fd));
        m.put("drain", (f, w) -> w.drain(f.task, f.fd));
        m.put("reset", (f, w) -> w.reset(f.task, f.fd));
        m.put("xrun", (f, w) -> w.xrun(f.task, f.fd));
        m.put("hwsync", (f, w) -> w.hwsync(f.task, f.fd));
        m.put("delay", (f, w) -> w.delay(f.task, f.fd));
        m.put("pause on", (f, w) -> w.pause(f.task, f.fd, true));
        m.put("pause off", (f, w) -> w.pause(f.task, f.fd, false));
        m.put("resume", (f, w) -> w.resume(f.task, f.fd));
        m.put("sync_ptr", (f, w) -> w.syncPtr(f.task, f.fd, 0L));
        m.put("writei", (f, w) -> w.xferi(f.task, f.fd, 16));
        m.put("mmap", (f, w) -> w.mmap(f.task, f.fd, 0, BUFFER_BYTES, true, true));
        m.put("dmabuf_export", (f, w) -> w.dmabufExport(f.task, f.fd));
        m.put("dmabuf_attach", (f, w) -> w.dmabufAttach(f.task, f.fd, f.foreignDmabuf));
        m.put("dmabuf_detach", (f, w) -> w.dmabufDetach(f.task, f.fd));
        return m;
    }

    /** The access mode a column runs with: the read/write transfer needs RW access, the rest MMAP. */
    static Access accessFor(String op) {
        return op.equals("writei") ? Access.RW_INTERLEAVED : Access.MMAP_INTERLEAVED;
    }

    /**
     * A fixture whose substream is in {@code state}. From SETUP on, the substream has exported its buffer
     * and attached that export (the RFC flow), so DETACH and the lifetime hooks have something to act on.
     */
    public static Fixture reach(PcmStream stream, PcmState state, Access access) {
        Fixture f = new Fixture(stream, access);
        World w = f.world;
        if (state == PcmState.OPEN) {
            return f;
        }
        ok(w.hwParams(f.task, f.fd, params(access)));
        if (access.isMmap()) {
            f.ownDmabuf = ok(w.dmabufExport(f.task, f.fd)).intValue();
            ok(w.dmabufAttach(f.task, f.fd, f.ownDmabuf));
        }
        if (state == PcmState.SETUP) {
            return f;
        }
        ok(w.swParams(f.task, f.fd, new SwParams(null, null, null)));
        ok(w.prepare(f.task, f.fd));
        if (state == PcmState.PREPARED) {
            return f;
        }
        if (stream == PcmStream.PLAYBACK) {
            ok(w.syncPtr(f.task, f.fd, (long) PERIOD * PERIODS));
        }
        ok(w.start(f.task, f.fd));
        switch (state) {
            case RUNNING -> {
            }
            case XRUN -> ok(w.xrun(f.task, f.fd));
            case PAUSED -> ok(w.pause(f.task, f.fd, true));
            case SUSPENDED -> ok(w.suspend(f.pcm));
            case DISCONNECTED -> ok(w.disconnect(f.pcm));
            case DRAINING -> {
                if (stream == PcmStream.CAPTURE) {
                    ok(w.advanceFrames(PERIOD));
                }
                int nonblock = ok(w.open(f.task, "pcm0", true, true, false)).intValue();
                Result<Long> r = w.drain(f.task, nonblock);
                if (r.errno() != Errno.EAGAIN) {
                    throw new IllegalStateException("non-blocking drain gave " + r);
                }
                ok(w.close(f.task, nonblock));
            }
            default -> throw new IllegalArgumentException(state.name());
        }
        if (f.state() != state) {
            throw new IllegalStateException("recipe for " + state + " reached " + f.state());
        }
        return f;
    }

    public static Cell cell(PcmStream stream, PcmState state, String op) {
        Fixture f = reach(stream, state, accessFor(op));
        Result<?> r = ops().get(op).apply(f, f.world);
        long ret = r.isOk() && r.value() instanceof Long l ? l : r.isOk() ? 0 : -1;
        return new Cell(r.errno(), ret, f.state());
    }

    /** Every cell, rows in state order, columns in {@link #ops()} order. */
    public static Map<PcmState, Map<String, Cell>> table(PcmStream stream) {
        Map<PcmState, Map<String, Cell>> t = new LinkedHashMap<>();
        for (PcmState s : PcmState.values()) {
            Map<String, Cell> row = new LinkedHashMap<>();
            for (String op : ops().keySet()) {
                row.put(op, cell(stream, s, op));
            }
            t.put(s, row);
        }
        return t;
    }

    /** The table as Markdown. */
    public static String markdown(PcmStream stream) {
        List<String> cols = new ArrayList<>(ops().keySet());
        StringBuilder sb = new StringBuilder();
        sb.append("| state \\ op | ").append(String.join(" | ", cols)).append(" |\n");
        sb.append("|---".repeat(cols.size() + 1)).append("|\n");
        for (Map.Entry<PcmState, Map<String, Cell>> row : table(stream).entrySet()) {
            sb.append("| **").append(row.getKey()).append("** |");
            for (String c : cols) {
                sb.append(' ').append(row.getValue().get(c).render()).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static <T> T ok(Result<T> r) {
        if (!r.isOk()) {
            throw new IllegalStateException("recipe step failed: " + r.errno());
        }
        return r.value();
    }
}
