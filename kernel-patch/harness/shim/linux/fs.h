/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/fs.h>: struct file, its reference count,
 * its mode (include/linux/fs.h: FMODE_*) and its address_space, whose
 * mappings unmap_mapping_range() zaps (mm/memory.c).
 */
#ifndef _SHIM_LINUX_FS_H
#define _SHIM_LINUX_FS_H

#include <fcntl.h>
#include <linux/types.h>

typedef unsigned int fmode_t;

#define FMODE_READ	((fmode_t)(1 << 0))
#define FMODE_WRITE	((fmode_t)(1 << 1))

/* the dma-buf file's mapping: how often its user mappings were zapped */
struct address_space {
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
