package org.pcmdmabuf.model;

/** Live kernel objects: what op {@code leaks} prints, and what must all be 0 once every process exited. */
public record Leaks(int files, int dmabufs, int attachments, int mappings, int buffers) {
    public boolean none() {
        return files == 0 && dmabufs == 0 && attachments == 0 && mappings == 0 && buffers == 0;
    }
}
