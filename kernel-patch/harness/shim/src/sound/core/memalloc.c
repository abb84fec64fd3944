// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for sound/core/memalloc.c: the buffer types' page
 * lookup, free, sync and mmap. Included by harness.c (one translation
 * unit: it shares the harness's buffers, dma-bufs and fd state); one file
 * per kernel file, so that platform modelling (IOMMU, swiotlb, buffer
 * types) goes where the kernel has it.
 */

struct page *snd_sgbuf_get_page(struct snd_dma_buffer *dmab, size_t offset)
{
	struct harness_buffer *b = buffer_by_area(dmab->area);

	if (!b || offset >= (size_t)b->npages << PAGE_SHIFT)
		return NULL;
	return &b->pages[offset >> PAGE_SHIFT];
}

void snd_dma_free_pages(struct snd_dma_buffer *dmab)
{
	struct harness_buffer *b = buffer_by_area(dmab->area);

	if (!b) {
		harness_bug("snd_dma_free_pages of unknown memory %p",
			    (void *)dmab->area);
		return;
	}
	buffer_free(b);
}

void snd_dma_buffer_sync(struct snd_dma_buffer *dmab,
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
 * sound/core/memalloc.c, snd_dma_buffer_mmap(): the continuous type
 * remap_pfn_range()s the buffer from dmab->addr, the vmalloc type
 * remap_vmalloc_range()s it from dmab->area, both from the start of the
 * snd_dma_buffer given and ignoring vm_pgoff; the dma_mmap_*() types
 * (dev, dev_wc, sg, noncontig, noncoherent) map from vm_pgoff.  The
 * harness's buffers are continuous (contiguous devices) or vmalloc.
 */
int snd_dma_buffer_mmap(struct snd_dma_buffer *dmab,
			struct vm_area_struct *area)
{
	struct harness_buffer *b = buffer_containing(dmab->area);
	size_t len = area->vm_end - area->vm_start, off;
	unsigned long addr = area->vm_start;
	unsigned int first, i;
	int err;

	if (!b) {
		harness_bug("snd_dma_buffer_mmap of memory that is no buffer");
		return -ENOENT;
	}
	switch (dmab->dev.type) {
	case SNDRV_DMA_TYPE_CONTINUOUS:
	case SNDRV_DMA_TYPE_VMALLOC:
		off = (size_t)(dmab->area - b->area);
		break;
	default:
		off = (size_t)area->vm_pgoff << PAGE_SHIFT;
		break;
	}
	if (off % PAGE_SIZE || off + len > (size_t)b->npages << PAGE_SHIFT) {
		harness_bug("snd_dma_buffer_mmap of %zu bytes at %zu, beyond buffer %d",
			    len, off, b->id);
		return -EINVAL;
	}
	first = off >> PAGE_SHIFT;
	for (i = 0; i < len >> PAGE_SHIFT; i++, addr += PAGE_SIZE) {
		err = remap_pfn_range(area, addr, b->pages[first + i].pfn,
				      PAGE_SIZE, area->vm_page_prot);
		if (err)
			return err;
	}
	return 0;
}
