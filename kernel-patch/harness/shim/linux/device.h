/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/device.h>: a simulated PCM device, with a reference count. */
#ifndef _SHIM_LINUX_DEVICE_H
#define _SHIM_LINUX_DEVICE_H

#include <linux/types.h>

struct device {
	u64 *dma_mask;
	u64 dma_mask_value;
	int id;			/* the simulator's device (PCM) index */
	int refs;		/* get_device() minus put_device() */
};

static inline struct device *get_device(struct device *dev)
{
	if (dev)
		dev->refs++;
	return dev;
}

static inline void put_device(struct device *dev)
{
	if (dev)
		dev->refs--;
}

#endif
