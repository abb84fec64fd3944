/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/dma-mapping.h>.  Mapping gives each entry
 * its page's bus address; the syncs are the point of the harness: they call
 * up into the simulator, which cleans or invalidates its cache for the
 * buffer as the arm64 DMA API would for a non-coherent device.
 */
#ifndef _SHIM_LINUX_DMA_MAPPING_H
#define _SHIM_LINUX_DMA_MAPPING_H

#include <linux/scatterlist.h>
#include <linux/device.h>

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

#define DMA_ATTR_SKIP_CPU_SYNC	(1UL << 5)

int dma_map_sgtable(struct device *dev, struct sg_table *sgt,
		    enum dma_data_direction dir, unsigned long attrs);
void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt,
		       enum dma_data_direction dir, unsigned long attrs);
void dma_sync_sgtable_for_cpu(struct device *dev, struct sg_table *sgt,
			      enum dma_data_direction dir);
void dma_sync_sgtable_for_device(struct device *dev, struct sg_table *sgt,
				 enum dma_data_direction dir);

#endif
