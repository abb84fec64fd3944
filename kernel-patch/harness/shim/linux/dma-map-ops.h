/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/dma-map-ops.h>: whether a device snoops
 * the CPU caches, the simulated device's coherence (arm64, where
 * CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE makes it a property of the device)
 */
#ifndef _SHIM_LINUX_DMA_MAP_OPS_H
#define _SHIM_LINUX_DMA_MAP_OPS_H

#include <linux/device.h>

static inline bool dev_is_dma_coherent(struct device *dev)
{
	return dev->dma_coherent;
}

#endif
