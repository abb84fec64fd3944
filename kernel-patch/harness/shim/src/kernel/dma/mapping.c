// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for kernel/dma/mapping.c: streaming mappings give
 * each page its bus address; syncs call up into the simulator's cache.
 * Included by harness.c (one translation unit: it shares the harness's
 * buffers, dma-bufs and fd state); one file per kernel file, so that
 * platform modelling (IOMMU, swiotlb, buffer types) goes where the kernel
 * has it.
 */

int dma_map_sgtable(struct device *dev, struct sg_table *sgt,
		    enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg;
	unsigned int i;

	(void)dev;
	(void)dir;
	(void)attrs;
	for_each_sgtable_sg(sgt, sg, i) {
		sg_dma_address(sg) = ((dma_addr_t)page_to_pfn(sg_page(sg)) << PAGE_SHIFT) +
				     sg->offset;
		sg_dma_len(sg) = sg->length;
	}
	sgt->nents = sgt->orig_nents;
	return 0;
}

void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt,
		       enum dma_data_direction dir, unsigned long attrs)
{
	(void)dev;
	(void)dir;
	(void)attrs;
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
