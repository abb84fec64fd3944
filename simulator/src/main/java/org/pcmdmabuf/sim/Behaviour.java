package org.pcmdmabuf.sim;

import java.util.Locale;

/** How a simulated client behaves. */
public enum Behaviour {
    /** Maps the dma-buf, syncs around every access, keeps the ring full from the true position. */
    CORRECT,
    /** Like correct, but never issues DMA_BUF_SYNC_END|WRITE: its writes can stay in the cache. */
    FORGET_END_WRITE,
    /** Like correct (capture), but never issues DMA_BUF_SYNC_START|READ: it can read stale lines. */
    FORGET_START_READ,
    /** Like correct, but each wake-up comes late by a random jitter. */
    LATE,
    /** AAudio-style: predicts the hardware position from its own clock and is never told the real one. */
    TIMING_MODEL,
    /** The classic path: hands its data to the server, which copies it into the buffer. */
    COPY_THROUGH_SERVER,
    /** Correct until it crashes at a random time mid-stream. */
    CRASH,
    /** Correct data, but also bad ioctls, bad mmap ranges, bad sync flags, and a random close. */
    HOSTILE;

    /** The name as the CLI spells it: lower case with dashes. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Behaviour fromCli(String s) {
        for (Behaviour b : values()) {
            if (b.cliName().equals(s)) {
                return b;
            }
        }
        return null;
    }
}
