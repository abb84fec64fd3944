package org.pcmdmabuf.model;

/** What the hardware side reports to whoever checks the data (the simulator); the model ignores it. */
public interface DmaObserver {
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
