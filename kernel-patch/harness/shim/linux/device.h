/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/device.h>: a simulated PCM device, with a reference count. */
#ifndef _SHIM_LINUX_DEVICE_H
#define _SHIM_LINUX_DEVICE_H

#include <linux/fault-inject.h>
#include <linux/types.h>

struct device {
	u64 *dma_mask;
	u64 dma_mask_value;
	int id;			/* the simulator's device (PCM) index */
	int refs;		/* get_device() minus put_device() */
	bool dma_coherent;	/* arm64: dev_is_dma_coherent() */
	/*
	 * behind a translating IOMMU: dev->iommu_group set, iommu-dma its
	 * DMA ops (drivers/iommu/dma-iommu.c), device addresses are IOVAs
	 */
	bool iommu;
	/* swiotlb force_bounce: is_swiotlb_force_bounce() (kernel/dma/swiotlb.c) */
	bool dma_force_bounce;
};

/* each reference accounted at the line that took it (linux/fault-inject.h) */
static inline struct device *__get_device_at(struct device *dev, const char *file, int line)
{
	if (dev) {
		dev->refs++;
		harness_obj_get(HARNESS_OBJ_DEVICE, dev, 0, file, line, 0);
	}
	return dev;
}

static inline void __put_device_at(struct device *dev, const char *file, int line)
{
	if (dev && harness_obj_put(HARNESS_OBJ_DEVICE, dev, file, line))
		dev->refs--;
}

#define get_device(dev)	__get_device_at((dev), __FILE__, __LINE__)
#define put_device(dev)	__put_device_at((dev), __FILE__, __LINE__)

#endif
