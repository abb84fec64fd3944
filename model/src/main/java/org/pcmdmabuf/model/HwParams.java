package org.pcmdmabuf.model;

/**
 * A fully specified hw_params request. The model does not refine intervals: a request is either inside
 * the hardware's declared limits or refused with EINVAL, which is what snd_pcm_hw_refine() gives for a
 * single-valued request outside them.
 */
public record HwParams(Access access, Format format, int channels, int rate, long periodFrames, int periods) {

    public int frameBytes() {
        return format.physicalWidth * channels / 8;
    }

    public long bufferFrames() {
        return periodFrames * periods;
    }

    public long periodBytes() {
        return periodFrames * frameBytes();
    }

    public long bufferBytes() {
        return bufferFrames() * frameBytes();
    }

    /** The refine step of snd_pcm_hw_params() (sound/core/pcm_native.c) for a single-valued request. */
    public boolean fits(PcmHardware hw) {
        if (!hw.supports(access) || !hw.formats().contains(format)) {
            return false;
        }
        if (channels < hw.channelsMin() || channels > hw.channelsMax()) {
            return false;
        }
        if (rate < hw.rateMin() || rate > hw.rateMax()) {
            return false;
        }
        if (periods < hw.periodsMin() || periods > hw.periodsMax() || periodFrames < 1) {
            return false;
        }
        if (format.physicalWidth * channels % 8 != 0) {
            return false;
        }
        long pb = periodBytes();
        return pb >= hw.periodBytesMin() && pb <= hw.periodBytesMax() && bufferBytes() <= hw.bufferBytesMax();
    }
}
