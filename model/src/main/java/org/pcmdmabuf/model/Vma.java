package org.pcmdmabuf.model;

/**
 * struct vm_area_struct of a shared mapping of PCM data or of a dma-buf. It holds its file (vm_file) and the
 * buffer memory it maps, so neither goes while it is mapped.
 *
 * @param substream the PCM whose mmap_count it raises, for a PCM-fd data mapping; null for a dma-buf mapping
 */
public final class Vma {
    public final int id;
    public final Task task;
    public final File file;
    public final SndDmaBuffer buffer;
    public final Substream substream;
    public final long offset;
    public final long length;
    public final boolean read;
    public final boolean write;
    boolean unmapped;

    Vma(int id, Task task, File file, SndDmaBuffer buffer, Substream substream, long offset, long length,
        boolean read, boolean write) {
        this.id = id;
        this.task = task;
        this.file = file;
        this.buffer = buffer;
        this.substream = substream;
        this.offset = offset;
        this.length = length;
        this.read = read;
        this.write = write;
    }

    public DmaBuf dmaBuf() {
        return file.privateData instanceof DmaBuf d ? d : null;
    }
}
