// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for mm/mmap.c: do_mmap() of a file mapping with
 * its permission checks and VMA flags, mmap_region() calling the file's
 * mmap and linking the mapping into the file's i_mmap, and the unmap of a
 * whole mapping (do_vmi_munmap() -> remove_vma()) with its vm_ops->close,
 * and of a mapping's tail (the split: __split_vma() and its vm_ops->open).
 * Included by harness.c (one translation unit: it shares the harness's
 * buffers, dma-bufs and fd state); one file per kernel file, so that
 * platform modelling (IOMMU, swiotlb, buffer types) goes where the kernel
 * has it.
 */

static int dma_buf_mmap_internal(struct file *file, struct vm_area_struct *vma);

/*
 * The address space of the running kernel task (linux/mm.h): outside a
 * group, that of the process whose syscall the host runs
 * (harness_process()); in a scheduled group, one per task.  A process's own
 * user reference is dropped at its exit only (harness_process_exit()), and
 * the mm stays as long as a grab of it (mmgrab()) does, as kernel/fork.c
 * keeps it.
 */
#define HARNESS_MM_INIT	{ .mmap_lock = { .m = { .name = "mmap_lock" } }, .mm_users = { 1 } }

static struct mm_struct harness_mms[HARNESS_MAX_PROCS + HARNESS_MAX_TASKS] = {
	[0 ... HARNESS_MAX_PROCS + HARNESS_MAX_TASKS - 1] = HARNESS_MM_INIT
};

/* the process of the host's syscalls outside a group */
static int current_proc;

static __kcsan_unchecked struct mm_struct *current_mm(void)
{
	if (sched_self >= 0)
		return &harness_mms[HARNESS_MAX_PROCS + sched_self];
	return &harness_mms[current_proc];
}

__kcsan_unchecked int harness_process(int proc)
{
	if (proc < 0 || proc >= HARNESS_MAX_PROCS)
		return -EINVAL;
	/* a task of a group runs in its own mm whatever the host says */
	if (sched_self < 0)
		current_proc = proc;
	return 0;
}

/*
 * kernel/exit.c, exit_mm(): the process drops its own user reference
 * (mmput()) once its mappings are gone; a record of the mm that grabbed it
 * still reaches it, with no users: mmget_not_zero() fails from now on.
 */
__kcsan_unchecked int harness_process_exit(int proc)
{
	if (proc < 0 || proc >= HARNESS_MAX_PROCS)
		return -EINVAL;
	harness_mms[proc].mm_users.counter = 0;
	return 0;
}

static __kcsan_unchecked void mm_reset(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(harness_mms); i++)
		harness_mms[i] = (struct mm_struct)HARNESS_MM_INIT;
	current_proc = 0;
}

/* every mapping do_mmap() made and no munmap removed, by its handle */
static LIST_HEAD(harness_vmas);
static int next_vma_id = 1;

static __kcsan_unchecked void vma_free(struct vm_area_struct *vma)
{
	kfree(vma->pte_pfn);
	kfree(vma->pte_page);
	kfree(vma->pte_prot);
	kfree(vma);
}

/* the page table of a mapping of @pages pages (linux/mm.h), all entries empty */
static __kcsan_unchecked int vma_alloc_ptes(struct vm_area_struct *vma, unsigned long pages)
{
	vma->pte_pfn = kcalloc(pages, sizeof(*vma->pte_pfn), GFP_KERNEL);
	vma->pte_page = kcalloc(pages, sizeof(*vma->pte_page), GFP_KERNEL);
	vma->pte_prot = kcalloc(pages, sizeof(*vma->pte_prot), GFP_KERNEL);
	return vma->pte_pfn && vma->pte_page && vma->pte_prot ? 0 : -ENOMEM;
}

/* the entries of the first @n pages of @from move to @to, which starts there */
static __kcsan_unchecked void move_ptes(struct vm_area_struct *to, struct vm_area_struct *from,
					unsigned long n)
{
	memcpy(to->pte_pfn, from->pte_pfn, n * sizeof(*to->pte_pfn));
	memcpy(to->pte_page, from->pte_page, n * sizeof(*to->pte_page));
	memcpy(to->pte_prot, from->pte_prot, n * sizeof(*to->pte_prot));
	memset(from->pte_pfn, 0, n * sizeof(*from->pte_pfn));
	memset(from->pte_page, 0, n * sizeof(*from->pte_page));
	memset(from->pte_prot, 0, n * sizeof(*from->pte_prot));
}

/*
 * mm/mmap.c, do_mmap(): a shared mapping with PROT_WRITE of a file without
 * FMODE_WRITE is EACCES, and one of a file without FMODE_WRITE loses
 * VM_SHARED and VM_MAYWRITE (it can never become writable; VM_MAYSHARE
 * says it is shared); any mapping of a file without FMODE_READ is EACCES.
 * Then mmap_region(): the file's mmap (call_mmap()), and the mapping is
 * linked into the file's i_mmap only after the file's mmap returned
 * (__mmap_region(): mmap_file(), then vma_link_file()), all under the mm's
 * mmap_lock held for writing (vm_mmap_pgoff()): until then
 * unmap_mapping_range() cannot find it.  The mapping holds the file (the
 * simulator mirrors that reference with harness_file_ref()).  Returns the
 * new mapping or an ERR_PTR.
 */
static __kcsan_unchecked struct vm_area_struct *do_mmap(struct file *file, unsigned long pgoff,
							unsigned long pages, bool write,
							bool shared)
{
	vm_flags_t vm_flags = VM_READ | (write ? VM_WRITE : 0) |
			      VM_MAYREAD | VM_MAYWRITE;
	struct mm_struct *mm = current_mm();
	struct vm_area_struct *vma;
	int err;

	if (shared) {
		if (write && !(file->f_mode & FMODE_WRITE))
			return ERR_PTR(-EACCES);
		vm_flags |= VM_SHARED | VM_MAYSHARE;
		if (!(file->f_mode & FMODE_WRITE))
			vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
	}
	if (!(file->f_mode & FMODE_READ))
		return ERR_PTR(-EACCES);
	vma = kzalloc(sizeof(*vma), GFP_KERNEL);
	if (!vma)
		return ERR_PTR(-ENOMEM);
	if (vma_alloc_ptes(vma, pages)) {
		vma_free(vma);
		return ERR_PTR(-ENOMEM);
	}
	vma->vm_mm = mm;
	vma->vm_flags = vm_flags;
	vma->vm_start = 0x10000000UL;
	vma->vm_end = vma->vm_start + (pages << PAGE_SHIFT);
	vma->vm_pgoff = pgoff;
	vma->vm_file = file;
	INIT_LIST_HEAD(&vma->shared);
	vma->id = next_vma_id++;
	mmap_write_lock(mm);
	/* mmap_region() -> call_mmap() */
	err = dma_buf_mmap_internal(file, vma);
	if (err) {
		/* mmap_region()'s unmap_and_free_vma: what the mmap mapped goes */
		zap_ptes(vma, 0, pages);
		mmap_write_unlock(mm);
		vma_free(vma);
		return ERR_PTR(err);
	}
	/* vma_link_file(): the file's mapping knows it, for the zaps */
	down_write(&file->f_mapping->i_mmap_rwsem);	/* i_mmap_lock_write() */
	list_add_tail(&vma->shared, &file->f_mapping->i_mmap);
	up_write(&file->f_mapping->i_mmap_rwsem);
	list_add_tail(&vma->node, &harness_vmas);
	mmap_write_unlock(mm);
	return vma;
}

static __kcsan_unchecked struct vm_area_struct *vma_by_id(int id)
{
	struct vm_area_struct *vma;

	list_for_each_entry(vma, &harness_vmas, node)
		if (vma->id == id)
			return vma;
	return NULL;
}

/*
 * mm/mmap.c, do_vmi_munmap() of a whole mapping: its page table is zapped
 * (unmap_region(), dropping the references of faulted-in pages), then
 * remove_vma(): vma_close() calls vm_ops->close, and the mapping leaves the
 * file's i_mmap.  The file reference it held is dropped by the caller
 * (fput() in remove_vma(), mirrored by the simulator).
 */
static __kcsan_unchecked void do_munmap(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	mmap_write_lock(mm);
	zap_ptes(vma, 0, vma_pages(vma));
	down_write(&vma->vm_file->f_mapping->i_mmap_rwsem);	/* i_mmap_lock_write() */
	list_del(&vma->shared);
	up_write(&vma->vm_file->f_mapping->i_mmap_rwsem);
	list_del(&vma->node);
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	mmap_write_unlock(mm);
	vma_free(vma);
}

/*
 * mm/vma.c, do_vmi_munmap() of the pages from @keep on of @vma, under the
 * mm's mmap_lock held for writing: vms_gather_munmap_vmas() splits the
 * mapping (__split_vma(vma, addr, new_below = 1)): the part that stays is a
 * new VMA, which gets vm_ops->open (no lock of the file's mapping held),
 * then vma_prepare()/vma_complete() under i_mmap_lock_write() shrink @vma
 * to the tail and link the new one into the file's i_mmap; then
 * vms_complete_munmap_vmas() zaps the tail's page table, unlinks @vma from
 * i_mmap and remove_vma() calls its vm_ops->close.  The page table is the
 * mm's in the kernel; here each VMA holds the entries of its range, so the
 * entries of the part that stays move to the new VMA with its range.  The
 * new part's get_file() and the old one's fput() cancel: neither is made.
 * The part that stays keeps the handle the simulator names it by.
 */
static __kcsan_unchecked int do_munmap_tail(struct vm_area_struct *vma, unsigned long keep)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *new;

	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (new) {
		*new = *vma;	/* vm_area_dup() */
		if (vma_alloc_ptes(new, keep)) {
			vma_free(new);
			new = NULL;
		}
	}
	if (!new) {
		harness_bug("munmap of a mapping's tail: no memory for the split");
		return -ENOMEM;
	}
	new->vm_end = new->vm_start + (keep << PAGE_SHIFT);
	INIT_LIST_HEAD(&new->shared);
	INIT_LIST_HEAD(&new->node);
	mmap_write_lock(mm);
	if (new->vm_ops && new->vm_ops->open)
		new->vm_ops->open(new);
	down_write(&mapping->i_mmap_rwsem);	/* vma_prepare() */
	move_ptes(new, vma, keep);
	list_add_tail(&new->shared, &mapping->i_mmap);
	up_write(&mapping->i_mmap_rwsem);	/* vma_complete() */
	list_add(&new->node, &vma->node);
	list_del(&vma->node);
	/* vms_complete_munmap_vmas(): the tail's page table, then the VMA */
	zap_ptes(vma, keep, vma_pages(vma) - keep);
	down_write(&mapping->i_mmap_rwsem);
	list_del(&vma->shared);
	up_write(&mapping->i_mmap_rwsem);
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	mmap_write_unlock(mm);
	vma_free(vma);
	return 0;
}

/* harness_reset(): the script's mappings go without their close */
static __kcsan_unchecked void mmap_reset(void)
{
	INIT_LIST_HEAD(&harness_vmas);
	next_vma_id = 1;
}
