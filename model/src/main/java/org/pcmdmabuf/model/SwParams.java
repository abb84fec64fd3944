package org.pcmdmabuf.model;

/** The sw_params fields an op script can set; null keeps the current value. */
public record SwParams(Long startThreshold, Long stopThreshold, Long availMin) {
    /** Stands for runtime->boundary, which the caller cannot know before hw_params ran. */
    public static final long BOUNDARY = -1;
}
