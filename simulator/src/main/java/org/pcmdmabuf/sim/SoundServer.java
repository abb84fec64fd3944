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

    private final Task task;
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

    /** Opens a stream per client (or one for all when shared), shares or copies into each, and starts them. */
    void setUp(List<Client> clients) {
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

    /** Hands each owner the data path of the scenario's design over its socket. */
    private void shareBuffer(StreamSetup st) {
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
                for (Client c : st.owners) {
                    c.receive(ok(sys.send(task, st.dmabufFd, c.task), "send").intValue());
                }
            }
            case RESTRICTED -> {
                // Jaroslav Kysela's proposal: per owner a second open of the PCM with O_APPEND, narrowed to
                // the role that moves the stream's data; the server keeps no copy of it.
                PcmRole role = sc.stream() == PcmStream.PLAYBACK ? PcmRole.PRODUCER : PcmRole.CONSUMER;
                for (Client c : st.owners) {
                    int fd = ok(sys.openAppend(task, "pcm0"), "open append").intValue();
                    ok(sys.restrict(task, fd, role), "restrict");
                    c.receive(ok(sys.send(task, fd, c.task), "send").intValue());
                    ok(sys.close(task, fd), "close restricted fd");
                }
            }
            case BUFFER_FD -> {
                st.dmabufFd = ok(sys.bufferFd(task, st.pcmFd), "buffer_fd").intValue();
                for (Client c : st.owners) {
                    c.receive(ok(sys.send(task, st.dmabufFd, c.task), "send").intValue());
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

    void tearDown() {
        for (StreamSetup st : streams) {
            closeStream(st);
        }
    }

    void exit() {
        ok(sys.exit(task), "server exit");
    }
}
