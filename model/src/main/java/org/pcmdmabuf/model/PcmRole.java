package org.pcmdmabuf.model;

/**
 * The roles of the hypothetical SNDRV_PCM_IOCTL_RESTRICT (docs/spec.md DESIGN-RESTRICT-*): the producer of a
 * playback stream's data or the consumer of a capture stream's, as Jaroslav Kysela's reply to the 2019 RFC
 * proposed instead of a dma-buf.
 */
public enum PcmRole {
    PRODUCER, CONSUMER;

    /** The stream direction whose data this role moves: a producer feeds playback, a consumer drains capture. */
    PcmStream stream() {
        return this == PRODUCER ? PcmStream.PLAYBACK : PcmStream.CAPTURE;
    }
}
