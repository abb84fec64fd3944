package org.pcmdmabuf.model;

/** enum dma_data_direction (include/linux/dma-direction.h). */
public enum DmaDirection {
    BIDIRECTIONAL, TO_DEVICE, FROM_DEVICE
}
