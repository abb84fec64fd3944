package org.pcmdmabuf.model;

import java.util.Locale;

/**
 * How a driver gets and keeps its PCM buffer (PLAT-DRIVER-PROFILES of docs/spec.md): whether the memory is
 * runtime-private (handed over to an export when the runtime lets it go, LIFETIME-HANDOVER) or reused by the
 * driver or card (revoked, LIFETIME-REVOKE), and whether the driver keeps addresses that ATTACH must tell it
 * about (ATTACH-DRIVER-TOLD).
 */
public enum DriverProfile {
    /**
     * snd_pcm_set_managed_buffer() without preallocation (sound/core/pcm_memory.c): the core allocates the
     * buffer at HW_PARAMS for this runtime alone, as snd-dummy and snd-aloop do.
     */
    MANAGED,
    /**
     * A managed buffer with preallocation: snd_pcm_lib_malloc_pages() hands every runtime the substream's
     * preallocated {@code dma_buffer} when it is big enough, so the memory outlives the runtime.
     */
    PREALLOC,
    /** A fixed preallocated buffer ({@code dma_max == 0}): never reallocated, reused by every runtime. */
    FIXED,
    /** Keeps {@code substream->dma_buffer.addr} from open or HW_PARAMS (sound/soc/qcom/qdsp6/q6apm-dai.c, fsl_dma.c). */
    KEEPS_ADDR,
    /** Builds DMA descriptors or a DSP page table at HW_PARAMS (sound/pci/atiixp.c, via82xx.c, SOF). */
    DESCRIPTORS,
    /**
     * A managed buffer whose driver gives the PCM's mmap its pages through a {@code page} callback, as ASoC does
     * for every PCM with a component that has one (sound/soc/soc-pcm.c, snd_soc_pcm_component_page()): the pages
     * the driver names need not be those of the buffer the core describes.
     */
    PAGE,
    /**
     * A managed buffer whose driver maps the PCM's data area with its own {@code mmap} callback, as
     * sound/soc/uniphier/aio-dma.c does (uniphier_aiodma_mmap(): remap_pfn_range() write-combined, whatever
     * the buffer type): other memory attributes than snd_dma_buffer_mmap() gives the buffer type.
     */
    OWN_MMAP;

    /** As op scripts spell it: {@code keeps-addr}. */
    public String scriptName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the runtime's buffer is memory the driver or card reuses after the runtime lets it go. */
    public boolean reusesMemory() {
        return this == PREALLOC || this == FIXED || this == KEEPS_ADDR;
    }

    /**
     * Whether the driver maps its buffer to user space itself: a dma-buf mapping of it, made as the buffer type
     * is mapped (snd_dma_buffer_mmap(), sound/core/memalloc.c), could name other memory or other memory
     * attributes than the PCM's own mmap, so EXPORT refuses it (EXPORT-ENXIO-DRIVER-MMAP).
     */
    public boolean mapsItself() {
        return this == PAGE || this == OWN_MMAP;
    }

    /**
     * Whether the driver's DMA runs where the driver programmed it (descriptors or a page table built at
     * HW_PARAMS) rather than from {@code runtime->dma_addr} read at each trigger: then only telling the driver
     * moves the DMA to other memory (ATTACH-DRIVER-TOLD).
     */
    public boolean programsAtHwParams() {
        return this == DESCRIPTORS;
    }

    /**
     * Whether the driver can take other memory once it runs: one that keeps an address from open (a DSP's
     * memory map set up with the stream, as q6apm_map_memory_regions() at open in sound/soc/qcom/qdsp6/
     * q6apm-dai.c) cannot be reprogrammed for ATTACH, so ATTACH gives ENXIO (docs/decisions.md, decision 3d).
     */
    public boolean canReprogram() {
        return this != KEEPS_ADDR;
    }
}
