package org.pcmdmabuf.sim;

import org.pcmdmabuf.model.World;

/**
 * What the simulated processes run on, as {@link Simulation} wires it: the model kernel (read directly only for
 * what a process sees without a system call, a substream's pointers), its system calls, virtual time, the
 * integrity checker that sees every frame the DMA engine moves, the trace, and the scenario that sized them.
 */
record Machine(Scenario scenario, World world, Syscalls sys, EventLoop loop, Integrity integrity, TraceLog trace) {
}
