/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/dma-mapping.h>.  Mapping gives each entry
 * its page's bus address; the syncs are the point of the harness: they call
 * up into the simulator, which cleans or invalidates its cache for the
 * buffer as the arm64 DMA API would for a non-coherent device.
 */
#ifndef _SHIM_LINUX_DMA_MAPPING_H
#define _SHIM_LINUX_DMA_MAPPING_H

#include <asm/errno.h>
#include <linux/fault-inject.h>
#include <linux/scatterlist.h>
#include <linux/device.h>

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

#define DMA_ATTR_SKIP_CPU_SYNC	(1UL << 5)

/*
 * include/linux/dma-mapping.h, dma_get_max_seg_size(): no device of the
 * harness sets dma_parms (a platform device's stay unset), so every device
 * gets the default, SZ_64K
 */
static inline unsigned int dma_get_max_seg_size(struct device *dev)
{
	return 64 * 1024;
}

int dma_map_sgtable(struct device *dev, struct sg_table *sgt,
		    enum dma_data_direction dir, unsigned long attrs);
void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt,
		       enum dma_data_direction dir, unsigned long attrs);
void dma_sync_sgtable_for_cpu(struct device *dev, struct sg_table *sgt,
			      enum dma_data_direction dir);
void dma_sync_sgtable_for_device(struct device *dev, struct sg_table *sgt,
				 enum dma_data_direction dir);
int dma_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
		    dma_addr_t dma_addr, size_t size);

/*
 * The calls of the code under test (linux/fault-inject.h):
 * dma_map_sgtable() is fallible, -ENOMEM as a mapping that finds no
 * space (kernel/dma/mapping.c, __dma_map_sg_attrs()), and each mapping is
 * accounted until its unmap.  harness_unwrap.h takes these away for the
 * shims.
 */
static inline int __dma_map_sgtable_at(struct device *dev, struct sg_table *sgt,
				       enum dma_data_direction dir,
				       unsigned long attrs, const char *file,
				       int line, int fallible)
{
	int err;

	if (harness_should_fail("dma_map_sgtable", -ENOMEM, file, line, fallible))
		return -ENOMEM;
	err = (dma_map_sgtable)(dev, sgt, dir, attrs);
	if (!err)
		harness_obj_get(HARNESS_OBJ_DMA_MAP, sgt, 0, file, line, 0);
	return err;
}

static inline void __dma_unmap_sgtable_at(struct device *dev, struct sg_table *sgt,
					  enum dma_data_direction dir,
					  unsigned long attrs, const char *file,
					  int line)
{
	harness_obj_put(HARNESS_OBJ_DMA_MAP, sgt, file, line);
	(dma_unmap_sgtable)(dev, sgt, dir, attrs);
}

/* the table dma_get_sgtable() fills is the caller's (sg_free_table()) */
static inline int __dma_get_sgtable_at(struct device *dev, struct sg_table *sgt,
				       void *cpu_addr, dma_addr_t dma_addr,
				       size_t size, const char *file, int line,
				       int fallible)
{
	int err;

	if (harness_should_fail("dma_get_sgtable", -ENOMEM, file, line, fallible))
		return -ENOMEM;
	err = (dma_get_sgtable)(dev, sgt, cpu_addr, dma_addr, size);
	if (!err)
		harness_obj_get(HARNESS_OBJ_SG_TABLE, sgt, 0, file, line, 0);
	return err;
}

#define dma_get_sgtable(dev, sgt, cpu_addr, dma_addr, size)		\
	__dma_get_sgtable_at((dev), (sgt), (cpu_addr), (dma_addr), (size), \
			     __FILE__, __LINE__, HARNESS_FALLIBLE)
#define dma_map_sgtable(dev, sgt, dir, attrs)				\
	__dma_map_sgtable_at((dev), (sgt), (dir), (attrs), __FILE__, __LINE__, \
			     HARNESS_FALLIBLE)
#define dma_unmap_sgtable(dev, sgt, dir, attrs)				\
	__dma_unmap_sgtable_at((dev), (sgt), (dir), (attrs), __FILE__, __LINE__)

#endif
