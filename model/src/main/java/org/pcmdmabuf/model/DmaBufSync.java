package org.pcmdmabuf.model;

/** struct dma_buf_sync flags (include/uapi/linux/dma-buf.h). */
public final class DmaBufSync {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int RW = READ | WRITE;
    public static final int START = 0;
    public static final int END = 4;
    public static final int VALID_FLAGS_MASK = RW | END;

    private DmaBufSync() {
    }
}
