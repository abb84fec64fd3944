package org.pcmdmabuf.model;

import java.util.EnumSet;
import java.util.Set;

/**
 * What a PCM device declares: struct snd_pcm_hardware (include/sound/pcm.h) plus the two DMA properties
 * the dma-buf rules depend on (coherent, contiguous), the substream count, and the platform it sits on
 * (section 3 of docs/spec.md).
 *
 * @param coherent   DMA snoops CPU caches, so syncs cost nothing
 * @param contiguous the device needs physically contiguous memory, and allocates it
 * @param buffer     the memory its buffers are (PLAT-BUFFER-TYPES)
 * @param iommu      device addresses are IOVAs of a translating IOMMU (PLAT-IOMMU)
 * @param bounce     streaming mappings bounce through swiotlb slots (PLAT-BOUNCE)
 * @param driver     how the driver gets and keeps its buffer (PLAT-DRIVER-PROFILES)
 * @param optIn      what of buffer sharing the driver opted in to (EXPORT-ENXIO-OPT-IN, ATTACH-ENXIO)
 * @param cpuMover   the driver's CPU moves the data through the kernel mapping although its device has a DMA
 *                   mask and a device buffer type (sound/drivers/pcmtest.c: a platform device, whose
 *                   platform_device_register() gives it a DMA mask, setup_pdev_dma_masks() in
 *                   drivers/base/platform.c; its timer copies through runtime->dma_area) (PLAT-BOUNCE)
 */
public record PcmHardware(
        String name,
        PcmStream stream,
        boolean coherent,
        boolean contiguous,
        int substreams,
        boolean pause,
        boolean resume,
        boolean mmap,
        boolean nonInterleaved,
        Set<Format> formats,
        int channelsMin,
        int channelsMax,
        int rateMin,
        int rateMax,
        long bufferBytesMax,
        long periodBytesMin,
        long periodBytesMax,
        int periodsMin,
        int periodsMax,
        BufferType buffer,
        boolean iommu,
        boolean bounce,
        DriverProfile driver,
        DmabufOptIn optIn,
        boolean cpuMover) {

    public PcmHardware {
        formats = Set.copyOf(formats);
        if (substreams < 1) {
            throw new IllegalArgumentException("substreams must be >= 1: " + substreams);
        }
        if (driver == DriverProfile.KEEPS_ADDR && optIn.attach()) {
            // the opt-in to ATTACH is the driver's promise to program the hardware from the runtime at prepare
            throw new IllegalArgumentException("a driver that keeps its buffer's address from open cannot opt in to"
                    + " ATTACH (optin=export or optin=none)");
        }
        if (contiguous && buffer.scattered) {
            throw new IllegalArgumentException("a device that needs contiguous memory cannot use a "
                    + buffer.scriptName() + " buffer");
        }
    }

    /**
     * The declaration of sound/drivers/dummy.c (dummy_pcm_hardware): U8/S16_LE, 1-2 channels, 5500-48000 Hz,
     * 64 KiB buffer, periods 1-1024 of 64 bytes up; MMAP, interleaved only, RESUME but no PAUSE.
     * Non-coherent and contiguous as the script defaults say (SCRIPT-DEFAULTS).
     */
    public static PcmHardware dummy(String name, PcmStream stream) {
        return new PcmHardware(name, stream, false, true, 1, false, true, true, false,
                EnumSet.of(Format.U8, Format.S16_LE), 1, 2, 5500, 48000,
                64 * 1024, 64, 64 * 1024, 1, 1024, BufferType.implied(false, true), false, false,
                DriverProfile.MANAGED, DmabufOptIn.ALL, false);
    }

    /**
     * Whether the CPU and this device see the same memory without syncs: a coherent device whose streaming
     * mappings do not bounce. Through swiotlb the device touches only its bounce slot, which only a sync or the
     * unmap copies (swiotlb_sync_single_for_device(), kernel/dma/swiotlb.c), so a skipped sync loses data even
     * on a coherent device (CACHE-COHERENT, PLAT-BOUNCE).
     */
    public boolean syncFree() {
        return cpuMovesData() || coherent && !bounce;
    }

    /**
     * Whether the CPU, not a DMA engine, moves this device's data: a VMALLOC buffer is memory no device DMAs
     * into (sound/core/memalloc.c, snd_dma_vmalloc_ops; its drivers, as sound/drivers/aloop.c or
     * sound/usb/pcm.c, copy with the CPU). Such a device reaches memory through the CPU's cache, gets no
     * streaming mapping of an attached dma-buf (no DMA-API device to map for, so no bounce slot) and owes no
     * cache maintenance (PLAT-BUFFER-TYPES, PLAT-BOUNCE). So does a driver that says so of a device with a DMA
     * mask ({@link #cpuMover}): whether a device moves the data is the driver's to state, not its DMA mask's.
     */
    public boolean cpuMovesData() {
        return buffer == BufferType.VMALLOC || cpuMover;
    }

    /** Whether the platform is the one scripts get by default: the buffer type its DMA properties imply. */
    public boolean defaultPlatform() {
        return buffer == BufferType.implied(coherent, contiguous) && !iommu && !bounce
                && driver == DriverProfile.MANAGED && optIn == DmabufOptIn.ALL && !cpuMover;
    }

    public Builder toBuilder() {
        Builder b = new Builder(name, stream);
        b.coherent = coherent;
        b.contiguous = contiguous;
        b.substreams = substreams;
        b.pause = pause;
        b.resume = resume;
        b.mmap = mmap;
        b.nonInterleaved = nonInterleaved;
        b.formats = EnumSet.copyOf(formats);
        b.channelsMin = channelsMin;
        b.channelsMax = channelsMax;
        b.rateMin = rateMin;
        b.rateMax = rateMax;
        b.bufferBytesMax = bufferBytesMax;
        b.periodBytesMin = periodBytesMin;
        b.periodBytesMax = periodBytesMax;
        b.periodsMin = periodsMin;
        b.periodsMax = periodsMax;
        b.buffer = buffer == BufferType.implied(coherent, contiguous) ? null : buffer;
        b.iommu = iommu;
        b.bounce = bounce;
        b.driver = driver;
        b.optIn = optIn;
        b.cpuMover = cpuMover;
        return b;
    }

    /** Declaration options as op scripts and tests set them; starts from {@link #dummy}. */
    public static final class Builder {
        public final String name;
        public final PcmStream stream;
        public boolean coherent;
        public boolean contiguous;
        public int substreams;
        public boolean pause;
        public boolean resume;
        public boolean mmap;
        public boolean nonInterleaved;
        public Set<Format> formats;
        public int channelsMin;
        public int channelsMax;
        public int rateMin;
        public int rateMax;
        public long bufferBytesMax;
        public long periodBytesMin;
        public long periodBytesMax;
        public int periodsMin;
        public int periodsMax;
        /** null: the type {@link BufferType#implied} by coherent and contiguous. */
        public BufferType buffer;
        public boolean iommu;
        public boolean bounce;
        public DriverProfile driver;
        public DmabufOptIn optIn;
        /** The driver's CPU moves the data of a device with a DMA mask (mover=cpu). */
        public boolean cpuMover;

        private Builder(String name, PcmStream stream) {
            this.name = name;
            this.stream = stream;
        }

        /** Applies {@code edit} to this builder; for declaring a device in one expression. */
        public Builder with(java.util.function.Consumer<Builder> edit) {
            edit.accept(this);
            return this;
        }

        public PcmHardware build() {
            return new PcmHardware(name, stream, coherent, contiguous, substreams, pause, resume, mmap,
                    nonInterleaved, formats, channelsMin, channelsMax, rateMin, rateMax, bufferBytesMax,
                    periodBytesMin, Math.min(periodBytesMax, bufferBytesMax), periodsMin, periodsMax,
                    buffer == null ? BufferType.implied(coherent, contiguous) : buffer, iommu, bounce, driver, optIn,
                    cpuMover);
        }
    }

    /** Whether the hardware offers this access; without SNDRV_PCM_INFO_MMAP the MMAP accesses are refined away. */
    public boolean supports(Access access) {
        if (access.isMmap() && !mmap) {
            return false;
        }
        return access.isInterleaved() || nonInterleaved;
    }
}
