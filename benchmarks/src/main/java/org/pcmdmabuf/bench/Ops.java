package org.pcmdmabuf.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Counts ops, model or lockstep; JMH reports them per second as the auxiliary counter {@code ops}. */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Ops {
    public long ops;

    @Setup(Level.Iteration)
    public void clear() {
        ops = 0;
    }
}
