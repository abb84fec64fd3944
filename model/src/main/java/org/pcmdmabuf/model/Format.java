package org.pcmdmabuf.model;

/** snd_pcm_format_t, with the physical width snd_pcm_format_physical_width() reports (sound/core/pcm_misc.c). */
public enum Format {
    S8(8), U8(8), S16_LE(16), S16_BE(16), U16_LE(16), S24_LE(32), S24_3LE(24), S32_LE(32), S32_BE(32),
    FLOAT_LE(32), FLOAT64_LE(64);

    public final int physicalWidth;

    Format(int physicalWidth) {
        this.physicalWidth = physicalWidth;
    }
}
