package org.pcmdmabuf.model;

/**
 * struct dma_buf_attachment of a PCM's device to a dma-buf, mapped for the stream's direction while
 * attached. It holds a reference on the dma-buf (its file) from ATTACH to DETACH.
 */
public final class Attachment {
    public final int id;
    public final DmaBuf dmaBuf;
    public final Substream substream;
    public final DmaDirection direction;
    boolean mapped;
    /**
     * dma_buf_map_attachment() made a streaming DMA mapping (dma_map_sgtable()) of the memory for the device;
     * none for the substream's own export, whose memory the device already owns (ATTACH-OWN-NO-MAPPING).
     */
    boolean streaming;
    /**
     * A revocation of the dma-buf stopped the substream (LIFETIME-REVOKE-DETACH): the attachment stays until the
     * substream's next PREPARE, ATTACH, DETACH, HW_PARAMS, HW_FREE or close drops it, and nothing starts the
     * stream on it meanwhile.
     */
    boolean revoked;

    Attachment(int id, DmaBuf dmaBuf, Substream substream, DmaDirection direction) {
        this.id = id;
        this.dmaBuf = dmaBuf;
        this.substream = substream;
        this.direction = direction;
    }

    /** Whether ATTACH made a streaming DMA mapping of the memory for the device (see {@link #streaming}). */
    public boolean streaming() {
        return streaming;
    }

    /** Whether a revocation left the attachment for the substream to drop (see {@link #revoked}). */
    public boolean revoked() {
        return revoked;
    }

    /** The device's DMA sees the CPU's writes without syncs (a coherent device that does not bounce). */
    public boolean coherent() {
        return substream.pcm.hw.syncFree();
    }
}
