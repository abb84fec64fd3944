package org.pcmdmabuf.model;

/** snd_pcm_access_t. */
public enum Access {
    MMAP_INTERLEAVED, MMAP_NONINTERLEAVED, RW_INTERLEAVED, RW_NONINTERLEAVED;

    public boolean isMmap() {
        return this == MMAP_INTERLEAVED || this == MMAP_NONINTERLEAVED;
    }

    public boolean isInterleaved() {
        return this == MMAP_INTERLEAVED || this == RW_INTERLEAVED;
    }
}
