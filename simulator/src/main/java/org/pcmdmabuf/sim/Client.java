package org.pcmdmabuf.sim;

import static org.pcmdmabuf.sim.SoundServer.FRAME_BYTES;
import static org.pcmdmabuf.sim.Syscalls.ok;

import java.util.List;
import org.pcmdmabuf.model.DmaBufSync;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.model.Result;
import org.pcmdmabuf.model.Stamp;
import org.pcmdmabuf.model.Task;
import org.pcmdmabuf.model.Vma;

/**
 * A client process and its {@link Behaviour}: it maps the dma-buf fd the server sends it and, at every wake-up,
 * writes (playback) or reads (capture) its frames between the CPU-access syncs, or fails to as its behaviour
 * says. Its draws come from its own generator, so what one client does never shifts another's random choices.
 */
final class Client {
    private static final long NSEC_PER_SEC = 1_000_000_000L;

    final Task task;
    final ClientStats stats;
    private final Scenario sc;
    private final Syscalls sys;
    private final EventLoop loop;
    private final Integrity integrity;
    private final TraceLog trace;
    private final SoundServer server;
    private final SplitMix64 rng;
    private final long bufferFrames;
    private StreamSetup stream;
    private int dmabufFd = -1;
    private Vma map;
    private boolean alive = true;
    private boolean closedItsFd;
    private long written;
    private long readFrom;
    private long phaseNs;
    private long[] runValues = new long[0];
    /** Messages from the server waiting in its socket: it reads them at its next wake-up, after its period's work. */
    private final java.util.ArrayDeque<Runnable> inbox = new java.util.ArrayDeque<>();
    /** The server reconfigured or restarted and the client has not yet switched to the new buffer. */
    private boolean switching;
    /** Its mapping is no longer the stream's buffer (handed over to its fd): what it writes there is never played. */
    private boolean mappingGone;
    private boolean streamStopped;
    /** The last position it read, and when: what it predicts from while its mapping is gone. */
    private long lastPos;
    private long lastPosAt;
    /** A timing-model client's anchor: the position at a time it predicts from (the start, then its switch). */
    private long anchorPos;
    private long anchorAt;

    Client(Machine m, SoundServer server, Task task, ClientStats stats, SplitMix64 rng) {
        this.sc = m.scenario();
        this.sys = m.sys();
        this.loop = m.loop();
        this.integrity = m.integrity();
        this.trace = m.trace();
        this.server = server;
        this.task = task;
        this.stats = stats;
        this.rng = rng;
        this.bufferFrames = sc.bufferFrames();
    }

    int source() {
        return task.pid;
    }

    boolean zeroCopy() {
        return stats.behaviour != Behaviour.COPY_THROUGH_SERVER;
    }

    boolean alive() {
        return alive;
    }

    StreamSetup stream() {
        return stream;
    }

    /** The stream whose frames this client owns (all of them, or every N-th period of a shared one). */
    void assign(StreamSetup st) {
        stream = st;
    }

    /** The dma-buf fd the server sent over the socket: the client maps the whole buffer. */
    void receive(int fd) {
        dmabufFd = fd;
        boolean playback = sc.stream() == PcmStream.PLAYBACK;
        map = ok(sys.mmap(task, dmabufFd, 0, bufferFrames * FRAME_BYTES, true, playback), "mmap");
    }

    /** Fills the whole ring before the server starts the stream. */
    void prefill() {
        writeUpTo(bufferFrames, true);
    }

    void start() {
        if (!zeroCopy()) {
            return;
        }
        phaseNs = rng.nextLong(Math.max(1, sc.periodNs() / 2));
        scheduleWake(1);
        if (stats.behaviour == Behaviour.CRASH) {
            long d = sc.durationNs();
            loop.at(d / 4 + rng.nextLong(Math.max(1, d / 2)), stats.name + " crashes", this::crash);
        }
    }

    private void scheduleWake(long k) {
        long at = k * sc.periodNs() + phaseNs;
        if (stats.behaviour == Behaviour.LATE && sc.jitterMeanNs() > 0) {
            at += (long) rng.exponential(sc.jitterMeanNs());
        }
        // A wake-up late by more than a period comes right after the previous one, never before it.
        at = Math.max(at, loop.now());
        if (at < sc.durationNs()) {
            loop.at(at, stats.name + " wakes", () -> {
                wake();
                scheduleWake(k + 1);
            });
        }
    }

    private void wake() {
        if (!alive || (stream.closed && inbox.isEmpty() && !switching)) {
            return;
        }
        stats.contextSwitches++;
        long t0 = loop.now();
        if (mappingGone) {
            writeIntoOldBuffer();
        } else if (!closedItsFd && map != null && !streamStopped) {
            if (sc.stream() == PcmStream.PLAYBACK) {
                long pos = position();
                long margin = stats.behaviour == Behaviour.TIMING_MODEL ? sc.marginFrames() : 0;
                written = Math.max(written, pos);
                writeUpTo(pos + bufferFrames - margin, stats.behaviour != Behaviour.FORGET_END_WRITE);
            } else {
                readUpTo(position());
            }
        }
        if (stats.behaviour == Behaviour.HOSTILE && map != null) {
            misbehave();
        }
        // Then it reads its socket; a message may bring another (the server answers at once).
        while (!inbox.isEmpty() && alive) {
            inbox.poll().run();
        }
        trace.span(stats.name, "wake", t0, 0);
    }

    /** It holds the data path of its stream: alive, and it has not thrown its fd away. */
    boolean holdsBuffer() {
        return alive && !closedItsFd;
    }

    /** It has a mapping of its data path. */
    boolean mapped() {
        return map != null;
    }

    /** It still holds the fd of the old server's stream (a restricted file pins its substream). */
    boolean holdsOldFile() {
        return dmabufFd >= 0;
    }

    /** A message from the server waits in its socket. */
    void post(Runnable message) {
        inbox.add(message);
    }

    /**
     * The server reconfigured or restarted; the client learns of it only from its socket. {@code mappingGone}: its
     * mapping no longer is the stream's buffer; {@code streamStopped}: its stream is stopped (its fd's position
     * calls give EBADFD), so a wake-up finds nothing to do.
     */
    void serverChanged(boolean mappingGone, boolean streamStopped) {
        switching = true;
        this.mappingGone = mappingGone;
        this.streamStopped = streamStopped;
    }

    /**
     * A wake-up before it read the server's message: it writes its next frames into the mapping it has, from
     * where it predicts the device is. They go to memory no device reads (LIFETIME-HANDOVER): lost; on the
     * dma-buf design its SYNCs give ENODEV (LIFETIME-ENODEV), which it does not stop for.
     */
    private void writeIntoOldBuffer() {
        if (sc.stream() != PcmStream.PLAYBACK || map == null) {
            // A capture client's old buffer has nothing new to read: it waits for the server's message.
            return;
        }
        long pos = lastPos + (loop.now() - lastPosAt) * sc.rate() / NSEC_PER_SEC;
        long upTo = pos + bufferFrames;
        if (upTo <= written) {
            return;
        }
        oldBufferSync(DmaBufSync.START | DmaBufSync.WRITE);
        for (long f = written; f < upTo; f = Math.min(upTo, nextRunEnd(f))) {
            writeRun(f, Math.min(upTo, nextRunEnd(f)));
        }
        if (stats.behaviour != Behaviour.FORGET_END_WRITE) {
            oldBufferSync(DmaBufSync.END | DmaBufSync.WRITE);
        }
        written = upTo;
    }

    private void oldBufferSync(long flags) {
        if (sc.design() != Design.DMABUF) {
            return;
        }
        stats.syncs++;
        Result<Long> r = sys.sync(task, dmabufFd, flags);
        if (!r.isOk() && r.errno().name().equals("ENODEV")) {
            server.oldBufferEnodev();
        } else {
            ok(r, "sync on the old dma-buf");
        }
    }

    /** The restricted design's reconfiguration: the server asked it to unmap its PCM buffer. */
    void unmapForServer() {
        if (map != null) {
            ok(sys.munmap(task, map), "munmap for the server");
            map = null;
        }
    }

    /** The server it talked to is gone: it drops the old buffer (mapping and fd) and reconnects. */
    void hangUp() {
        if (map != null) {
            ok(sys.munmap(task, map), "munmap at hang-up");
            map = null;
        }
        if (dmabufFd >= 0) {
            ok(sys.close(task, dmabufFd), "close at hang-up");
            dmabufFd = -1;
        }
        mappingGone = false;
    }

    /**
     * Its new data path: the fd the server sent ({@code -1}: its own restricted fd, mapped again), of the stream
     * the server started again from frame 0. It drops the old mapping and fd, maps the new, and writes ahead.
     */
    void switchTo(StreamSetup st, int fd) {
        if (map != null) {
            ok(sys.munmap(task, map), "munmap the old buffer");
            map = null;
        }
        if (fd >= 0 && dmabufFd >= 0 && fd != dmabufFd) {
            ok(sys.close(task, dmabufFd), "close the old fd");
        }
        stream = st;
        receive(fd >= 0 ? fd : dmabufFd);
        written = 0;
        readFrom = 0;
        switching = false;
        mappingGone = false;
        streamStopped = false;
        trace.instant(stats.name, "switches to the new buffer", loop.now());
        // A timing-model client takes the position the server publishes with its time as its new anchor, as an
        // AAudio MMAP client takes a timestamp: the restarted stream's periods are not where its clock says.
        anchorPos = st.substream.runtime().hwPtr();
        anchorAt = loop.now();
        if (sc.stream() == PcmStream.PLAYBACK) {
            long margin = stats.behaviour == Behaviour.TIMING_MODEL ? sc.marginFrames() : 0;
            long pos = position();
            written = pos;
            writeUpTo(pos + bufferFrames - margin, stats.behaviour != Behaviour.FORGET_END_WRITE);
        } else {
            // It reads from where the device is now: the frames captured before it switched are not judged.
            readFrom = position();
        }
        server.switched(this);
    }

    /**
     * Where the client believes the hardware is: the true hw_ptr (what the server publishes), or for a
     * timing-model client the prediction of its own clock from the start, blind to the device's drift.
     */
    private long position() {
        if (stats.behaviour == Behaviour.TIMING_MODEL) {
            return anchorPos + (loop.now() - anchorAt) * sc.rate() / NSEC_PER_SEC;
        }
        lastPos = stream.substream.runtime().hwPtr();
        lastPosAt = loop.now();
        return lastPos;
    }

    /** Writes this client's frames of [written, upTo), bracketed by the CPU-access syncs. */
    private void writeUpTo(long upTo, boolean endSync) {
        if (upTo <= written) {
            return;
        }
        int owner = stream.ownerIndex(this);
        sync(DmaBufSync.START | DmaBufSync.WRITE);
        long f = written;
        while (f < upTo) {
            long runEnd = Math.min(upTo, nextRunEnd(f));
            if (stream.owners.size() == 1 || Integrity.Stream.ownerOf(f, sc.periodFrames(),
                    stream.owners.size()) == owner) {
                writeRun(f, runEnd);
                integrity.wrote(stream.substream, owner, f, runEnd);
            }
            f = runEnd;
        }
        if (endSync) {
            sync(DmaBufSync.END | DmaBufSync.WRITE);
        }
        written = upTo;
    }

    /** Frames are written in runs that stop at a period boundary (ownership) and at the ring's end. */
    private long nextRunEnd(long f) {
        long p = sc.periodFrames();
        long periodEnd = (f / p + 1) * p;
        long ringEnd = (f / bufferFrames + 1) * bufferFrames;
        return Math.min(periodEnd, ringEnd);
    }

    private void writeRun(long from, long to) {
        int n = (int) (to - from);
        // The model copies the values into the buffer during the call, so one array serves every run.
        if (runValues.length < n) {
            runValues = new long[n];
        }
        Stamp.fill(runValues, 0, n, source(), from);
        long off = (from % bufferFrames) * FRAME_BYTES;
        ok(sys.write(task, map, off, n * (long) FRAME_BYTES, runValues), "client write");
    }

    /** Reads and checks this client's frames of [readFrom, upTo) (capture). */
    private void readUpTo(long upTo) {
        if (readFrom < upTo - bufferFrames) {
            stats.missing += upTo - bufferFrames - readFrom;
            readFrom = upTo - bufferFrames;
        }
        if (readFrom >= upTo) {
            return;
        }
        int owner = stream.ownerIndex(this);
        if (stats.behaviour != Behaviour.FORGET_START_READ) {
            sync(DmaBufSync.START | DmaBufSync.READ);
        }
        long f = readFrom;
        int source = Stamp.deviceSource(stream.substream);
        while (f < upTo) {
            long runEnd = Math.min(upTo, nextRunEnd(f));
            if (stream.owners.size() == 1
                    || Integrity.Stream.ownerOf(f, sc.periodFrames(), stream.owners.size()) == owner) {
                long off = (f % bufferFrames) * FRAME_BYTES;
                long[] words = ok(sys.read(task, map, off, (runEnd - f) * FRAME_BYTES), "client read");
                for (int i = 0; i < words.length; i++) {
                    Integrity.count(stats, Integrity.classify(new long[] {words[i]}, source, f + i, true));
                }
                integrity.readLatency(stream.substream, stats, f);
            }
            f = runEnd;
        }
        sync(DmaBufSync.END | DmaBufSync.READ);
        readFrom = upTo;
    }

    private void sync(long flags) {
        switch (sc.design()) {
            case DMABUF -> {
                stats.syncs++;
                ok(sys.sync(task, dmabufFd, flags), "sync");
            }
            case RESTRICTED -> {
                // The PCM core syncs for a PCM file: SYNC_PTR writing appl_ptr cleans for the device, HWSYNC
                // invalidates for the CPU (snd_pcm_sync_ptr(), snd_pcm_delay()). The stream runs free, so the
                // client writes back the appl_ptr it has; the START of a write and the END of a read have no call.
                if (flags == (DmaBufSync.END | DmaBufSync.WRITE)) {
                    stats.syncs++;
                    ok(sys.syncPtr(task, dmabufFd, stream.substream.runtime().applPtr()), "sync_ptr");
                } else if (flags == (DmaBufSync.START | DmaBufSync.READ)) {
                    stats.syncs++;
                    ok(sys.simple(task, "hwsync", dmabufFd), "hwsync");
                } else {
                    return;
                }
            }
            case BUFFER_FD -> {
                // Nothing to call: the vendors' fd has no cache maintenance ioctl (DESIGN-BUFFER-FD-NO-SYNC).
                return;
            }
        }
        trace.instant("syncs", stats.name + ((flags & DmaBufSync.END) != 0 ? " END" : " START")
                + ((flags & DmaBufSync.WRITE) != 0 ? "|WRITE" : "|READ"), loop.now());
    }

    private void crash() {
        if (!alive) {
            return;
        }
        trace.instant(stats.name, "crash", loop.now());
        ok(sys.exit(task), "crash");
        alive = false;
        integrity.retire(stream.substream, stream.ownerIndex(this));
        if (switching) {
            switching = false;
            server.goneWhileSwitching(this);
        }
        server.clientGone(this);
    }

    /**
     * A hostile client's bad call of the wake-up, each checked against the errno docs/spec.md gives for it: a PCM
     * ioctl on a dma-buf fd is ENOTTY (the dma-buf knows no PCM command); an mmap of the dma-buf at an offset
     * that is not page-aligned, past its end or of length 0 is EINVAL, as is a SYNC with an unknown flag or
     * without a direction; and a call on an fd the client does not hold (one it never had, or its own once it
     * closed it) is EBADF, except an mmap at an unaligned offset, which is EINVAL before the fd is looked at.
     */
    private void misbehave() {
        int fd = dmabufFd;
        boolean open = !closedItsFd;
        // A restricted PCM file refuses every stream control (DESIGN-RESTRICT-EPERM) and knows no dma-buf
        // ioctl; the vendors' buffer fd answers SYNC with ENOTTY before it looks at the flags.
        String expectFd = !open ? "EBADF" : sc.design() == Design.RESTRICTED ? "EPERM" : "ENOTTY";
        String expectMap = open ? "EINVAL" : "EBADF";
        String expectSync = !open ? "EBADF" : sc.design() == Design.DMABUF ? "EINVAL" : "ENOTTY";
        long size = bufferFrames * FRAME_BYTES;
        BadCall call = switch (rng.nextInt(11)) {
            case 0 -> new BadCall("START on a dma-buf fd", expectFd, sys.simple(task, "start", fd));
            case 1 -> new BadCall("HW_FREE on a dma-buf fd", expectFd, sys.simple(task, "hw_free", fd));
            case 2 -> new BadCall("DMABUF_ATTACH on a dma-buf fd", expectFd, sys.dmabufAttach(task, fd, fd));
            case 3 -> new BadCall("PAUSE on a dma-buf fd", expectFd, sys.pause(task, fd, true));
            // the offset is refused before the fd is looked at (x86_64 sys_mmap), closed fd or not
            case 4 -> new BadCall("mmap at an unaligned offset", "EINVAL", sys.mmap(task, fd, 100, 4096, true, false));
            case 5 -> new BadCall("mmap past the end", expectMap, sys.mmap(task, fd, 0, size + 4096, true, false));
            case 6 -> new BadCall("mmap of length 0", expectMap, sys.mmap(task, fd, 0, 0, true, false));
            case 7 -> {
                long flags = List.of(0L, 4L, 8L, 0xffL).get(rng.nextInt(4));
                yield new BadCall("SYNC with flags " + flags, expectSync, sys.sync(task, fd, flags));
            }
            case 8 -> new BadCall("close of an fd it does not have", "EBADF", sys.close(task, 97));
            case 9 -> new BadCall("DMABUF_EXPORT on a dma-buf fd", expectFd, sys.dmabufExport(task, fd));
            default -> null;
        };
        if (call == null) {
            if (open && rng.chance(0.05)) {
                closeAtRandom();
            }
            return;
        }
        stats.badCalls++;
        String got = call.result.isOk() ? "success" : call.result.errno().name();
        if (!got.equals(call.expected)) {
            stats.errnoMismatches.add(call.what + ": expected " + call.expected + ", got " + got);
        }
    }

    /** One bad call a hostile client made, the errno docs/spec.md gives for it, and what it got. */
    private record BadCall(String what, String expected, Result<?> result) {
    }

    /** The hostile client unmaps and closes its dma-buf fd; its own stream is no longer its concern. */
    private void closeAtRandom() {
        ok(sys.munmap(task, map), "hostile munmap");
        ok(sys.close(task, dmabufFd), "hostile close");
        closedItsFd = true;
        integrity.retire(stream.substream, stream.ownerIndex(this));
        trace.instant(stats.name, "closes its dma-buf fd", loop.now());
    }

    void exitAtEnd() {
        if (alive) {
            ok(sys.exit(task), "client exit");
            alive = false;
        }
    }
}
