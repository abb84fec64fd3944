package org.pcmdmabuf.script;

import java.util.List;
import org.pcmdmabuf.model.PcmHardware;

/**
 * A parsed op script: its devices and processes in declaration order, then its ops, and the groups of
 * consecutive ops that are in flight together ({@link Concurrent}, docs/op-scripts.md "Concurrent ops").
 */
public record Script(List<PcmHardware> devices, List<String> procs, List<Op> ops, List<Concurrent> concurrent) {
    public Script {
        devices = List.copyOf(devices);
        procs = List.copyOf(procs);
        ops = List.copyOf(ops);
        concurrent = List.copyOf(concurrent);
        int end = 0;
        for (Concurrent c : concurrent) {
            if (c.first() < end || c.first() + c.size() > ops.size()) {
                throw new IllegalArgumentException("concurrent group at line " + c.line()
                        + " overlaps another or runs past the last op");
            }
            end = c.first() + c.size();
        }
    }

    /** A script whose ops run one after another. */
    public Script(List<PcmHardware> devices, List<String> procs, List<Op> ops) {
        this(devices, procs, ops, List.of());
    }

    /**
     * Ops {@code first} to {@code first + size - 1} of the script, written between {@code concurrently} (at
     * {@code line}) and {@code end}: each runs in a task of its own and all are in flight at once, so any
     * sequential order of them is a correct result (linearizability), and none other.
     */
    public record Concurrent(int line, int first, int size) {
        public Concurrent {
            if (size < 2) {
                throw new IllegalArgumentException("a concurrent group holds at least two ops");
            }
        }

        public boolean contains(int index) {
            return index >= first && index < first + size;
        }
    }

    /** The group op {@code index} belongs to, or null when it runs alone. */
    public Concurrent groupOf(int index) {
        for (Concurrent c : concurrent) {
            if (c.contains(index)) {
                return c;
            }
        }
        return null;
    }

    /** This script with its ops in the order given: the same devices, processes and groups. */
    public Script reordered(List<Op> order) {
        if (order.size() != ops.size()) {
            throw new IllegalArgumentException("a reordering keeps every op");
        }
        return new Script(devices, procs, order, concurrent);
    }
}
