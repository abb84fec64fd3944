package org.pcmdmabuf.model;

import java.util.Locale;

/**
 * The kind of memory a PCM buffer is (struct snd_dma_buffer's {@code dev.type}, include/sound/memalloc.h), as
 * sound/core/memalloc.c allocates, maps and syncs each; the platform rule PLAT-BUFFER-TYPES of docs/spec.md.
 * The kernel's constants are kept so that a reader can find each one in memalloc.c.
 *
 * @param scattered whether the pages are scattered (DEV_SG, NONCONTIG, VMALLOC): a device without scatter-gather
 *                  cannot use such a buffer unless an IOMMU makes its device addresses contiguous
 * @param pages     whether the buffer has struct pages the core can describe in an sg table; a driver-private
 *                  fake buffer or iomem has none
 */
public enum BufferType {
    /** SNDRV_DMA_TYPE_CONTINUOUS: alloc_pages_exact() in the linear map, cached; memory no device DMAs into. */
    CONTINUOUS(1, false, true),
    /** SNDRV_DMA_TYPE_VMALLOC: vmalloc(), cached, mapped page by page (snd_dma_vmalloc_mmap()). */
    VMALLOC(7, true, true),
    /**
     * SNDRV_DMA_TYPE_DEV: dma_alloc_coherent(); uncached on a non-coherent device and remapped outside the
     * linear map by DMA_DIRECT_REMAP or an IOMMU (iommu_dma_alloc_remap()); mapped by dma_mmap_coherent().
     */
    DEV(2, false, true),
    /** SNDRV_DMA_TYPE_DEV_WC: dma_alloc_wc(), write-combined; mapped by dma_mmap_wc(). */
    DEV_WC(5, false, true),
    /** SNDRV_DMA_TYPE_DEV_SG: coherent pages gathered by snd_dma_sg_alloc(), which tries DEV first on x86. */
    DEV_SG(3, true, true),
    /** SNDRV_DMA_TYPE_NONCONTIG: dma_alloc_noncontiguous(), cached, synced with dma_sync_sgtable_for_*(). */
    NONCONTIG(8, true, true),
    /** SNDRV_DMA_TYPE_NONCOHERENT: dma_alloc_noncoherent(), contiguous, cached, synced with dma_sync_single_for_*(). */
    NONCOHERENT(9, false, true),
    /** A driver-private buffer with no struct pages behind it (snd-dummy's fake_buffer, a driver's own area). */
    FAKE(0, false, false),
    /** Device memory (SNDRV_DMA_TYPE_DEV_IRAM-like iomem, snd_pcm_lib_mmap_iomem()): no struct pages. */
    IOMEM(4, false, false);

    /** The SNDRV_DMA_TYPE_* value, 0 where the driver's buffer has none of its own. */
    public final int kernelType;
    public final boolean scattered;
    public final boolean pages;

    BufferType(int kernelType, boolean scattered, boolean pages) {
        this.kernelType = kernelType;
        this.scattered = scattered;
        this.pages = pages;
    }

    /** As op scripts spell it: {@code dev-wc}. */
    public String scriptName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The type a device gets when its script names none: what the PCM core allocates for the DMA properties
     * it declares, so that scripts written before buffer types existed mean what they meant.
     */
    public static BufferType implied(boolean coherent, boolean contiguous) {
        if (coherent) {
            return contiguous ? DEV : DEV_SG;
        }
        return contiguous ? NONCOHERENT : NONCONTIG;
    }
}
