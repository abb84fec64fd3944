package org.pcmdmabuf.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Script;

/**
 * Writes down what a simulated run did as an op script: every system call and memory access in order, with
 * {@code advance} for the virtual time between them. Random cache events are not ops; a script replays the
 * run on a cache without them, which is what a minimized reproducer needs.
 */
public class ScriptRecorder {
    /** Records nothing (a run that is not being explored). */
    public static final ScriptRecorder NONE = new ScriptRecorder(null) {
        @Override
        void add(IntFunction<Op> op) {
        }
    };

    private final EventLoop loop;
    private final List<Op> ops = new ArrayList<>();
    private long lastNs;
    private int line;

    public ScriptRecorder(EventLoop loop) {
        this.loop = loop;
    }

    void add(IntFunction<Op> op) {
        long now = loop.now();
        if (now > lastNs) {
            ops.add(new Op.Advance(++line, now - lastNs, null));
            lastNs = now;
        }
        ops.add(op.apply(++line));
    }

    public Script script(List<PcmHardware> devices, List<String> procs) {
        return new Script(devices, procs, ops);
    }

    /** The script name of an fd, or of a failed call's result. */
    static String fd(long fd, int line) {
        return fd >= 0 ? "fd" + fd : "bad" + line;
    }
}
