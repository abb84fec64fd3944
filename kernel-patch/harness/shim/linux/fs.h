/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/fs.h>: struct file, its reference count,
 * its mode (include/linux/fs.h: FMODE_*) and its address_space, whose
 * mappings unmap_mapping_range() zaps (mm/memory.c).
 */
#ifndef _SHIM_LINUX_FS_H
#define _SHIM_LINUX_FS_H

#include <fcntl.h>
#include <linux/list.h>
#include <linux/types.h>

typedef unsigned int fmode_t;

#define FMODE_READ	((fmode_t)(1 << 0))
#define FMODE_WRITE	((fmode_t)(1 << 1))

/*
 * The dma-buf file's mapping: its shared user mappings (i_mmap, an interval
 * tree in the kernel, a list here) and how often unmap_mapping_range()
 * zapped them.
 */
struct address_space {
	struct list_head i_mmap;
	int zaps;
};

struct file {
	long f_count;
	unsigned int f_flags;
	fmode_t f_mode;
	struct address_space *f_mapping;
	struct address_space mapping;
	void *private_data;
};

#endif
