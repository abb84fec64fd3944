/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/fs.h> and <linux/dcache.h>: struct file,
 * its reference count, its mode (include/linux/fs.h: FMODE_*), its path
 * (the dentry whose d_release ends a dma-buf) and its address_space, whose
 * mappings unmap_mapping_range() zaps (mm/memory.c).
 */
#ifndef _SHIM_LINUX_FS_H
#define _SHIM_LINUX_FS_H

#include <fcntl.h>
#include <linux/list.h>
#include <linux/rwsem.h>
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
	struct rw_semaphore i_mmap_rwsem;	/* the i_mmap list, as in 6.12 */
	int zaps;
};

struct dentry;

/* include/linux/dcache.h: the one operation the dma-buf core sets */
struct dentry_operations {
	void (*d_release)(struct dentry *);
};

/*
 * include/linux/dcache.h: d_lockref.count is the dentry's reference count;
 * at its last dput() d_release runs (fs/dcache.c).  d_node is the harness's
 * list of live dentries, for harness_reset().
 */
struct dentry {
	int d_count;
	const struct dentry_operations *d_op;
	void *d_fsdata;
	struct list_head d_node;
};

struct path {
	struct dentry *dentry;
};

struct inode;
struct file;

struct file_operations {
	int (*release)(struct inode *, struct file *);
};

/*
 * f_count, f_op, f_path as in include/linux/fs.h; the memory of a file is
 * a slot of the file slab (fs/file_table.c shim), reused by the next file
 * once freed.
 */
struct file {
	long f_count;
	const struct file_operations *f_op;
	struct path f_path;
	unsigned int f_flags;
	fmode_t f_mode;
	struct address_space *f_mapping;
	struct address_space mapping;
	void *private_data;
};

struct dentry *dget(struct dentry *dentry);
void dput(struct dentry *dentry);

#endif
