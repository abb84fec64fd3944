// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for drivers/dma-buf/dma-buf.c: a minimal dma-buf
 * core: one struct file per dma-buf whose last fput() runs ops->release,
 * dma_buf_get() with its EBADF/EINVAL, attach/detach, map/unmap, vmap, the
 * CPU-access dispatch. Included by harness.c (one translation unit: it
 * shares the harness's buffers, dma-bufs and fd state); one file per
 * kernel file, so that platform modelling (IOMMU, swiotlb, buffer types)
 * goes where the kernel has it.
 */

__thread unsigned long harness_dmabuf_calls;

/*
 * dma_buf_release(), the dentry's d_release (dma_buf_dentry_ops): the
 * dma-buf ends with its dentry, not with its file.  Their last references
 * go together (__fput() puts the dentry) unless a path reference holds the
 * dentry, and then dmabuf->file points to a freed file slot until here.
 */
static __kcsan_unchecked void dma_buf_release(struct dentry *dentry)
{
	struct dma_buf *dmabuf = dentry->d_fsdata;

	/* the file of an export that failed */
	if (!dmabuf)
		return;
	if (!list_empty(&dmabuf->attachments))
		harness_bug("dma-buf %d released with attachments", dmabuf->id);
	dmabuf->ops->release(dmabuf);
	list_del_init(&dmabuf->node);
	kfree(dmabuf);
}

/*
 * dma_buf_file_release(), the file's f_op->release.  Every CPU mapping
 * holds the file, so none is left: one that is was unmapped by the
 * simulator without harness_munmap(), and goes now.
 */
static __kcsan_unchecked int dma_buf_file_release(struct inode *inode, struct file *file)
{
	struct vm_area_struct *vma, *next;

	list_for_each_entry_safe(vma, next, &file->mapping.i_mmap, shared) {
		harness_bug("the file of a dma-buf released while CPU mapping %d holds it",
			    vma->id);
		do_munmap(vma);
	}
	return 0;
}

static const struct dentry_operations dma_buf_dentry_ops = {
	.d_release = dma_buf_release,
};

static const struct file_operations dma_buf_fops = {
	.release = dma_buf_file_release,
};

/* dma_buf_getfile(): alloc_file_pseudo() on the dma-buf filesystem */
static __kcsan_unchecked struct file *dma_buf_getfile(size_t size, int flags)
{
	flags &= O_ACCMODE | O_NONBLOCK;
	return alloc_file_pseudo(&dma_buf_dentry_ops, flags, &dma_buf_fops);
}

static __kcsan_unchecked struct dma_buf *dmabuf_by_id(int id)
{
	struct dma_buf *d;

	list_for_each_entry(d, &dmabufs, node)
		if (d->id == id)
			return d;
	return NULL;
}

/*
 * The file of a live dma-buf, NULL when it was freed (a path reference
 * keeps the dma-buf) and dmabuf->file is a stale pointer into the file
 * slab, maybe to another dma-buf's file: for the harness's own calls,
 * which reach a dma-buf through the simulator's fds and mappings, never
 * through a stale pointer.
 */
static __kcsan_unchecked struct file *dmabuf_file(struct dma_buf *dmabuf)
{
	struct file *file = dmabuf->file;

	return file_allocated(file) && file->private_data == dmabuf ? file : NULL;
}

__kcsan_unchecked struct dma_buf *dma_buf_export(const struct dma_buf_export_info *exp_info)
{
	const struct dma_buf_ops *ops = exp_info->ops;
	struct dma_buf *dmabuf;
	struct file *file;

	harness_dmabuf_calls++;
	if (!exp_info->priv || !ops || !ops->map_dma_buf ||
	    !ops->unmap_dma_buf || !ops->release)
		return ERR_PTR(-EINVAL);
	file = dma_buf_getfile(exp_info->size, exp_info->flags);
	if (IS_ERR(file))
		return ERR_CAST(file);
	dmabuf = kzalloc(sizeof(*dmabuf), GFP_KERNEL);
	if (!dmabuf) {
		fput(file);
		return ERR_PTR(-ENOMEM);
	}
	file->private_data = dmabuf;
	file->f_path.dentry->d_fsdata = dmabuf;
	dmabuf->file = file;
	dmabuf->size = exp_info->size;
	dmabuf->ops = ops;
	dmabuf->priv = exp_info->priv;
	dmabuf->id = next_dmabuf_id++;
	INIT_LIST_HEAD(&dmabuf->attachments);
	list_add_tail(&dmabuf->node, &dmabufs);
	return dmabuf;
}

/* dma_buf_mmap_internal(): the file's mmap, as mmap_region() calls it */
static __kcsan_unchecked int dma_buf_mmap_internal(struct file *file, struct vm_area_struct *vma)
{
	struct dma_buf *dmabuf = file->private_data;

	/* check if buffer supports mmap */
	if (!dmabuf->ops->mmap)
		return -EINVAL;
	/* check for overflowing the buffer's size */
	if (vma->vm_pgoff + vma_pages(vma) > dmabuf->size >> PAGE_SHIFT)
		return -EINVAL;
	return dmabuf->ops->mmap(dmabuf, vma);
}

__kcsan_unchecked struct dma_buf *dma_buf_get(int fd)
{
	struct dma_buf *dmabuf;

	if (fd != fd_number || fd_target == HARNESS_FD_NONE)
		return ERR_PTR(-EBADF);
	if (fd_target == HARNESS_FD_OTHER)
		return ERR_PTR(-EINVAL);
	dmabuf = dmabuf_by_id(fd_target);
	if (!dmabuf || !dmabuf_file(dmabuf)) {
		harness_bug("fd %d refers to dma-buf %d, whose file the C code freed",
			    fd, fd_target);
		return ERR_PTR(-EBADF);
	}
	/* fget(fd): the fd's reference is on the file it refers to (fully ordered) */
	harness_kcsan_rmw(&dmabuf->file->f_count);
	dmabuf->file->f_count++;
	/*
	 * after the reference, not before: fget() looks the fd up and takes
	 * its reference at once, and the host resolved the fd already
	 */
	harness_sched_point("fget");
	return dmabuf;
}

__kcsan_unchecked void dma_buf_put(struct dma_buf *dmabuf)
{
	harness_dmabuf_calls++;
	fput(dmabuf->file);
}

__kcsan_unchecked struct dma_buf_attachment *dma_buf_attach(struct dma_buf *dmabuf,
							    struct device *dev)
{
	struct dma_buf_attachment *attach = kzalloc(sizeof(*attach), GFP_KERNEL);
	int err;

	harness_dmabuf_calls++;
	attach->dmabuf = dmabuf;
	attach->dev = dev;
	might_sleep();	/* dma_resv_lock() */
	if (dmabuf->ops->attach) {
		err = dmabuf->ops->attach(dmabuf, attach);
		if (err) {
			kfree(attach);
			return ERR_PTR(err);
		}
	}
	list_add_tail(&attach->node, &dmabuf->attachments);
	return attach;
}

__kcsan_unchecked void dma_buf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	harness_dmabuf_calls++;
	if (attach->sgt)
		harness_bug("dma_buf_detach of a mapped attachment");
	might_sleep();	/* dma_resv_lock() */
	list_del_init(&attach->node);
	if (dmabuf->ops->detach)
		dmabuf->ops->detach(dmabuf, attach);
	kfree(attach);
}

/*
 * mangle_sg_table() of CONFIG_DMABUF_DEBUG: __map_dma_buf() scrambles the
 * page links of the table it hands the importer, __unmap_dma_buf() undoes
 * it before the exporter gets the table back
 */
static __kcsan_unchecked void mangle_sg_table(struct sg_table *sgt, bool mangle)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i)
		sg->mangled = mangle;
}

struct sg_table *
dma_buf_map_attachment_unlocked(struct dma_buf_attachment *attach,
				enum dma_data_direction dir)
{
	struct sg_table *sgt = attach->dmabuf->ops->map_dma_buf(attach, dir);

	harness_dmabuf_calls++;
	if (!sgt)
		sgt = ERR_PTR(-ENOMEM);
	if (!IS_ERR(sgt)) {
		attach->sgt = sgt;
		attach->dir = dir;
		mangle_sg_table(sgt, true);
	}
	return sgt;
}

/*
 * dma_buf_unmap_attachment(): the table and direction must be those of the
 * map (include/linux/dma-buf.h, @unmap_dma_buf; the exporter's
 * dma_unmap_sgtable() with another direction is what kernel/dma/debug.c's
 * check_unmap() reports)
 */
__kcsan_unchecked void dma_buf_unmap_attachment_unlocked(struct dma_buf_attachment *attach,
							 struct sg_table *sgt,
							 enum dma_data_direction dir)
{
	harness_dmabuf_calls++;
	if (attach->sgt != sgt)
		harness_bug("unmap of a table the attachment was not given");
	else if (attach->dir != dir)
		harness_bug("DMA-API: dma_buf_unmap_attachment() with direction %s of an attachment mapped %s (PLAT-DMA-DEBUG)",
			    dir2name[dir], dir2name[attach->dir]);
	if (sgt && !IS_ERR(sgt))
		mangle_sg_table(sgt, false);
	attach->dmabuf->ops->unmap_dma_buf(attach, sgt, dir);
	attach->sgt = NULL;
}

__kcsan_unchecked int dma_buf_vmap_unlocked(struct dma_buf *dmabuf, struct iosys_map *map)
{
	int ret;

	iosys_map_clear(map);
	if (!dmabuf->ops->vmap)
		return -EINVAL;
	ret = dmabuf->ops->vmap(dmabuf, map);
	/* dma_buf_vmap(): an exporter's refusal is WARN_ON_ONCE(ret) */
	WARN_ON(ret);
	return ret;
}

__kcsan_unchecked void dma_buf_vunmap_unlocked(struct dma_buf *dmabuf, struct iosys_map *map)
{
	if (dmabuf->ops->vunmap)
		dmabuf->ops->vunmap(dmabuf, map);
	iosys_map_clear(map);
}

/* dma_buf_ioctl(DMA_BUF_IOCTL_SYNC) after the flag checks, which the simulator does */
static __kcsan_unchecked int dma_buf_cpu_access(struct dma_buf *dmabuf, bool begin,
						enum dma_data_direction dir)
{
	if (begin)
		return dmabuf->ops->begin_cpu_access ?
		       dmabuf->ops->begin_cpu_access(dmabuf, dir) : 0;
	return dmabuf->ops->end_cpu_access ?
	       dmabuf->ops->end_cpu_access(dmabuf, dir) : 0;
}
