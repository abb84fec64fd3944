package org.pcmdmabuf.script;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.model.CheckCounts;
import org.pcmdmabuf.model.Leaks;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.model.Result;
import org.pcmdmabuf.model.Substream;
import org.pcmdmabuf.model.Task;
import org.pcmdmabuf.model.ProtocolViolation;
import org.pcmdmabuf.model.Vma;
import org.pcmdmabuf.model.World;

/**
 * Runs op scripts on the Java model ({@link World}), with memory as given: directly (the default), or through
 * the simulator's cache, where an {@code advance} reports the words the DMA read stale ({@code stale}) and a
 * {@code check} the frames the CPU saw stale.
 */
public final class ModelTarget implements Target {
    private final World world;

    public ModelTarget() {
        this(new World());
    }

    public ModelTarget(World world) {
        this.world = world;
    }

    @Override
    public String name() {
        return "model";
    }

    public World world() {
        return world;
    }

    /**
     * The model runs every script: every op, the designs' too, and every platform attribute of docs/spec.md
     * section 3 (buffer types, IOMMU, bounce buffers, driver profiles, opt-in), but for a fault injection
     * ({@code fail_nth}): the model makes no fallible calls, so it cannot know which one the N-th is.
     */
    @Override
    public String refusal(Script script) {
        return Target.faultRefusal(script, name());
    }

    @Override
    public void declare(Script script) {
        for (PcmHardware hw : script.devices()) {
            world.addDevice(hw);
        }
        for (String p : script.procs()) {
            world.addTask(p);
        }
    }

    @Override
    public Outcome execute(Op op, Names n) {
        long violationsBefore = world.violationCount();
        long staleBefore = world.staleDmaReads();
        Outcome out = run(op, n);
        if (world.staleDmaReads() > staleBefore) {
            out = out.with("stale", world.staleDmaReads() - staleBefore);
        }
        if (world.violationCount() > violationsBefore) {
            // Every op of a script is one system call of the world, so the last op's violations are this op's.
            List<String> rules = new ArrayList<>();
            for (ProtocolViolation v : world.lastOpViolations()) {
                rules.add(v.rule());
            }
            out = out.with("violations", rules);
        }
        return out;
    }

    @Override
    public Outcome refuse(Op op, Names n, String errno) {
        Task t = world.task(op.proc());
        if (op instanceof Op.DmabufExport e) {
            n.bindFd(e.proc(), e.as(), -1);
        } else if (op instanceof Op.Mmap m) {
            n.bindMap(m.proc(), m.as(), null);
        }
        String fd = Linearizability.accessFd(op);
        return Outcome.error(errno, fd == null ? null : state(t, n.fd(t.name, fd)));
    }

    private Outcome run(Op op, Names n) {
        Task t = op.proc() == null ? null : world.task(op.proc());
        return switch (op) {
            case Op.Open o -> {
                Result<Long> r = world.open(t, o.device(), o.append(), o.nonblock(), o.readOnly());
                n.bindFd(o.proc(), o.as(), r.isOk() ? r.value().intValue() : -1);
                yield outcome(r, r.isOk() ? state(t, r.value().intValue()) : null);
            }
            case Op.HwParamsOp o -> pcm(t, n, o.fd(), world.hwParams(t, n.fd(o.proc(), o.fd()), o.params()));
            case Op.SwParamsOp o -> pcm(t, n, o.fd(), world.swParams(t, n.fd(o.proc(), o.fd()), o.params()));
            case Op.Simple o -> pcm(t, n, o.fd(), simple(t, o.name(), n.fd(o.proc(), o.fd())));
            case Op.Pause o -> pcm(t, n, o.fd(), world.pause(t, n.fd(o.proc(), o.fd()), o.push()));
            case Op.SyncPtr o -> pcm(t, n, o.fd(), world.syncPtr(t, n.fd(o.proc(), o.fd()), o.applPtr()));
            case Op.Xfer o -> pcm(t, n, o.fd(), world.xferi(t, n.fd(o.proc(), o.fd()), o.frames()));
            case Op.Mmap o -> {
                int fd = n.fd(o.proc(), o.fd());
                Result<Vma> r = world.mmap(t, fd, o.offset(), o.length(), o.read(), o.write(), o.shared());
                n.bindMap(o.proc(), o.as(), r.isOk() ? r.value() : null);
                yield outcome(r.map(v -> 0L), state(t, fd));
            }
            case Op.Munmap o -> {
                Vma v = (Vma) n.map(o.proc(), o.map());
                yield v == null ? Outcome.error("EINVAL", null)
                        : outcome(o.keep() == null ? world.munmap(t, v) : world.munmapTail(t, v, o.keep()), null);
            }
            case Op.Gup o -> {
                // a mapping the mmap did not make: no VMA at the address
                Vma v = (Vma) n.map(o.proc(), o.map());
                yield v == null ? Outcome.error("EFAULT", null) : outcome(world.gup(t, v, o.write()), null);
            }
            case Op.Unpin o -> {
                Vma v = (Vma) n.map(o.proc(), o.map());
                yield v == null ? Outcome.error("EINVAL", null) : outcome(world.unpin(t, v), null);
            }
            case Op.MapAccess o -> mapAccess(t, o, (Vma) n.map(o.proc(), o.map()));
            case Op.Sync o -> pcm(t, n, o.fd(), world.dmaBufSync(t, n.fd(o.proc(), o.fd()), o.flags()));
            case Op.DmabufExport o -> {
                int fd = n.fd(o.proc(), o.fd());
                Result<Long> r = world.dmabufExport(t, fd, o.arg());
                n.bindFd(o.proc(), o.as(), r.isOk() ? r.value().intValue() : -1);
                Outcome out = outcome(r, state(t, fd));
                // UAPI-EXPORT-FLAGS: the new fd's FD_CLOEXEC, as fcntl(F_GETFD) shows it
                yield r.isOk() ? out.with("cloexec", t.files().closeOnExec(r.value().intValue())) : out;
            }
            case Op.DmabufAttach o -> pcm(t, n, o.fd(),
                    world.dmabufAttach(t, n.fd(o.proc(), o.fd()), n.fd(o.proc(), o.dmabufFd()), o.arg()));
            case Op.DmabufDetach o -> pcm(t, n, o.fd(), world.dmabufDetach(t, n.fd(o.proc(), o.fd())));
            case Op.Import o -> outcome(world.foreignImport(t, n.fd(o.proc(), o.fd()), o.dmaMask()), null);
            case Op.Link o -> pcm(t, n, o.fd(), world.link(t, n.fd(o.proc(), o.fd()), n.fd(o.proc(), o.other())));
            case Op.Unlink o -> pcm(t, n, o.fd(), world.unlink(t, n.fd(o.proc(), o.fd())));
            case Op.Restrict o -> pcm(t, n, o.fd(), world.restrict(t, n.fd(o.proc(), o.fd()), o.role()));
            case Op.BufferFd o -> {
                int fd = n.fd(o.proc(), o.fd());
                Result<Long> r = world.bufferFd(t, fd);
                n.bindFd(o.proc(), o.as(), r.isOk() ? r.value().intValue() : -1);
                yield outcome(r, state(t, fd));
            }
            case Op.Close o -> pcm(t, n, o.fd(), world.close(t, n.fd(o.proc(), o.fd())));
            case Op.OpenPath o -> {
                Result<Long> r = world.openPath(t, n.fd(o.proc(), o.fd()));
                n.bindFd(o.proc(), o.as(), r.isOk() ? r.value().intValue() : -1);
                yield outcome(r, null);
            }
            case Op.Dup o -> {
                int fd = n.fd(o.proc(), o.fd());
                Result<Long> r = world.dup(t, fd);
                n.bindFd(o.proc(), o.as(), r.isOk() ? r.value().intValue() : -1);
                yield outcome(r, state(t, fd));
            }
            case Op.Send o -> {
                Task to = world.task(o.to());
                Result<Long> r = world.send(t, n.fd(o.proc(), o.fd()), to);
                n.bindFd(o.to(), o.as(), r.isOk() ? r.value().intValue() : -1);
                yield outcome(r, r.isOk() ? state(to, r.value().intValue()) : null);
            }
            case Op.Exit o -> outcome(world.exit(t), null);
            case Op.CardEvent o -> outcome(o.name().equals("suspend")
                    ? world.suspend(world.pcm(o.device())) : world.disconnect(world.pcm(o.device())), null);
            case Op.Advance o -> outcome(o.nanos() != null
                    ? world.advanceNanos(o.nanos()) : world.advanceFrames(o.frames()), null);
            case Op.DmaDebug o -> {
                World.DmaDebug d = world.dmaDebug();
                yield Outcome.ok(0, null).with("mappings", d.mappings()).with("overlaps", d.overlaps());
            }
            case Op.FailNth o -> throw new IllegalArgumentException(Target.faultRefusal(
                    new Script(List.of(), List.of(), List.of(op)), name()));
            case Op.LeaksOp o -> {
                Leaks l = world.leaks();
                Map<String, Object> counts = new LinkedHashMap<>();
                counts.put("files", l.files());
                counts.put("dmabufs", l.dmabufs());
                counts.put("attachments", l.attachments());
                counts.put("mappings", l.mappings());
                counts.put("buffers", l.buffers());
                counts.put("charged", l.charged());
                counts.put("paths", l.paths());
                yield new Outcome(0, null, null, counts);
            }
        };
    }

    private Result<Long> simple(Task t, String name, int fd) {
        return switch (name) {
            case "hw_free" -> world.hwFree(t, fd);
            case "prepare" -> world.prepare(t, fd);
            case "start" -> world.start(t, fd);
            case "drop" -> world.drop(t, fd);
            case "drain" -> world.drain(t, fd);
            case "reset" -> world.reset(t, fd);
            case "xrun" -> world.xrun(t, fd);
            case "hwsync" -> world.hwsync(t, fd);
            case "delay" -> world.delay(t, fd);
            case "resume" -> world.resume(t, fd);
            default -> throw new IllegalArgumentException("not a simple PCM op: " + name);
        };
    }

    private Outcome mapAccess(Task t, Op.MapAccess o, Vma v) {
        if (v == null) {
            return Outcome.error("EFAULT", null);
        }
        if (o.name().equals("fill")) {
            return outcome(world.fill(t, v, o.offset(), o.length()), null);
        }
        Result<CheckCounts> r = world.check(t, v, o.offset(), o.length());
        if (!r.isOk()) {
            return failure(r, null);
        }
        CheckCounts c = r.value();
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("good", c.good());
        counts.put("stale", c.stale());
        counts.put("torn", c.torn());
        counts.put("missing", c.missing());
        return new Outcome(0, null, null, counts);
    }

    private Outcome pcm(Task t, Names n, String fdName, Result<Long> r) {
        return outcome(r, state(t, n.fd(t.name, fdName)));
    }

    private String state(Task t, int fd) {
        Substream s = world.substreamOf(t, fd);
        return s == null || s.state() == null ? null : s.state().name();
    }

    private static Outcome outcome(Result<Long> r, String state) {
        return r.isOk() ? Outcome.ok(r.value(), state) : failure(r, state);
    }

    /** An errno, or the signal a faulting access raised, in the errno field (docs/op-scripts.md, Output). */
    private static Outcome failure(Result<?> r, String state) {
        return Outcome.error(r.signal() != null ? r.signal().name() : r.errno().name(), state);
    }
}
