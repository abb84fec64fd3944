package org.pcmdmabuf.model;

/**
 * struct file. Its reference count (f_count) is held by fd-table entries, mappings (vm_file), in-flight
 * attachments (a dma-buf's reference is its file's) and nothing else. At zero, release runs.
 */
public final class File {
    public final int id;
    public final FilePrivate privateData;
    public final boolean readable;
    public final boolean writable;
    public final boolean nonblock;
    public final boolean append;
    private int count = 1;
    private boolean released;
    /**
     * The role SNDRV_PCM_IOCTL_RESTRICT narrowed this PCM file to (docs/spec.md DESIGN-RESTRICT-*), null for a
     * file with every right. A property of the struct file, not of the fd, so dup and SCM_RIGHTS pass it on.
     */
    PcmRole role;

    File(int id, FilePrivate privateData, boolean readable, boolean writable, boolean nonblock, boolean append) {
        this.id = id;
        this.privateData = privateData;
        this.readable = readable;
        this.writable = writable;
        this.nonblock = nonblock;
        this.append = append;
    }

    public PcmRole role() {
        return role;
    }

    public int count() {
        return count;
    }

    public boolean released() {
        return released;
    }

    /** get_file(). */
    void get() {
        if (released) {
            throw new InvariantViolation("get_file on released file " + id);
        }
        count++;
    }

    /** fput(); returns true when the caller must run release. */
    boolean put() {
        if (released || count <= 0) {
            throw new InvariantViolation("fput on released file " + id);
        }
        if (--count == 0) {
            released = true;
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        String kind = switch (privateData) {
            case DmaBuf d -> "dma-buf";
            case PcmFile p -> "pcm";
            case PathFile p -> "O_PATH";
        };
        return "file#" + id + "(" + kind + ", count " + count + ")";
    }
}
