// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for sound/core/memalloc.c: the buffer types' page
 * and address lookup, free, sync and mmap, each dispatched on the buffer
 * type as snd_dma_get_ops() does. Included by harness.c (one translation
 * unit: it shares the harness's buffers, dma-bufs and fd state); one file
 * per kernel file, so that platform modelling (IOMMU, swiotlb, buffer
 * types) goes where the kernel has it.
 */

/*
 * sound/core/memalloc.c, snd_dma_get_ops(): a descriptor of no known type
 * (SNDRV_DMA_TYPE_UNKNOWN, what a zeroed one says) has no ops, with a
 * WARN_ON_ONCE(); every lookup then falls back to dmab->addr and
 * dmab->area.
 */
static __kcsan_unchecked bool snd_dma_type_known(struct snd_dma_buffer *dmab)
{
	if (dmab->dev.type <= SNDRV_DMA_TYPE_UNKNOWN ||
	    dmab->dev.type > SNDRV_DMA_TYPE_NONCOHERENT) {
		harness_warn("sound/core/memalloc.c", 908,
			     "dmab->dev.type <= SNDRV_DMA_TYPE_UNKNOWN || dmab->dev.type >= ARRAY_SIZE(snd_dma_ops)");
		return false;
	}
	return true;
}

/* the types whose pages are scattered: their ops look each page up */
static __kcsan_unchecked bool snd_dma_type_scattered(int type)
{
	return type == SNDRV_DMA_TYPE_VMALLOC || type == SNDRV_DMA_TYPE_DEV_SG ||
	       type == SNDRV_DMA_TYPE_DEV_WC_SG || type == SNDRV_DMA_TYPE_NONCONTIG;
}

/*
 * sound/core/memalloc.c, snd_sgbuf_get_page(): the page of the CPU address
 * (vmalloc_to_page() of the vmalloc and scattered types, virt_to_page()
 * of the others).
 */
__kcsan_unchecked struct page *snd_sgbuf_get_page(struct snd_dma_buffer *dmab, size_t offset)
{
	struct harness_buffer *b;
	size_t index;

	snd_dma_type_known(dmab);
	b = buffer_containing(dmab->area + offset);
	if (!b || !dmab->area)
		return NULL;
	index = (size_t)(dmab->area + offset - b->area) >> PAGE_SHIFT;
	/*
	 * the DEV and DEV_WC ops have no get_page: virt_to_page() of an
	 * address outside the linear map names whatever page the linear
	 * map's arithmetic lands on
	 */
	if (b->remapped && !snd_dma_type_scattered(dmab->dev.type))
		return virt_to_page_remapped(b, index);
	return &b->pages[index];
}

/*
 * sound/core/memalloc.c, snd_sgbuf_get_addr(): the scattered types look the
 * page up (snd_dma_vmalloc_get_addr(): page_to_phys(vmalloc_to_page())),
 * the others, and a descriptor of no known type, add the offset to
 * dmab->addr.
 */
__kcsan_unchecked dma_addr_t snd_sgbuf_get_addr(struct snd_dma_buffer *dmab, size_t offset)
{
	struct page *page;

	if (!snd_dma_type_known(dmab) || !snd_dma_type_scattered(dmab->dev.type))
		return dmab->addr + offset;
	/*
	 * snd_dma_noncontig_get_addr(): the DMA address of the sg table,
	 * which iommu_dma_alloc_noncontiguous() maps to one IOVA range
	 */
	if (dmab->dev.type != SNDRV_DMA_TYPE_VMALLOC && dmab->dev.dev &&
	    dmab->dev.dev->iommu)
		return dmab->addr + offset;
	page = snd_sgbuf_get_page(dmab, offset);
	return page ? ((dma_addr_t)page->pfn << PAGE_SHIFT) + offset % PAGE_SIZE : 0;
}

__kcsan_unchecked void snd_dma_free_pages(struct snd_dma_buffer *dmab)
{
	struct harness_buffer *b = buffer_by_area(dmab->area);

	if (!b) {
		harness_bug("snd_dma_free_pages of unknown memory %p",
			    (void *)dmab->area);
		return;
	}
	buffer_free(b);
}

__kcsan_unchecked void snd_dma_buffer_sync(struct snd_dma_buffer *dmab,
					   enum snd_dma_sync_mode mode)
{
	if (mode == SNDRV_DMA_SYNC_CPU) {
		if (dmab->dev.dir == DMA_TO_DEVICE)
			return;
	} else if (dmab->dev.dir == DMA_FROM_DEVICE) {
		return;
	}
	harness_dma_sync(dmab->dev.dev, buffer_by_area(dmab->area),
			 mode == SNDRV_DMA_SYNC_DEVICE, dmab->dev.dir);
}

/*
 * The types whose mmap inserts struct pages (vm_insert_page(), VM_MIXEDMAP,
 * normal entries that get_user_pages() takes references from), not page
 * frames (remap_pfn_range(), VM_PFNMAP): snd_dma_vmalloc_mmap()
 * (remap_vmalloc_range()); snd_dma_sg_fallback_mmap() (vm_map_pages()),
 * the DEV_SG and DEV_WC_SG buffers whose coherent allocation failed, as the
 * harness's scattered ones; snd_dma_noncontig_mmap() behind an IOMMU
 * (dma_mmap_noncontiguous() -> iommu_dma_mmap_noncontiguous() ->
 * vm_map_pages()); and the coherent types behind an IOMMU, whose
 * allocation iommu_dma_alloc_remap() vmap()ed from pages
 * (drivers/iommu/dma-iommu.c, iommu_dma_mmap(): vm_map_pages() of
 * dma_common_find_pages())
 */
static __kcsan_unchecked bool snd_dma_mmap_inserts_pages(struct snd_dma_buffer *dmab)
{
	bool iommu = dmab->dev.dev && dmab->dev.dev->iommu;

	switch (dmab->dev.type) {
	case SNDRV_DMA_TYPE_VMALLOC:
	case SNDRV_DMA_TYPE_DEV_SG:
	case SNDRV_DMA_TYPE_DEV_WC_SG:
		return true;
	case SNDRV_DMA_TYPE_NONCONTIG:
	case SNDRV_DMA_TYPE_DEV:
	case SNDRV_DMA_TYPE_DEV_WC:
		return iommu;
	default:
		return false;
	}
}

/*
 * sound/core/memalloc.c, snd_dma_buffer_mmap(): snd_dma_continuous_mmap()
 * remap_pfn_range()s from dmab->addr, snd_dma_vmalloc_mmap()
 * remap_vmalloc_range()s from dmab->area, both from the start of the
 * snd_dma_buffer given and ignoring vm_pgoff; the dma_mmap_*() types (dev,
 * dev_wc, sg, noncontig, noncoherent) map the buffer from vm_pgoff.  No
 * known type: no ops, -ENOENT.
 */
__kcsan_unchecked int snd_dma_buffer_mmap(struct snd_dma_buffer *dmab,
					  struct vm_area_struct *area)
{
	size_t len = area->vm_end - area->vm_start, off;
	unsigned long addr = area->vm_start;
	struct harness_buffer *b;
	struct page *page;
	unsigned int i;
	int err;

	if (!snd_dma_type_known(dmab))
		return -ENOENT;
	if (dmab->dev.type == SNDRV_DMA_TYPE_CONTINUOUS) {
		/* physically contiguous: the pfns follow dmab->addr */
		return remap_pfn_range(area, addr, dmab->addr >> PAGE_SHIFT, len,
				       area->vm_page_prot);
	}
	b = buffer_containing(dmab->area);
	if (!b) {
		harness_bug("snd_dma_buffer_mmap of memory that is no buffer");
		return -ENOENT;
	}
	/*
	 * kernel/dma/direct.c, dma_direct_mmap(): the coherent and
	 * write-combined types map with dma_pgprot(), non-cacheable for a
	 * device that is not DMA-coherent (kernel/dma/mapping.c)
	 */
	if ((dmab->dev.type == SNDRV_DMA_TYPE_DEV ||
	     dmab->dev.type == SNDRV_DMA_TYPE_DEV_WC ||
	     dmab->dev.type == SNDRV_DMA_TYPE_DEV_WC_SG) &&
	    dmab->dev.dev && !dmab->dev.dev->dma_coherent)
		area->vm_page_prot = pgprot_dmacoherent(area->vm_page_prot);
	off = dmab->dev.type == SNDRV_DMA_TYPE_VMALLOC ?
	      (size_t)(dmab->area - b->area) :
	      (size_t)area->vm_pgoff << PAGE_SHIFT;
	if (off % PAGE_SIZE || off + len > (size_t)b->npages << PAGE_SHIFT) {
		harness_bug("snd_dma_buffer_mmap of %zu bytes at %zu, beyond buffer %d",
			    len, off, b->id);
		return -EINVAL;
	}
	for (i = 0; i < len >> PAGE_SHIFT; i++, addr += PAGE_SIZE) {
		page = &b->pages[(off >> PAGE_SHIFT) + i];
		/*
		 * mm/vmalloc.c, remap_vmalloc_range_partial(), and
		 * mm/memory.c, __vm_map_pages(): vm_insert_page()
		 */
		if (snd_dma_mmap_inserts_pages(dmab))
			err = vm_insert_page(area, addr, page);
		else
			err = remap_pfn_range(area, addr, page->pfn, PAGE_SIZE,
					      area->vm_page_prot);
		if (err)
			return err;
	}
	if (dmab->dev.type == SNDRV_DMA_TYPE_VMALLOC)
		vm_flags_set(area, VM_DONTEXPAND | VM_DONTDUMP);
	return 0;
}
