package org.pcmdmabuf.model;

/** SNDRV_PCM_STREAM_PLAYBACK / _CAPTURE. */
public enum PcmStream {
    PLAYBACK, CAPTURE;

    /** The DMA direction of a mapping for this stream (enum dma_data_direction). */
    public DmaDirection dmaDirection() {
        return this == PLAYBACK ? DmaDirection.TO_DEVICE : DmaDirection.FROM_DEVICE;
    }
}
