package org.pcmdmabuf.model;

/**
 * Live kernel objects and the bytes charged to the cards for buffer memory (the sum over every card's
 * total_pcm_alloc_bytes): what op {@code leaks} prints, and what must all be 0 once every process exited
 * (LIFETIME-NO-LEAK, LIFETIME-NO-CHARGE). {@code paths} are the O_PATH files among {@code files}: each holds a
 * path reference ({@link PathFile}), which keeps a dma-buf whose file went (PLAT-FILE-LIFETIME).
 */
public record Leaks(int files, int dmabufs, int attachments, int mappings, int buffers, long charged, int paths) {
    public boolean none() {
        return files == 0 && dmabufs == 0 && attachments == 0 && mappings == 0 && buffers == 0 && charged == 0
                && paths == 0;
    }
}
