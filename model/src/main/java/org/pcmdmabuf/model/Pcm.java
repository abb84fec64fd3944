package org.pcmdmabuf.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One PCM device of one direction on its own card (struct snd_pcm plus the card state the ops touch:
 * disconnect). Substreams are numbered from 0 as the kernel numbers subdevices.
 */
public final class Pcm {
    /** sound/core/pcm_memory.c: max_alloc_per_card, the module parameter's default (32 MiB). */
    public static final long MAX_ALLOC_PER_CARD = 32L << 20;

    public final PcmHardware hw;
    /** Declaration order in its world; numbers the capture stamps of its substreams. */
    public final int index;
    final World world;
    /** How much faster (positive) or slower the device's clock runs than the CPU's, in parts per million. */
    long driftPpm;
    final List<Substream> substreams = new ArrayList<>();
    boolean disconnected;
    /**
     * card->total_pcm_alloc_bytes: the bytes of every live buffer allocated for this card, charged at allocation
     * (do_alloc_pages()) and returned when the memory is freed, whoever holds it last (LIFETIME-CHARGED).
     */
    long totalPcmAllocBytes;

    Pcm(World world, PcmHardware hw, int index) {
        this.world = world;
        this.hw = hw;
        this.index = index;
        for (int i = 0; i < hw.substreams(); i++) {
            substreams.add(new Substream(this, i));
        }
    }

    public String name() {
        return hw.name();
    }

    public List<Substream> substreams() {
        return Collections.unmodifiableList(substreams);
    }

    /** Whether the card was disconnected (snd_card_disconnect()): its driver lets the device go after. */
    public boolean disconnected() {
        return disconnected;
    }

    public long totalPcmAllocBytes() {
        return totalPcmAllocBytes;
    }

    public long driftPpm() {
        return driftPpm;
    }

    /** Sets the device clock's drift against the CPU clock (a simulation parameter, not an op). */
    public void setDriftPpm(long ppm) {
        if (ppm <= -1_000_000) {
            throw new IllegalArgumentException("drift must be above -1000000 ppm: " + ppm);
        }
        this.driftPpm = ppm;
    }
}
