// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for kernel/dma/mapping.c: streaming mappings give
 * each page its bus address and are tracked as kernel/dma/debug.c tracks
 * them; syncs call up into the simulator's cache.
 * Included by harness.c (one translation unit: it shares the harness's
 * buffers, dma-bufs and fd state); one file per kernel file, so that
 * platform modelling (IOMMU, swiotlb, buffer types) goes where the kernel
 * has it.
 */

/*
 * kernel/dma/debug.c: every live streaming mapping is a dma_debug_entry
 * (add_dma_entry() at map, check_unmap() at unmap, which reports an unmap
 * of memory never mapped).  The harness keeps one per mapped table.
 */
struct dma_debug_entry {
	struct device *dev;
	struct sg_table *sgt;
	struct list_head list;
};

static LIST_HEAD(dma_debug_entries);

static void add_dma_entry(struct device *dev, struct sg_table *sgt)
{
	struct dma_debug_entry *entry = kzalloc(sizeof(*entry), GFP_KERNEL);

	entry->dev = dev;
	entry->sgt = sgt;
	list_add_tail(&entry->list, &dma_debug_entries);
}

static void check_unmap(struct device *dev, struct sg_table *sgt)
{
	struct dma_debug_entry *entry;

	list_for_each_entry(entry, &dma_debug_entries, list)
		if (entry->sgt == sgt && entry->dev == dev) {
			list_del(&entry->list);
			kfree(entry);
			return;
		}
	harness_bug("DMA-API: device %d: unmap of DMA memory it has not mapped",
		    dev->id);
}

/* the entries of mappings harness_reset() freed without their unmap */
static void dma_debug_reset(void)
{
	while (!list_empty(&dma_debug_entries)) {
		struct dma_debug_entry *entry;

		entry = list_entry(dma_debug_entries.next,
				   struct dma_debug_entry, list);
		list_del(&entry->list);
		kfree(entry);
	}
}

int dma_map_sgtable(struct device *dev, struct sg_table *sgt,
		    enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	unsigned int i;

	(void)dir;
	(void)attrs;
	for_each_sgtable_sg(sgt, sg, i) {
		sg_dma_address(sg) = ((dma_addr_t)page_to_pfn(sg_page(sg)) << PAGE_SHIFT) +
				     sg->offset;
		sg_dma_len(sg) = sg->length;
	}
	sgt->nents = sgt->orig_nents;
	add_dma_entry(dev, sgt);
	return 0;
}

void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt,
		       enum dma_data_direction dir, unsigned long attrs)
{
	(void)dir;
	(void)attrs;
	check_unmap(dev, sgt);
	sgt->nents = 0;
}

static struct harness_buffer *sgt_buffer(struct sg_table *sgt)
{
	return sgt->sgl && sgt->orig_nents ? sg_page(sgt->sgl)->buffer : NULL;
}

void dma_sync_sgtable_for_cpu(struct device *dev, struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	/* arm64: nothing to invalidate for memory the device only read */
	if (dir != DMA_TO_DEVICE)
		harness_dma_sync(dev, sgt_buffer(sgt), false, dir);
}

void dma_sync_sgtable_for_device(struct device *dev, struct sg_table *sgt,
				 enum dma_data_direction dir)
{
	/* arm64 cleans for the device in every direction */
	harness_dma_sync(dev, sgt_buffer(sgt), true, dir);
}
