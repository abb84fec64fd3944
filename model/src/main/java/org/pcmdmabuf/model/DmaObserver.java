package org.pcmdmabuf.model;

/** What the hardware side reports to whoever checks the data (the simulator); the model ignores it. */
public interface DmaObserver {
    /**
     * The DMA of {@code s} is about to run for {@code ns} nanoseconds of CPU time; {@code clock} times the frames it
     * moves in them (the first frame played or captured after this call is the advance's frame 1). A clock of null:
     * an advance by frames, which has no time.
     */
    default void advancing(Substream s, long ns, DmaClock clock) {
    }

    /**
     * A playback DMA consumed {@code frames} frames from hw position {@code firstFrame} (hw_ptr space), reading
     * {@code words}: {@code wordsPerFrame} words per frame, valid up to {@code frames * wordsPerFrame}.
     */
    default void played(Substream s, long firstFrame, int frames, long[] words, int wordsPerFrame) {
    }

    /** A capture DMA wrote the frame at hw position {@code frame}. */
    default void captured(Substream s, long frame) {
    }

    /** The stream stopped in XRUN (stop_threshold reached, or the XRUN ioctl). */
    default void xrun(Substream s) {
    }

    /** A period interrupt was handled for {@code s} (snd_pcm_period_elapsed()). */
    default void periodElapsed(Substream s) {
    }

    DmaObserver NONE = new DmaObserver() {
    };
}
