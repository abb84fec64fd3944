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
 * The address space of the running kernel task: one per task of a scheduled
 * group, one for everything outside groups (linux/mm.h).  A process's own
 * user reference is never dropped.
 */
#define HARNESS_MM_INIT	{ .mmap_lock = { .name = "mmap_lock" }, .mm_users = { 1 } }

static struct mm_struct harness_mms[HARNESS_MAX_TASKS + 1] = {
	[0 ... HARNESS_MAX_TASKS] = HARNESS_MM_INIT
};

static struct mm_struct *current_mm(void)
{
	return &harness_mms[sched_self + 1];
}

static void mm_reset(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(harness_mms); i++)
		harness_mms[i] = (struct mm_struct)HARNESS_MM_INIT;
}

/*
 * mm/mmap.c, vm_mmap_pgoff() -> do_mmap() with MAP_SHARED, then
 * mmap_region(): all under the mm's mmap_lock held for writing.  PROT_WRITE
 * of a file not open for writing is EACCES before the file's mmap is
 * called; the new mapping is linked into the file's i_mmap only after the
 * file's mmap returned (__mmap_region(): mmap_file(), then
 * vma_link_file()), so until then unmap_mapping_range() cannot find it.
 * The mapping then holds the file (the simulator mirrors that reference
 * with harness_file_ref()).  Returns the new mapping or an ERR_PTR.
 */
static struct vm_area_struct *do_mmap(struct file *file, unsigned long pgoff,
				      unsigned long pages, bool write)
{
	struct mm_struct *mm = current_mm();
	struct vm_area_struct *vma;
	int err;

	if (write && !(file->f_mode & FMODE_WRITE))
		return ERR_PTR(-EACCES);
	if (!(file->f_mode & FMODE_READ))
		return ERR_PTR(-EACCES);
	vma = kzalloc(sizeof(*vma), GFP_KERNEL);
	if (!vma)
		return ERR_PTR(-ENOMEM);
	vma->vm_mm = mm;
	vma->vm_flags = VM_SHARED | VM_READ | (write ? VM_WRITE : 0);
	vma->vm_start = 0x10000000UL;
	vma->vm_end = vma->vm_start + (pages << PAGE_SHIFT);
	vma->vm_pgoff = pgoff;
	vma->vm_file = file;
	mmap_write_lock(mm);
	/* mmap_region() -> mmap_file() */
	err = dma_buf_mmap_internal(file, vma);
	if (err) {
		mmap_write_unlock(mm);
		kfree(vma);
		return ERR_PTR(err);
	}
	/* vma_link_file(): the file's mapping knows it, for the zaps */
	might_sleep();	/* i_mmap_lock_write() */
	list_add_tail(&vma->shared, &file->f_mapping->i_mmap);
	mmap_write_unlock(mm);
	return vma;
}
