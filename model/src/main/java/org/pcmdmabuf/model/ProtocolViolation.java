package org.pcmdmabuf.model;

/**
 * A client broke the cache-sync or ownership protocol. On real non-coherent hardware this is wrong audio,
 * not an error return, so the model records it instead of refusing the op.
 *
 * @param rule   a stable name, e.g. {@code missing-end-write}
 * @param op     index of the op in the trace that broke it
 */
public record ProtocolViolation(String rule, String detail, long op) {
    public static final String MISSING_END_WRITE = "missing-end-write";
    public static final String MISSING_START_READ = "missing-start-read";
    public static final String WRITE_OUTSIDE_WINDOW = "cpu-write-outside-sync-window";
    public static final String APPL_PTR_OUT_OF_WINDOW = "appl-ptr-out-of-window";
    public static final String CPU_TOUCHED_DMA_FRAMES = "cpu-touched-dma-frames";
}
