package org.pcmdmabuf.sim;

import static org.pcmdmabuf.sim.Syscalls.ok;

import java.util.ArrayList;
import java.util.List;
import org.pcmdmabuf.model.Access;
import org.pcmdmabuf.model.Format;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.PcmRole;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.model.Result;
import org.pcmdmabuf.model.Stamp;
import org.pcmdmabuf.model.SwParams;
import org.pcmdmabuf.model.Substream;
import org.pcmdmabuf.model.Task;
import org.pcmdmabuf.model.World;

/**
 * The sound server: owns the PCM, exports its buffer to zero-copy clients, copies for the others, and stops the
 * stream of a client that went away.
 */
final class SoundServer {
    /** S16_LE stereo: the one format the server opens streams in, so its clients' frames have this size too. */
    static final int FRAME_BYTES = 4;

    /** Its process; a restart makes it a new one. */
    private Task task;
    private final Scenario sc;
    private final World world;
    private final Syscalls sys;
    private final EventLoop loop;
    private final Integrity integrity;
    private final TraceLog trace;
    private final long bufferFrames;
    private final List<StreamSetup> streams = new ArrayList<>();
    private long contextSwitches;
    private long blockedHwFrees;
    private final List<Client> clients = new ArrayList<>();
    /** The reconfiguration or restart whose clients have not all switched yet, or null. */
    private ServerEvent.Tracker active;
    private ServerEvent.Tracker reconfigured;
    private ServerEvent.Tracker restarted;
    /** At a restart: the new process's stream in place of each old one, until its owners reconnected. */
    private final java.util.Map<StreamSetup, StreamSetup> reopened = new java.util.LinkedHashMap<>();
    private final java.util.Map<StreamSetup, List<Client>> reconnected = new java.util.HashMap<>();

    SoundServer(Machine m, Task task) {
        this.task = task;
        this.sc = m.scenario();
        this.world = m.world();
        this.sys = m.sys();
        this.loop = m.loop();
        this.integrity = m.integrity();
        this.trace = m.trace();
        this.bufferFrames = sc.bufferFrames();
    }

    /** The streams it runs, in the order it opened them. */
    List<StreamSetup> streams() {
        return streams;
    }

    long contextSwitches() {
        return contextSwitches;
    }

    /** HW_FREEs of the server a client's mapping refused (EBADFD). */
    long blockedHwFrees() {
        return blockedHwFrees;
    }

    /** What the mid-run reconfiguration gave, or null if the scenario has none. */
    ServerEvent reconfigureOutcome() {
        return reconfigured == null ? null : reconfigured.outcome();
    }

    /** What the mid-run restart gave, or null if the scenario has none. */
    ServerEvent restartOutcome() {
        return restarted == null ? null : restarted.outcome();
    }

    /** Opens a stream per client (or one for all when shared), shares or copies into each, and starts them. */
    void setUp(List<Client> clients) {
        this.clients.addAll(clients);
        if (sc.shared()) {
            streams.add(openStream(false));
            streams.getFirst().owners.addAll(clients);
        } else {
            for (Client c : clients) {
                StreamSetup st = openStream(!c.zeroCopy());
                st.owners.add(c);
                streams.add(st);
            }
        }
        for (StreamSetup st : streams) {
            for (Client c : st.owners) {
                c.assign(st);
            }
            ClientStats[] owners = st.owners.stream().map(c -> c.stats).toArray(ClientStats[]::new);
            int[] sources = st.owners.stream().mapToInt(c -> sc.stream() == PcmStream.PLAYBACK
                    ? c.source() : Stamp.deviceSource(st.substream)).toArray();
            integrity.watch(st.substream, owners, sources, sc.periodFrames(), bufferFrames);
            if (!st.copy) {
                shareBuffer(st);
            }
        }
        for (StreamSetup st : streams) {
            prefill(st);
        }
        for (StreamSetup st : streams) {
            ok(sys.simple(task, "prepare", st.pcmFd), "prepare");
            if (st.copy && sc.stream() == PcmStream.PLAYBACK) {
                // The classic path: the ring is filled by copies, then started.
                ok(sys.writei(task, st.pcmFd, bufferFrames, st.owners.getFirst().source()), "prefill writei");
                integrity.wrote(st.substream, 0, 0, bufferFrames);
                integrity.onPeriod(st.substream, () -> copyPeriod(st));
            } else {
                ok(sys.simple(task, "start", st.pcmFd), "start");
            }
        }
    }

    private StreamSetup openStream(boolean copy) {
        int fd = ok(sys.open(task, "pcm0"), "open").intValue();
        Substream s = world.substreamOf(task, fd);
        ok(sys.hwParams(task, fd, hwParams(copy ? Access.RW_INTERLEAVED : Access.MMAP_INTERLEAVED)), "hw_params");
        // Zero-copy streams run free: clients keep up by position, so appl_ptr is never advanced and the
        // stream never xruns (AAudio's MMAP mode); the copy path keeps ALSA's default stop_threshold.
        Long stop = copy ? null : SwParams.BOUNDARY;
        ok(sys.swParams(task, fd, new SwParams(bufferFrames, stop, null)), "sw_params");
        return new StreamSetup(fd, s, copy);
    }

    private HwParams hwParams(Access access) {
        return new HwParams(access, Format.S16_LE, 2, sc.rate(), sc.periodFrames(), sc.periods());
    }

    /** Hands each owner the data path of the scenario's design over its socket; it maps it at once. */
    private void shareBuffer(StreamSetup st) {
        shareBuffer(st, st.owners, Client::receive);
    }

    /**
     * Hands these owners the data path of the scenario's design over their sockets: {@code deliver} gives each
     * its new fd (at set-up it maps it at once; mid-run the fd waits in its socket until it looks).
     */
    private void shareBuffer(StreamSetup st, List<Client> owners, java.util.function.ObjIntConsumer<Client> deliver) {
        switch (sc.design()) {
            case DMABUF -> {
                // The RFC flow: export, attach the export, an fd of it to each owner. On a platform with a
                // foreign dma-buf another substream exports the memory, and attaching it is a streaming mapping.
                if (sc.platform().foreign()) {
                    st.exporterFd = ok(sys.open(task, "pcm0"), "open exporter").intValue();
                    ok(sys.hwParams(task, st.exporterFd, hwParams(Access.MMAP_INTERLEAVED)), "exporter hw_params");
                }
                st.dmabufFd = ok(sys.dmabufExport(task, st.exporterFd >= 0 ? st.exporterFd : st.pcmFd),
                        "dmabuf_export").intValue();
                ok(sys.dmabufAttach(task, st.pcmFd, st.dmabufFd), "dmabuf_attach");
                for (Client c : owners) {
                    deliver.accept(c, ok(sys.send(task, st.dmabufFd, c.task), "send").intValue());
                }
            }
            case RESTRICTED -> {
                // Jaroslav Kysela's proposal: per owner a second open of the PCM with O_APPEND, narrowed to
                // the role that moves the stream's data; the server keeps no copy of it.
                PcmRole role = sc.stream() == PcmStream.PLAYBACK ? PcmRole.PRODUCER : PcmRole.CONSUMER;
                for (Client c : owners) {
                    int fd = ok(sys.openAppend(task, "pcm0"), "open append").intValue();
                    ok(sys.restrict(task, fd, role), "restrict");
                    deliver.accept(c, ok(sys.send(task, fd, c.task), "send").intValue());
                    ok(sys.close(task, fd), "close restricted fd");
                }
            }
            case BUFFER_FD -> {
                st.dmabufFd = ok(sys.bufferFd(task, st.pcmFd), "buffer_fd").intValue();
                for (Client c : owners) {
                    deliver.accept(c, ok(sys.send(task, st.dmabufFd, c.task), "send").intValue());
                }
            }
        }
    }

    private void prefill(StreamSetup st) {
        if (st.copy || sc.stream() != PcmStream.PLAYBACK) {
            return;
        }
        for (Client c : st.owners) {
            c.prefill();
        }
    }

    /** A period interrupt of a copy-path stream: the server wakes, fetches a period, writes it. */
    private void copyPeriod(StreamSetup st) {
        Client c = st.owners.getFirst();
        if (st.closed || !c.alive()) {
            return;
        }
        loop.after(0, "server copy", () -> {
            if (st.closed || !c.alive()) {
                return;
            }
            long bytes = (long) sc.periodFrames() * FRAME_BYTES;
            contextSwitches += 2;
            c.stats.contextSwitches += 3;
            c.stats.bytesCopied += 3 * bytes;
            long appl = st.substream.runtime().applPtr();
            Result<Long> r = sys.writei(task, st.pcmFd, sc.periodFrames(), c.source());
            if (r.isOk()) {
                integrity.wrote(st.substream, 0, appl, appl + r.value());
                trace.span(c.stats.name, "copy period", loop.now(), 0);
            } else if ("EPIPE".equals(r.errno().name())) {
                ok(sys.simple(task, "prepare", st.pcmFd), "prepare after xrun");
            }
        });
    }

    /** A client's socket closed: once none of its stream's owners is left, the stream is stopped and freed. */
    void clientGone(Client c) {
        StreamSetup st = c.stream();
        if (st.closed || st.owners.stream().anyMatch(Client::alive)) {
            return;
        }
        loop.after(1_000_000, "server reaps " + c.stats.name, () -> {
            contextSwitches++;
            closeStream(st);
        });
    }

    private void closeStream(StreamSetup st) {
        if (st.closed) {
            return;
        }
        integrity.forget(st.substream);
        ok(sys.simple(task, "drop", st.pcmFd), "drop");
        if (st.dmabufFd >= 0) {
            if (sc.design() == Design.DMABUF) {
                ok(sys.dmabufDetach(task, st.pcmFd), "dmabuf_detach");
            }
            ok(sys.close(task, st.dmabufFd), "close dma-buf");
        }
        Result<Long> freed = sys.simple(task, "hw_free", st.pcmFd);
        // Only a restricted client's PCM data mapping can refuse it (DESIGN-RESTRICT-MMAP-BLOCKS); the buffer
        // goes at the last close of the substream's files instead.
        if (!freed.isOk() && sc.design() == Design.RESTRICTED && freed.errno().name().equals("EBADFD")) {
            blockedHwFrees++;
        } else {
            ok(freed, "hw_free");
        }
        ok(sys.close(task, st.pcmFd), "close pcm");
        if (st.exporterFd >= 0) {
            ok(sys.simple(task, "hw_free", st.exporterFd), "exporter hw_free");
            ok(sys.close(task, st.exporterFd), "close exporter");
        }
        st.closed = true;
    }

    /** The clients of a stream that still hold its data path: alive and not having thrown their fd away. */
    private static List<Client> holders(StreamSetup st) {
        return st.owners.stream().filter(Client::holdsBuffer).toList();
    }

    /** A reconfiguration or restart begins: its figures start from every client's integrity errors now. */
    private ServerEvent.Tracker begin(String kind) {
        if (active != null) {
            closeWindow(active);
        }
        ServerEvent.Tracker ev = new ServerEvent.Tracker(kind, loop.now());
        ev.errorsAtStart = clients.stream().mapToLong(c -> c.stats.integrityErrors()).toArray();
        active = ev;
        trace.instant("server", "server " + kind, loop.now());
        contextSwitches++;
        return ev;
    }

    /** A client's SYNC on its old dma-buf gave ENODEV: the dma-buf was orphaned. */
    void oldBufferEnodev() {
        if (active != null) {
            active.oldBufferEnodev++;
        }
    }

    /** A client switched to its new buffer and wrote into it. */
    void switched(Client c) {
        ServerEvent.Tracker ev = active;
        if (ev == null || --ev.pending > 0) {
            return;
        }
        ev.recoveredAtNs = loop.now();
        // The frames the clients could not write in time are played within a buffer of now; judged after that,
        // an error is no longer the event's.
        long window = sc.bufferFrames() * 1_000_000_000L / sc.rate();
        if (loop.now() + window < sc.durationNs()) {
            loop.after(window, "server " + ev.kind + " window ends", () -> closeWindow(ev));
        }
    }

    private void closeWindow(ServerEvent.Tracker ev) {
        if (ev.windowClosed) {
            return;
        }
        ev.windowClosed = true;
        for (int i = 0; i < clients.size(); i++) {
            long lost = clients.get(i).stats.integrityErrors() - ev.errorsAtStart[i];
            ev.windowErrors += lost;
            clients.get(i).stats.lostAtServerEvents += lost;
        }
        if (active == ev) {
            active = null;
        }
    }

    /** The end of the run: a window still open closes now, and a stream still stopped counts as silent until now. */
    void endOfRun() {
        for (StreamSetup st : streams) {
            stopped(st);
        }
        if (active != null) {
            closeWindow(active);
        }
    }

    /** The stream runs again (or the run ended): the frames of the time it was stopped were lost. */
    private void stopped(StreamSetup st) {
        if (st.stoppedAtNs >= 0 && active != null) {
            active.silentFrames += (loop.now() - st.stoppedAtNs) * sc.rate() / 1_000_000_000L;
        }
        st.stoppedAtNs = -1;
    }

    /**
     * The server changes its streams' configuration as a real one does on a format or period change: DROP, let
     * go of the shared buffer, HW_PARAMS (the same parameters: LIFETIME-HW-PARAMS-NEW gives the dma-buf design new
     * memory anyway), share the new buffer, PREPARE, START; the clients learn of it through their sockets.
     */
    void reconfigure() {
        ServerEvent.Tracker ev = begin("reconfigure");
        reconfigured = ev;
        for (StreamSetup st : streams) {
            if (st.closed) {
                continue;
            }
            List<Client> holders = holders(st);
            ev.pending += holders.size();
            integrity.forget(st.substream);
            ok(sys.simple(task, "drop", st.pcmFd), "reconfigure drop");
            st.stoppedAtNs = loop.now();
            switch (sc.design()) {
                case DMABUF, BUFFER_FD -> {
                    if (sc.design() == Design.DMABUF) {
                        ok(sys.dmabufDetach(task, st.pcmFd), "reconfigure dmabuf_detach");
                    }
                    ok(sys.close(task, st.dmabufFd), "reconfigure close dma-buf");
                    st.dmabufFd = -1;
                    if (st.exporterFd >= 0) {
                        ok(sys.simple(task, "hw_free", st.exporterFd), "reconfigure exporter hw_free");
                        ok(sys.close(task, st.exporterFd), "reconfigure close exporter");
                        st.exporterFd = -1;
                    }
                    // Nothing the clients hold blocks it (LIFETIME-NEVER-BLOCKED, DESIGN-BUFFER-FD-LIFETIME): their
                    // mappings keep the old memory, which no device reads any more.
                    holders.forEach(c -> c.serverChanged(true, true));
                    ok(sys.hwParams(task, st.pcmFd, hwParams(Access.MMAP_INTERLEAVED)), "reconfigure hw_params");
                    restartStream(st, holders);
                }
                case RESTRICTED -> {
                    holders.forEach(c -> c.serverChanged(false, true));
                    retryHwParams(st);
                }
            }
        }
        if (ev.pending == 0) {
            switched(null);
        }
    }

    /** After HW_PARAMS: the new buffer to its holders (each maps it when it looks at its socket), PREPARE, START. */
    private void restartStream(StreamSetup st, List<Client> holders) {
        ok(sys.swParams(task, st.pcmFd, new SwParams(bufferFrames, SwParams.BOUNDARY, null)), "sw_params");
        watch(st);
        shareBuffer(st, holders, (c, fd) -> c.post(() -> c.switchTo(st, fd)));
        ok(sys.simple(task, "prepare", st.pcmFd), "prepare");
        ok(sys.simple(task, "start", st.pcmFd), "start");
        stopped(st);
    }

    private void watch(StreamSetup st) {
        ClientStats[] owners = st.owners.stream().map(c -> c.stats).toArray(ClientStats[]::new);
        int[] sources = st.owners.stream().mapToInt(c -> sc.stream() == PcmStream.PLAYBACK
                ? c.source() : Stamp.deviceSource(st.substream)).toArray();
        integrity.watch(st.substream, owners, sources, sc.periodFrames(), bufferFrames);
        for (Client c : st.owners) {
            if (!c.holdsBuffer()) {
                integrity.retire(st.substream, st.ownerIndex(c));
            }
        }
    }

    /**
     * The restricted design's reconfiguration: HW_PARAMS gives EBADFD while a client's PCM data mapping exists
     * (DESIGN-RESTRICT-MMAP-BLOCKS), so the server asks its clients to unmap and tries again as each answers.
     */
    private void retryHwParams(StreamSetup st) {
        Result<Long> r = sys.hwParams(task, st.pcmFd, hwParams(Access.MMAP_INTERLEAVED));
        if (r.isOk()) {
            st.unmapAsked = false;
            List<Client> holders = holders(st);
            ok(sys.swParams(task, st.pcmFd, new SwParams(bufferFrames, SwParams.BOUNDARY, null)), "sw_params");
            watch(st);
            ok(sys.simple(task, "prepare", st.pcmFd), "prepare");
            ok(sys.simple(task, "start", st.pcmFd), "start");
            stopped(st);
            // Their restricted files stay theirs: each maps its own fd again.
            for (Client c : holders) {
                c.post(() -> c.switchTo(st, -1));
            }
            return;
        }
        if (!r.errno().name().equals("EBADFD")) {
            ok(r, "reconfigure hw_params");
        }
        active.refused++;
        trace.instant("server", "HW_PARAMS refused: EBADFD", loop.now());
        if (st.unmapAsked) {
            return;
        }
        st.unmapAsked = true;
        for (Client c : holders(st)) {
            c.post(() -> {
                c.unmapForServer();
                contextSwitches++;
                retryHwParamsIfAsked(st);
            });
        }
    }

    /** A client answered that it unmapped: the server tries HW_PARAMS again (it cannot know who else maps). */
    private void retryHwParamsIfAsked(StreamSetup st) {
        if (st.unmapAsked && !st.closed && st.stoppedAtNs >= 0) {
            retryHwParams(st);
        }
    }

    /**
     * The server process exits (a crash, or a restart) and a new one takes its place at once: it opens the device
     * again, and shares a new buffer with each client as it reconnects. What the clients hold of the old process's
     * streams decides whether it can: a restricted file keeps the substream open (DESIGN-RESTRICT-PINS).
     */
    void restart() {
        ServerEvent.Tracker ev = begin("restart");
        restarted = ev;
        List<StreamSetup> old = streams.stream().filter(st -> !st.closed).toList();
        for (StreamSetup st : old) {
            List<Client> holders = holders(st);
            ev.pending += holders.size();
            st.closed = true;
            if (sc.design() != Design.RESTRICTED) {
                // The exit closes the server's PCM fd: the stream stops and its memory goes over to the clients'
                // fds (LIFETIME-HANDOVER). A restricted client's file keeps the stream running instead.
                integrity.forget(st.substream);
                st.stoppedAtNs = loop.now();
            }
            holders.forEach(c -> c.serverChanged(sc.design() != Design.RESTRICTED, sc.design() != Design.RESTRICTED));
        }
        ok(sys.exit(task), "server exits");
        task = world.addTask("server-restarted");
        for (StreamSetup st : old) {
            reopened.put(st, null);
            reconnected.put(st, new ArrayList<>());
            tryReopen(st);
            for (Client c : holders(st)) {
                c.post(() -> {
                    c.hangUp();
                    contextSwitches++;
                    reconnect(st, c);
                });
            }
        }
        if (ev.pending == 0) {
            switched(null);
        }
    }

    /** The new process opens the device for an old stream; EBUSY while a client's file still holds it. */
    private void tryReopen(StreamSetup old) {
        if (reopened.get(old) != null) {
            return;
        }
        Result<Long> r = sys.open(task, "pcm0");
        if (!r.isOk()) {
            if (!r.errno().name().equals("EBUSY")) {
                ok(r, "reopen");
            }
            active.refused++;
            trace.instant("server", "open refused: EBUSY", loop.now());
            return;
        }
        int fd = r.value().intValue();
        Substream s = world.substreamOf(task, fd);
        ok(sys.hwParams(task, fd, hwParams(Access.MMAP_INTERLEAVED)), "hw_params");
        ok(sys.swParams(task, fd, new SwParams(bufferFrames, SwParams.BOUNDARY, null)), "sw_params");
        StreamSetup st = new StreamSetup(fd, s, false);
        st.owners.addAll(old.owners);
        reopened.put(old, st);
        streams.add(st);
    }

    /**
     * A client of an old stream reconnected (it dropped what it held of it): once every holder did, the new
     * process shares its new buffer with them and starts the stream.
     */
    private void reconnect(StreamSetup old, Client c) {
        List<Client> back = reconnected.get(old);
        back.add(c);
        if (sc.design() == Design.RESTRICTED && !holders(old).stream().anyMatch(Client::holdsOldFile)) {
            // The last restricted file of the old stream closed: its stream stopped there.
            if (old.stoppedAtNs < 0 && reopened.get(old) == null) {
                integrity.forget(old.substream);
                old.stoppedAtNs = loop.now();
            }
        }
        tryReopen(old);
        resumeIfAllBack(old);
    }

    /**
     * A client died while the server waited for it to switch: its exit unmapped and closed what it held, so a
     * refused HW_PARAMS or open is tried again, and it is waited for no more.
     */
    void goneWhileSwitching(Client c) {
        StreamSetup st = c.stream();
        retryHwParamsIfAsked(st);
        if (reopened.containsKey(st)) {
            tryReopen(st);
            resumeIfAllBack(st);
        }
        switched(c);
    }

    /** Once every holder of an old stream reconnected, the new process shares its buffer and starts it. */
    private void resumeIfAllBack(StreamSetup old) {
        List<Client> back = reconnected.get(old);
        StreamSetup st = reopened.get(old);
        if (st == null || st.startedOnce || !back.containsAll(holders(old))) {
            return;
        }
        st.startedOnce = true;
        for (Client o : st.owners) {
            o.assign(st);
        }
        st.stoppedAtNs = old.stoppedAtNs;
        old.stoppedAtNs = -1;
        watch(st);
        shareBuffer(st, back, (o, fd) -> o.post(() -> o.switchTo(st, fd)));
        ok(sys.simple(task, "prepare", st.pcmFd), "prepare");
        ok(sys.simple(task, "start", st.pcmFd), "start");
        stopped(st);
    }

    void tearDown() {
        for (StreamSetup st : streams) {
            closeStream(st);
        }
    }

    void exit() {
        ok(sys.exit(task), "server exit");
    }
}
