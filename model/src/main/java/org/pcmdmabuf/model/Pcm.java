package org.pcmdmabuf.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One PCM device of one direction on its own card (struct snd_pcm plus the card state the ops touch:
 * disconnect). Substreams are numbered from 0 as the kernel numbers subdevices.
 */
public final class Pcm {
    public final PcmHardware hw;
    final World world;
    final List<Substream> substreams = new ArrayList<>();
    boolean disconnected;

    Pcm(World world, PcmHardware hw) {
        this.world = world;
        this.hw = hw;
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

    public boolean disconnected() {
        return disconnected;
    }
}
