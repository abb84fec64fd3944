// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for mm/mmap.c: do_mmap() of a shared file mapping
 * with its permission checks, mmap_region() calling the file's mmap and
 * linking the mapping into the file's i_mmap.
 * Included by harness.c (one translation unit: it shares the harness's
 * buffers, dma-bufs and fd state); one file per kernel file, so that
 * platform modelling (IOMMU, swiotlb, buffer types) goes where the kernel
 * has it.
 */

static int dma_buf_mmap_internal(struct file *file, struct vm_area_struct *vma);

/*
 * mm/mmap.c, do_mmap() with MAP_SHARED, then mmap_region(): PROT_WRITE of a
 * file not open for writing is EACCES before the file's mmap is called;
 * the mapping then holds the file (the simulator mirrors that reference
 * with harness_file_ref()).  Returns the new mapping or an ERR_PTR.
 */
static struct vm_area_struct *do_mmap(struct file *file, unsigned long pgoff,
				      unsigned long pages, bool write)
{
	struct vm_area_struct *vma;
	int err;

	if (write && !(file->f_mode & FMODE_WRITE))
		return ERR_PTR(-EACCES);
	if (!(file->f_mode & FMODE_READ))
		return ERR_PTR(-EACCES);
	vma = kzalloc(sizeof(*vma), GFP_KERNEL);
	if (!vma)
		return ERR_PTR(-ENOMEM);
	vma->vm_flags = VM_SHARED | VM_READ | (write ? VM_WRITE : 0);
	vma->vm_start = 0x10000000UL;
	vma->vm_end = vma->vm_start + (pages << PAGE_SHIFT);
	vma->vm_pgoff = pgoff;
	vma->vm_file = file;
	/* mmap_region() -> call_mmap() */
	err = dma_buf_mmap_internal(file, vma);
	if (err) {
		kfree(vma);
		return ERR_PTR(err);
	}
	/* vma_link_file(): the file's mapping knows it, for the zaps */
	might_sleep();	/* i_mmap_lock_write() */
	list_add_tail(&vma->shared, &file->f_mapping->i_mmap);
	return vma;
}
