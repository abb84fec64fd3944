/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/iommu.h>: a device behind a translating
 * IOMMU (struct device.iommu) is attached to a DMA API domain, as
 * iommu-dma's default domain is (drivers/iommu/iommu.c); others have none.
 */
#ifndef _SHIM_LINUX_IOMMU_H
#define _SHIM_LINUX_IOMMU_H

#include <linux/device.h>

#define __IOMMU_DOMAIN_DMA_API	(1U << 3)

struct iommu_domain {
	unsigned int type;
};

static inline struct iommu_domain *iommu_get_domain_for_dev(struct device *dev)
{
	static struct iommu_domain dma_domain = { .type = __IOMMU_DOMAIN_DMA_API };

	return dev && dev->iommu ? &dma_domain : NULL;
}

/* include/linux/iommu.h (6.12) */
static inline bool iommu_is_dma_domain(struct iommu_domain *domain)
{
	return domain->type & __IOMMU_DOMAIN_DMA_API;
}

#endif
