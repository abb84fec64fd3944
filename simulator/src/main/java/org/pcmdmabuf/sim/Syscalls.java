package org.pcmdmabuf.sim;

import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.PcmRole;
import org.pcmdmabuf.model.Result;
import org.pcmdmabuf.model.SwParams;
import org.pcmdmabuf.model.Task;
import org.pcmdmabuf.model.Vma;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.Op;

/**
 * The system calls simulated processes make, each one passed to the model and written down by the
 * {@link ScriptRecorder}, so a run can be replayed (and minimized) as an op script.
 */
final class Syscalls {
    private final World w;
    private final ScriptRecorder rec;

    Syscalls(World w, ScriptRecorder rec) {
        this.w = w;
        this.rec = rec;
    }

    /** The value of a call the simulated processes cannot go on without: its failure is the simulator's bug. */
    static <T> T ok(Result<T> r, String what) {
        if (!r.isOk()) {
            throw new IllegalStateException("simulation setup step failed: " + what + ": " + r.errno());
        }
        return r.value();
    }

    private static String fd(int fd) {
        return "fd" + fd;
    }

    private static String map(Vma v) {
        return v == null ? "nomap" : "m" + v.id;
    }

    Result<Long> open(Task t, String dev) {
        Result<Long> r = w.open(t, dev, false, false, false);
        rec.add(l -> new Op.Open(l, t.name, dev, false, false, false, ScriptRecorder.fd(r.isOk() ? r.value() : -1, l)));
        return r;
    }

    /** A second open of a PCM with O_APPEND: a new file on the same substream (the restricted design). */
    Result<Long> openAppend(Task t, String dev) {
        Result<Long> r = w.open(t, dev, true, false, false);
        rec.add(l -> new Op.Open(l, t.name, dev, true, false, false, ScriptRecorder.fd(r.isOk() ? r.value() : -1, l)));
        return r;
    }

    Result<Long> restrict(Task t, int fd, PcmRole role) {
        rec.add(l -> new Op.Restrict(l, t.name, fd(fd), role));
        return w.restrict(t, fd, role);
    }

    Result<Long> bufferFd(Task t, int fd) {
        Result<Long> r = w.bufferFd(t, fd);
        rec.add(l -> new Op.BufferFd(l, t.name, fd(fd), ScriptRecorder.fd(r.isOk() ? r.value() : -1, l)));
        return r;
    }

    /** SYNC_PTR writing appl_ptr: the PCM core cleans the buffer for the device after it. */
    Result<Long> syncPtr(Task t, int fd, long applPtr) {
        rec.add(l -> new Op.SyncPtr(l, t.name, fd(fd), applPtr));
        return w.syncPtr(t, fd, applPtr);
    }

    Result<Long> hwParams(Task t, int fd, HwParams p) {
        rec.add(l -> new Op.HwParamsOp(l, t.name, fd(fd), p));
        return w.hwParams(t, fd, p);
    }

    Result<Long> swParams(Task t, int fd, SwParams p) {
        rec.add(l -> new Op.SwParamsOp(l, t.name, fd(fd), p));
        return w.swParams(t, fd, p);
    }

    Result<Long> simple(Task t, String name, int fd) {
        rec.add(l -> new Op.Simple(l, t.name, name, fd(fd)));
        return switch (name) {
            case "prepare" -> w.prepare(t, fd);
            case "start" -> w.start(t, fd);
            case "drop" -> w.drop(t, fd);
            case "hw_free" -> w.hwFree(t, fd);
            case "hwsync" -> w.hwsync(t, fd);
            default -> throw new IllegalArgumentException(name);
        };
    }

    Result<Long> pause(Task t, int fd, boolean push) {
        rec.add(l -> new Op.Pause(l, t.name, fd(fd), push));
        return w.pause(t, fd, push);
    }

    Result<Long> writei(Task t, int fd, long frames, int source) {
        rec.add(l -> new Op.Xfer(l, t.name, "writei", fd(fd), frames));
        return w.xferi(t, fd, frames, source);
    }

    Result<Long> dmabufExport(Task t, int fd) {
        Result<Long> r = w.dmabufExport(t, fd);
        rec.add(l -> new Op.DmabufExport(l, t.name, fd(fd), ScriptRecorder.fd(r.isOk() ? r.value() : -1, l)));
        return r;
    }

    Result<Long> dmabufAttach(Task t, int fd, int dmabufFd) {
        rec.add(l -> new Op.DmabufAttach(l, t.name, fd(fd), fd(dmabufFd)));
        return w.dmabufAttach(t, fd, dmabufFd);
    }

    Result<Long> dmabufDetach(Task t, int fd) {
        rec.add(l -> new Op.DmabufDetach(l, t.name, fd(fd)));
        return w.dmabufDetach(t, fd);
    }

    Result<Long> send(Task from, int fd, Task to) {
        Result<Long> r = w.send(from, fd, to);
        rec.add(l -> new Op.Send(l, from.name, fd(fd), to.name, ScriptRecorder.fd(r.isOk() ? r.value() : -1, l)));
        return r;
    }

    Result<Vma> mmap(Task t, int fd, long off, long len, boolean read, boolean write) {
        Result<Vma> r = w.mmap(t, fd, off, len, read, write);
        rec.add(l -> new Op.Mmap(l, t.name, fd(fd), off, len, read, write, r.isOk() ? map(r.value()) : "badm" + l));
        return r;
    }

    Result<Long> munmap(Task t, Vma v) {
        rec.add(l -> new Op.Munmap(l, t.name, map(v)));
        return w.munmap(t, v);
    }

    Result<Long> write(Task t, Vma v, long off, long len, long[] values) {
        rec.add(l -> new Op.MapAccess(l, t.name, "fill", map(v), off, len));
        return w.write(t, v, off, len, values);
    }

    Result<long[]> read(Task t, Vma v, long off, long len) {
        rec.add(l -> new Op.MapAccess(l, t.name, "check", map(v), off, len));
        return w.read(t, v, off, len);
    }

    Result<Long> sync(Task t, int fd, long flags) {
        rec.add(l -> new Op.Sync(l, t.name, fd(fd), flags));
        return w.dmaBufSync(t, fd, flags);
    }

    Result<Long> close(Task t, int fd) {
        rec.add(l -> new Op.Close(l, t.name, fd(fd)));
        return w.close(t, fd);
    }

    Result<Long> exit(Task t) {
        rec.add(l -> new Op.Exit(l, t.name));
        return w.exit(t);
    }
}
