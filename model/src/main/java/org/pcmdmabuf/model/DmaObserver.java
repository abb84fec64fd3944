package org.pcmdmabuf.model;

/** What the hardware side reports to whoever checks the data (the simulator); the model ignores it. */
public interface DmaObserver {
    /**
     * A playback DMA consumed the frame at hw position {@code frame} (hw_ptr space) and read these words.
     */
    default void played(Substream s, long frame, long[] words) {
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
