/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/dma-buf.h>, with a minimal dma-buf core in
 * harness.c that follows drivers/dma-buf/dma-buf.c: one struct file per
 * dma-buf whose last fput() runs ops->release, attach/detach and map/unmap
 * dispatched to the exporter.
 */
#ifndef _SHIM_LINUX_DMA_BUF_H
#define _SHIM_LINUX_DMA_BUF_H

#include <asm/errno.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/file.h>
#include <linux/iosys-map.h>
#include <linux/list.h>
#include <linux/dma-mapping.h>

struct dma_buf;
struct dma_buf_attachment;

struct dma_buf_ops {
	int (*attach)(struct dma_buf *, struct dma_buf_attachment *);
	void (*detach)(struct dma_buf *, struct dma_buf_attachment *);
	struct sg_table *(*map_dma_buf)(struct dma_buf_attachment *,
					enum dma_data_direction);
	void (*unmap_dma_buf)(struct dma_buf_attachment *, struct sg_table *,
			      enum dma_data_direction);
	void (*release)(struct dma_buf *);
	int (*begin_cpu_access)(struct dma_buf *, enum dma_data_direction);
	int (*end_cpu_access)(struct dma_buf *, enum dma_data_direction);
	int (*mmap)(struct dma_buf *, struct vm_area_struct *vma);
	int (*vmap)(struct dma_buf *dmabuf, struct iosys_map *map);
	void (*vunmap)(struct dma_buf *dmabuf, struct iosys_map *map);
};

struct dma_buf {
	size_t size;
	struct file *file;
	const struct dma_buf_ops *ops;
	void *priv;
	struct list_head attachments;
	int id;				/* the harness's handle */
	struct list_head node;		/* in the harness's list of dma-bufs */
};

struct dma_buf_attachment {
	struct dma_buf *dmabuf;
	struct device *dev;
	struct list_head node;
	struct sg_table *sgt;		/* mapped table, NULL while unmapped */
	enum dma_data_direction dir;	/* the direction it was mapped with */
	void *priv;
};

struct dma_buf_export_info {
	const char *exp_name;
	const struct dma_buf_ops *ops;
	size_t size;
	int flags;
	void *priv;
};

#define DEFINE_DMA_BUF_EXPORT_INFO(name)	\
	struct dma_buf_export_info name = { .exp_name = "snd_pcm" }

/*
 * The running task's calls that changed a dma-buf (a reference, an export,
 * an attachment or a mapping): harness.c tells by them what a dma-buf ioctl
 * did in a critical section (ioctl_commit())
 */
extern __thread unsigned long harness_dmabuf_calls;

/*
 * include/linux/dma-buf.h: a new reference on the dma-buf's file, with
 * atomic_long_inc(): a marked access that orders nothing (kernel/kcsan/)
 */
static inline void get_dma_buf(struct dma_buf *dmabuf)
{
	harness_dmabuf_calls++;
	(*(volatile long *)&dmabuf->file->f_count)++;
}

struct dma_buf *dma_buf_export(const struct dma_buf_export_info *exp_info);
struct dma_buf *dma_buf_get(int fd);
void dma_buf_put(struct dma_buf *dmabuf);
struct dma_buf_attachment *dma_buf_attach(struct dma_buf *dmabuf,
					  struct device *dev);
void dma_buf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach);
struct sg_table *
dma_buf_map_attachment_unlocked(struct dma_buf_attachment *attach,
				enum dma_data_direction dir);
void dma_buf_unmap_attachment_unlocked(struct dma_buf_attachment *attach,
				       struct sg_table *sgt,
				       enum dma_data_direction dir);
int dma_buf_vmap_unlocked(struct dma_buf *dmabuf, struct iosys_map *map);
void dma_buf_vunmap_unlocked(struct dma_buf *dmabuf, struct iosys_map *map);

/*
 * The calls of the code under test (linux/fault-inject.h), fallible as
 * drivers/dma-buf/dma-buf.c's are: dma_buf_export() ERR_PTR(-ENOMEM) (its
 * allocation, or the file's), dma_buf_get() ERR_PTR(-EBADF) (fget() finds
 * the fd closed by another thread), dma_buf_attach() ERR_PTR(-ENOMEM),
 * dma_buf_map_attachment_unlocked() ERR_PTR(-ENOMEM) and
 * dma_buf_vmap_unlocked() -ENOMEM (the exporter's answer when memory runs
 * out).  Attachments, their mappings and vmaps are accounted until they are
 * given back.  harness_unwrap.h takes these away for the shims.
 */
static inline struct dma_buf *
__dma_buf_export_at(const struct dma_buf_export_info *exp_info,
		    const char *file, int line, int fallible)
{
	if (harness_should_fail("dma_buf_export", -ENOMEM, file, line, fallible))
		return ERR_PTR(-ENOMEM);
	return (dma_buf_export)(exp_info);
}

static inline struct dma_buf *__dma_buf_get_at(int fd, const char *file,
					       int line, int fallible)
{
	if (harness_should_fail("dma_buf_get", -EBADF, file, line, fallible))
		return ERR_PTR(-EBADF);
	return (dma_buf_get)(fd);
}

static inline struct dma_buf_attachment *
__dma_buf_attach_at(struct dma_buf *dmabuf, struct device *dev,
		    const char *file, int line, int fallible)
{
	struct dma_buf_attachment *attach;

	if (harness_should_fail("dma_buf_attach", -ENOMEM, file, line, fallible))
		return ERR_PTR(-ENOMEM);
	attach = (dma_buf_attach)(dmabuf, dev);
	if (!IS_ERR(attach))
		harness_obj_get(HARNESS_OBJ_ATTACH, attach, 0, file, line, 0);
	return attach;
}

static inline void __dma_buf_detach_at(struct dma_buf *dmabuf,
				       struct dma_buf_attachment *attach,
				       const char *file, int line)
{
	if (harness_obj_put(HARNESS_OBJ_ATTACH, attach, file, line))
		(dma_buf_detach)(dmabuf, attach);
}

static inline struct sg_table *
__dma_buf_map_attachment_at(struct dma_buf_attachment *attach,
			    enum dma_data_direction dir, const char *file,
			    int line, int fallible)
{
	struct sg_table *sgt;

	if (harness_should_fail("dma_buf_map_attachment_unlocked", -ENOMEM,
				file, line, fallible))
		return ERR_PTR(-ENOMEM);
	sgt = (dma_buf_map_attachment_unlocked)(attach, dir);
	if (!IS_ERR(sgt))
		harness_obj_get(HARNESS_OBJ_MAPPED, sgt, 0, file, line, 0);
	return sgt;
}

static inline void __dma_buf_unmap_attachment_at(struct dma_buf_attachment *attach,
						 struct sg_table *sgt,
						 enum dma_data_direction dir,
						 const char *file, int line)
{
	harness_obj_put(HARNESS_OBJ_MAPPED, sgt, file, line);
	(dma_buf_unmap_attachment_unlocked)(attach, sgt, dir);
}

static inline int __dma_buf_vmap_at(struct dma_buf *dmabuf, struct iosys_map *map,
				    const char *file, int line, int fallible)
{
	int err;

	if (harness_should_fail("dma_buf_vmap_unlocked", -ENOMEM, file, line,
				fallible))
		return -ENOMEM;
	err = (dma_buf_vmap_unlocked)(dmabuf, map);
	if (!err)
		harness_obj_get(HARNESS_OBJ_VMAP, map, 0, file, line, 0);
	return err;
}

static inline void __dma_buf_vunmap_at(struct dma_buf *dmabuf,
				       struct iosys_map *map, const char *file,
				       int line)
{
	harness_obj_put(HARNESS_OBJ_VMAP, map, file, line);
	(dma_buf_vunmap_unlocked)(dmabuf, map);
}

#define dma_buf_export(info)						\
	__dma_buf_export_at((info), __FILE__, __LINE__, HARNESS_FALLIBLE)
#define dma_buf_get(fd)	__dma_buf_get_at((fd), __FILE__, __LINE__, HARNESS_FALLIBLE)
#define dma_buf_attach(dmabuf, dev)					\
	__dma_buf_attach_at((dmabuf), (dev), __FILE__, __LINE__, HARNESS_FALLIBLE)
#define dma_buf_detach(dmabuf, attach)					\
	__dma_buf_detach_at((dmabuf), (attach), __FILE__, __LINE__)
#define dma_buf_map_attachment_unlocked(attach, dir)			\
	__dma_buf_map_attachment_at((attach), (dir), __FILE__, __LINE__,	\
				    HARNESS_FALLIBLE)
#define dma_buf_unmap_attachment_unlocked(attach, sgt, dir)		\
	__dma_buf_unmap_attachment_at((attach), (sgt), (dir), __FILE__, __LINE__)
#define dma_buf_vmap_unlocked(dmabuf, map)				\
	__dma_buf_vmap_at((dmabuf), (map), __FILE__, __LINE__, HARNESS_FALLIBLE)
#define dma_buf_vunmap_unlocked(dmabuf, map)				\
	__dma_buf_vunmap_at((dmabuf), (map), __FILE__, __LINE__)

#endif
