package org.pcmdmabuf.model;

import java.util.List;

import static org.pcmdmabuf.model.PcmState.DISCONNECTED;
import static org.pcmdmabuf.model.PcmState.DRAINING;
import static org.pcmdmabuf.model.PcmState.RUNNING;

/**
 * struct snd_pcm_substream: one stream of a {@link Pcm}, its open count and its runtime while open. What the
 * PCM core does to it lives with the kernel file that does it: {@link PcmNative} (sound/core/pcm_native.c:
 * the ioctls, suspend, release), {@link PcmLib} (sound/core/pcm_lib.c: hw_ptr, xrun, read/write); the
 * device's DMA moving under it is the simulation's {@link PcmDmaEngine}.
 */
public final class Substream {
    /** PAGE_SIZE of x86_64 and arm64 4K kernels. */
    public static final long PAGE_SIZE = 4096;

    public final Pcm pcm;
    public final int number;
    public final PcmStream stream;
    /** Opens sharing this substream (O_APPEND adds to the first); the runtime lives while it is above 0. */
    int refCount;
    PcmRuntime runtime;
    /** Live PCM-fd data mappings (substream->mmap_count); they block HW_PARAMS and HW_FREE. */
    int mmapCount;
    /** The group SNDRV_PCM_IOCTL_LINK put this substream in, null while it is not linked. */
    PcmGroup group;

    Substream(Pcm pcm, int number) {
        this.pcm = pcm;
        this.number = number;
        this.stream = pcm.hw.stream();
    }

    public PcmRuntime runtime() {
        return runtime;
    }

    public int mmapCount() {
        return mmapCount;
    }

    /** The group this substream is linked in, or null (snd_pcm_stream_linked() false). */
    public PcmGroup group() {
        return group;
    }

    /**
     * The substreams a trigger action on this one acts on (snd_pcm_action()): its group's members in list order
     * when linked, else itself.
     */
    List<Substream> actionMembers() {
        return group == null ? List.of(this) : group.members;
    }

    /** The state, or null when the substream is closed. */
    public PcmState state() {
        return runtime == null ? null : runtime.state;
    }

    /** include/sound/pcm.h: snd_pcm_running(): the DMA is moving. */
    boolean running() {
        return runtime.state == RUNNING || (runtime.state == DRAINING && stream == PcmStream.PLAYBACK);
    }

    /** sound/core/pcm_local.h: snd_pcm_avail(). */
    long avail() {
        return stream == PcmStream.PLAYBACK ? runtime.playbackAvail() : runtime.captureAvail();
    }

    /** sound/core/pcm.c: snd_pcm_dev_disconnect() for one substream. */
    void disconnect() {
        if (runtime != null) {
            runtime.dmaRunning = false;
            runtime.state = DISCONNECTED;
        }
    }

    @Override
    public String toString() {
        return pcm.name() + "/" + number;
    }
}
