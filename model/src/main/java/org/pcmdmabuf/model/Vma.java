package org.pcmdmabuf.model;

/**
 * struct vm_area_struct of a shared mapping of PCM data or of a dma-buf. It holds its file (vm_file) and the
 * buffer memory it maps, so neither goes while it is mapped, unless revocation zapped it.
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
    /** Bytes mapped, page-aligned; a munmap of its tail makes it shorter ({@link Vfs}). */
    long length;
    public final boolean read;
    public final boolean write;
    boolean unmapped;
    /**
     * Revocation zapped its pages (LIFETIME-REVOKE-ZAP): it no longer holds the buffer, and an access faults
     * with SIGBUS. The mapping itself, and its reference on the file, stay until munmap.
     */
    boolean zapped;
    /** The dma-buf driver's handle of a dma-buf mapping ({@link DmabufDriver#mmap}), given back at munmap. */
    long driverHandle;
    /** The pages get_user_pages() pinned through it and its task has not released; they outlive munmap. */
    long pins;

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

    public long length() {
        return length;
    }

    /** The dma-buf driver's handle of this mapping, 0 for a mapping of a PCM file. */
    public long driverHandle() {
        return driverHandle;
    }

    public boolean zapped() {
        return zapped;
    }

    public DmaBuf dmaBuf() {
        return file.privateData instanceof DmaBuf d ? d : null;
    }
}
