package org.pcmdmabuf.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * struct dma_buf exported by a PCM (drivers/dma-buf/dma-buf.c). It has exactly one struct file; every fd,
 * every mapping, every attachment and the exporting runtime (from EXPORT until HW_FREE, HW_PARAMS or close
 * lets the buffer go: EXPORT-COUNTED-REF) is a counted reference on that file, and dma_buf_release() runs
 * when it drops to zero. No weak pointer reaches it: a released dma-buf is reachable from nothing.
 */
public final class DmaBuf implements FilePrivate {
    public final int id;
    public final SndDmaBuffer buffer;
    /** PAGE_ALIGN(runtime->dma_bytes) at export. */
    public final long size;
    /** The PCM device that exported it; its disconnect orphans this dma-buf. */
    public final Pcm exporterPcm;
    File file;
    /**
     * The exporting substream while its runtime still owns the memory and holds its counted reference; cleared
     * by hw_free, hw_params, close (a card disconnect revokes the dma-buf but leaves both until close).
     */
    Substream exporter;
    final List<Attachment> attachments = new ArrayList<>();
    /** Revision 1's answer to a card disconnect: orphaned, its memory kept (kernel-patch decisions 10-11). */
    boolean disconnected;
    /**
     * Revoked (LIFETIME-REVOKE, LIFETIME-DISCONNECT): the memory went back to its owner, so the dma-buf holds
     * no buffer reference any more, every mapping of it was zapped and every importer detached.
     */
    boolean revoked;
    boolean released;
    /**
     * Path references on the dma-buf's dentry ({@link PathFile}s): while there is one, the release waits for the
     * last to go, even with the file released (PLAT-FILE-LIFETIME).
     */
    int pathRefs;
    /**
     * A vendor's buffer fd (SNDRV_PCM_IOCTL_MMAP_DATA_FD, docs/spec.md DESIGN-BUFFER-FD-*) rather than a
     * dma-buf of this feature: it maps the ring buffer and answers no cache maintenance ioctl.
     */
    boolean plain;

    DmaBuf(int id, SndDmaBuffer buffer, long size, Pcm exporterPcm, Substream exporter) {
        this.id = id;
        this.buffer = buffer;
        this.size = size;
        this.exporterPcm = exporterPcm;
        this.exporter = exporter;
    }

    public File file() {
        return file;
    }

    public Substream exporter() {
        return exporter;
    }

    public List<Attachment> attachments() {
        return Collections.unmodifiableList(attachments);
    }

    public boolean plain() {
        return plain;
    }

    public boolean released() {
        return released;
    }

    public boolean revoked() {
        return revoked;
    }

    /**
     * Live while a device uses its memory: the exporting runtime still owns it, or an attachment is mapped.
     * Once orphaned it stays so, since an orphaned dma-buf refuses new attachments.
     */
    public boolean live() {
        if (released || disconnected || revoked) {
            return false;
        }
        if (exporter != null) {
            return true;
        }
        for (Attachment a : attachments) {
            if (a.mapped) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "dmabuf#" + id + "(" + size + "B, " + (live() ? "live" : revoked ? "revoked" : "orphaned") + ")";
    }
}
