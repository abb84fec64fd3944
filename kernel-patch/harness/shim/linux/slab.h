/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/slab.h>: the C heap, so ASan sees every object. */
#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H

#include <stdlib.h>
#include <linux/types.h>

#define GFP_KERNEL	0u

static inline void *kzalloc(size_t size, gfp_t flags)
{
	(void)flags;
	return calloc(1, size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

static inline void *kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	(void)flags;
	return calloc(n ? n : 1, size);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

#endif
