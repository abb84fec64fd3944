/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/slab.h>: the C heap, so ASan sees every
 * object, with each allocation accounted at its call site and, when the
 * code under test makes it, subject to fail-nth (linux/fault-inject.h).
 */
#ifndef _SHIM_LINUX_SLAB_H
#define _SHIM_LINUX_SLAB_H

#include <stdlib.h>
#include <linux/fault-inject.h>
#include <linux/types.h>

#define GFP_KERNEL	0u

#define kmalloc(size, gfp) \
	harness_kmalloc(1, (size), "kmalloc", __FILE__, __LINE__, HARNESS_FALLIBLE)
#define kzalloc(size, gfp) \
	harness_kmalloc(1, (size), "kzalloc", __FILE__, __LINE__, HARNESS_FALLIBLE)
#define kmalloc_array(n, size, gfp) \
	harness_kmalloc((n), (size), "kmalloc_array", __FILE__, __LINE__, HARNESS_FALLIBLE)
#define kcalloc(n, size, gfp) \
	harness_kmalloc((n), (size), "kcalloc", __FILE__, __LINE__, HARNESS_FALLIBLE)
#define kvmalloc(size, gfp) \
	harness_kmalloc(1, (size), "kvmalloc", __FILE__, __LINE__, HARNESS_FALLIBLE)
#define kvzalloc(size, gfp) \
	harness_kmalloc(1, (size), "kvzalloc", __FILE__, __LINE__, HARNESS_FALLIBLE)
#define kvmalloc_array(n, size, gfp) \
	harness_kmalloc((n), (size), "kvmalloc_array", __FILE__, __LINE__, HARNESS_FALLIBLE)
#define kvcalloc(n, size, gfp) \
	harness_kmalloc((n), (size), "kvcalloc", __FILE__, __LINE__, HARNESS_FALLIBLE)
#define kfree(p)	harness_kfree((p), __FILE__, __LINE__)
#define kvfree(p)	harness_kfree((p), __FILE__, __LINE__)

#endif
