// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for kernel/dma/swiotlb.c: a device that bounces
 * (is_swiotlb_force_bounce(), as swiotlb=force makes every device) DMAs a
 * bounce slot, never the memory mapped; the slot's words live in the
 * simulator, whose DMA engine reads and writes them, and the copies
 * between slot and memory are CPU copies through the kernel's mapping
 * (swiotlb_bounce() memcpy()s), made when the calls below make them.
 * Included by harness.c (one translation unit); one file per kernel file.
 */

static int swiotlb_next_slot;

static __kcsan_unchecked void swiotlb_bounce(int slot, struct device *dev,
					     struct harness_buffer *b, int op)
{
	if (!b) {
		harness_bug("swiotlb: device %d bounces memory that is no buffer",
			    dev->id);
		return;
	}
	if (bounce_fn)
		bounce_fn(slot, b->id, dev->id, op);
}

/*
 * swiotlb_tbl_map_single(): a slot for the mapping, into which the memory
 * is copied in every direction (so that a device's partial write leaks no
 * stale slot content), whatever the attributes
 */
static __kcsan_unchecked int swiotlb_tbl_map_single(struct device *dev, struct harness_buffer *b)
{
	int slot = ++swiotlb_next_slot;

	swiotlb_bounce(slot, dev, b, HARNESS_BOUNCE_MAP);
	return slot;
}

/* swiotlb_sync_single_for_device(): memory to slot for a device that reads */
static __kcsan_unchecked void swiotlb_sync_single_for_device(int slot, struct device *dev,
							     struct harness_buffer *b,
							     enum dma_data_direction dir)
{
	if (dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL)
		swiotlb_bounce(slot, dev, b, HARNESS_BOUNCE_TO_SLOT);
}

/* swiotlb_sync_single_for_cpu(): slot to memory for a device that writes */
static __kcsan_unchecked void swiotlb_sync_single_for_cpu(int slot, struct device *dev,
							  struct harness_buffer *b,
							  enum dma_data_direction dir)
{
	if (dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL)
		swiotlb_bounce(slot, dev, b, HARNESS_BOUNCE_FROM_SLOT);
}

/*
 * dma_direct_unmap_page(): the sync for the CPU unless
 * DMA_ATTR_SKIP_CPU_SYNC, then swiotlb_tbl_unmap_single() releases the
 * slot, whose content the next mapping finds as it was
 */
static __kcsan_unchecked void swiotlb_tbl_unmap_single(int slot, struct device *dev,
						       struct harness_buffer *b,
						       enum dma_data_direction dir,
						       unsigned long attrs)
{
	if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC))
		swiotlb_sync_single_for_cpu(slot, dev, b, dir);
	swiotlb_bounce(slot, dev, b, HARNESS_BOUNCE_UNMAP);
}

static __kcsan_unchecked void swiotlb_reset(void)
{
	swiotlb_next_slot = 0;
}
