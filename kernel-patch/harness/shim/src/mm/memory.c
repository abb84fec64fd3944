// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for mm/memory.c: a page table per mapping (one
 * entry per page, vm_area_struct.pte_*), filled by remap_pfn_range(), by
 * the vmf_insert_*() calls of a fault handler or by the page a fault
 * handler returns (finish_fault(), which keeps the handler's page
 * reference), and emptied by the zaps of unmap_mapping_range() over the
 * range it is given, which drop those references.  A CPU access through an
 * empty entry faults into the vm_ops (SIGBUS on VM_FAULT_SIGBUS).
 * Included by harness.c (one translation unit: it shares the harness's
 * buffers, dma-bufs and fd state); one file per kernel file, so that
 * platform modelling (IOMMU, swiotlb, buffer types) goes where the kernel
 * has it.
 */

#include <linux/mmap_lock.h>

static bool file_allocated(struct file *file);

/* the page of a live buffer at @pfn, NULL if no live buffer has it */
static __kcsan_unchecked struct page *pfn_to_live_page(unsigned long pfn)
{
	struct harness_buffer *b;
	unsigned int i;

	list_for_each_entry(b, &buffers, node)
		for (i = 0; i < b->npages; i++)
			if (b->pages[i].pfn == pfn)
				return &b->pages[i];
	return NULL;
}

/* include/linux/mm.h, get_page(): VM_BUG_ON_PAGE() on a page nobody holds */
__kcsan_unchecked void get_page(struct page *page)
{
	if (page->refcount <= 0) {
		harness_bug("get_page() of pfn %#lx, a page nobody holds (VM_BUG_ON_PAGE)",
			    page->pfn);
		return;
	}
	page->refcount++;
}

/*
 * include/linux/mm.h, put_page(): the last reference frees the page.  Its
 * buffer holds one while it is allocated, so a put that frees a page of a
 * live buffer drops a reference nobody took (mm/page_alloc.c,
 * free_pages_prepare(), "Bad page state" once the buffer frees it again).
 */
__kcsan_unchecked void put_page(struct page *page)
{
	if (--page->refcount <= 0)
		harness_bug("put_page() freed pfn %#lx, which buffer %d still holds: a page table held a reference nobody took (get_page() missing in a fault handler)",
			    page->pfn, page->buffer->id);
}

/*
 * Entry @i of @vma gets @pfn, with the reference of @page if not NULL.
 * Memory the kernel maps non-cacheable (a non-coherent device's DMA
 * memory) mapped cacheable here, or the converse, is a mismatched alias:
 * on arm64 neither sees the other's writes in order (the Arm ARM's
 * "mismatched memory attributes"; kernel/dma/direct.c, dma_direct_mmap(),
 * maps it with dma_pgprot() for that reason).
 */
static __kcsan_unchecked void set_pte(struct vm_area_struct *vma, unsigned long i,
				      unsigned long pfn, struct page *page, pgprot_t prot)
{
	struct page *mem = pfn_to_live_page(pfn);
	bool nc = prot.pgprot & PGPROT_NC;

	if (mem && nc != mem->buffer->uncached)
		harness_bug("CPU mapping %d maps page %ld of buffer %d %s, which the kernel maps %s: mismatched memory attributes",
			    vma->id, (long)(mem - mem->buffer->pages), mem->buffer->id,
			    nc ? "non-cacheable" : "cacheable",
			    mem->buffer->uncached ? "non-cacheable" : "cacheable");
	vma->pte_pfn[i] = pfn;
	vma->pte_page[i] = page;
	vma->pte_prot[i] = prot.pgprot;
}

/* the entry of the page at user address @addr of @vma, -1 outside it */
static __kcsan_unchecked long pte_index(struct vm_area_struct *vma, unsigned long addr)
{
	if (addr < vma->vm_start || addr >= vma->vm_end || addr % PAGE_SIZE)
		return -1;
	return (long)((addr - vma->vm_start) >> PAGE_SHIFT);
}

/* zap_pte_range(): the entries lose their pfns, their pages their reference */
static __kcsan_unchecked void zap_ptes(struct vm_area_struct *vma, unsigned long first,
				       unsigned long n)
{
	unsigned long i;

	for (i = first; i < first + n && i < vma_pages(vma); i++) {
		if (vma->pte_page[i])
			put_page(vma->pte_page[i]);
		vma->pte_page[i] = NULL;
		vma->pte_pfn[i] = 0;
		vma->pte_prot[i] = 0;
	}
}

/*
 * mm/memory.c, remap_pfn_range() -> remap_pfn_range_internal(): the VMA
 * becomes VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP, a private
 * (copy-on-write) mapping only as a whole, and each page's entry gets its
 * pfn, holding no page reference.  The harness checks the pfns are memory
 * of a live buffer: a mapping of freed pages is a bug.
 */
__kcsan_unchecked int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr,
				      unsigned long pfn, unsigned long size, pgprot_t prot)
{
	unsigned long n = PAGE_ALIGN(size) >> PAGE_SHIFT, i;
	long first = pte_index(vma, addr);

	/*
	 * mm/memory.c, remap_pfn_range_internal(): WARN_ON_ONCE() of an
	 * address not page-aligned, BUG_ON(addr >= end) of an empty range
	 */
	if (addr & (PAGE_SIZE - 1)) {
		harness_bug("WARNING in remap_pfn_range(): address %#lx is not page-aligned", addr);
		return -EINVAL;
	}
	if (!n) {
		harness_bug("kernel BUG in remap_pfn_range(): an empty range at %#lx", addr);
		return -EINVAL;
	}
	if (first < 0 || addr + PAGE_ALIGN(size) > vma->vm_end) {
		harness_bug("remap_pfn_range of %#lx bytes at %#lx, outside the VMA",
			    size, addr);
		return -EINVAL;
	}
	if (is_cow_mapping(vma->vm_flags) &&
	    (addr != vma->vm_start || addr + PAGE_ALIGN(size) != vma->vm_end))
		return -EINVAL;
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	for (i = 0; i < n; i++) {
		if (!pfn_to_live_page(pfn + i)) {
			harness_bug("remap_pfn_range of pfn %#lx, which is no live buffer",
				    pfn + i);
			zap_ptes(vma, first, i);
			return -EFAULT;
		}
		set_pte(vma, first + i, pfn + i, NULL, prot);
	}
	return 0;
}

/*
 * mm/memory.c, vm_insert_page(): the VMA becomes VM_MIXEDMAP (a BUG_ON() if
 * it is VM_PFNMAP), and insert_page() gives the entry the page with a
 * reference of its own; an entry that maps something already is -EBUSY.
 * remap_vmalloc_range() maps a vmalloc buffer with it, page by page.
 */
__kcsan_unchecked int vm_insert_page(struct vm_area_struct *vma, unsigned long addr,
				     struct page *page)
{
	long i = pte_index(vma, addr);

	if (i < 0)
		return -EFAULT;
	if (page->refcount <= 0)
		return -EINVAL;
	if (!(vma->vm_flags & VM_MIXEDMAP)) {
		if (vma->vm_flags & VM_PFNMAP)
			harness_bug("kernel BUG in vm_insert_page(): a VM_PFNMAP VMA");
		vm_flags_set(vma, VM_MIXEDMAP);
	}
	if (vma->pte_pfn[i])
		return -EBUSY;
	get_page(page);
	set_pte(vma, i, page->pfn, page, vma->vm_page_prot);
	return 0;
}

/*
 * mm/memory.c, insert_pfn(): an entry that maps something already is left
 * as it is (another thread faulted it in); else it gets the bare pfn.
 */
static __kcsan_unchecked vm_fault_t insert_pfn(struct vm_area_struct *vma, unsigned long addr,
					       unsigned long pfn, pgprot_t prot)
{
	long i = pte_index(vma, addr);

	if (!pfn_to_live_page(pfn)) {
		harness_bug("vmf_insert_pfn of pfn %#lx, which is no live buffer", pfn);
		return VM_FAULT_SIGBUS;
	}
	if (!vma->pte_pfn[i])
		set_pte(vma, i, pfn, NULL, prot);
	return VM_FAULT_NOPAGE;
}

/*
 * mm/memory.c, vmf_insert_pfn_prot(): only in a VM_PFNMAP or VM_MIXEDMAP
 * mapping (not both), a VM_PFNMAP one not copy-on-write, and a VM_MIXEDMAP
 * one only for a pfn without struct page (every page of the harness's
 * buffers has one): each a BUG_ON(); an address outside the VMA is SIGBUS.
 */
__kcsan_unchecked vm_fault_t vmf_insert_pfn_prot(struct vm_area_struct *vma, unsigned long addr,
						 unsigned long pfn, pgprot_t pgprot)
{
	vm_flags_t map = vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP);

	if (!map || map == (VM_PFNMAP | VM_MIXEDMAP) ||
	    ((vma->vm_flags & VM_PFNMAP) && is_cow_mapping(vma->vm_flags)) ||
	    (vma->vm_flags & VM_MIXEDMAP)) {
		harness_bug("kernel BUG in vmf_insert_pfn_prot(): VMA flags %#lx, pfn %#lx",
			    vma->vm_flags, pfn);
		return VM_FAULT_SIGBUS;
	}
	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGBUS;
	return insert_pfn(vma, addr, pfn, pgprot);
}

__kcsan_unchecked vm_fault_t vmf_insert_pfn(struct vm_area_struct *vma, unsigned long addr,
					    unsigned long pfn)
{
	return vmf_insert_pfn_prot(vma, addr, pfn, vma->vm_page_prot);
}

/*
 * mm/memory.c, vmf_insert_mixed() -> __vm_insert_mixed(): vm_mixed_ok()
 * wants VM_MIXEDMAP for a pfn with struct page, else SIGBUS; arm64 has
 * pte_special, so the pfn is inserted bare, without a page reference.
 */
__kcsan_unchecked vm_fault_t vmf_insert_mixed(struct vm_area_struct *vma, unsigned long addr,
					      unsigned long pfn)
{
	if (!(vma->vm_flags & VM_MIXEDMAP))
		return VM_FAULT_SIGBUS;
	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGBUS;
	return insert_pfn(vma, addr, pfn, vma->vm_page_prot);
}

/*
 * mm/memory.c, unmap_mapping_range() -> unmap_mapping_pages() ->
 * unmap_mapping_range_tree(): the pages of the file from @holebegin
 * (rounded down) for @holelen bytes (rounded up; 0: to the end of the file)
 * lose their entries in every shared mapping of @mapping; @even_cows only
 * concerns the copied pages of private mappings, which the dma-buf mmap
 * refuses.
 */
__kcsan_unchecked void unmap_mapping_range(struct address_space *mapping, long long holebegin,
					   long long holelen, int even_cows)
{
	unsigned long first = (unsigned long)holebegin >> PAGE_SHIFT;
	unsigned long nr = ((unsigned long)holelen + PAGE_SIZE - 1) >> PAGE_SHIFT;
	unsigned long last = first + nr - 1;
	struct vm_area_struct *vma;

	(void)even_cows;
	/*
	 * Every address_space of the harness is a file's (a dma-buf's inode is
	 * its file's here): one of a freed file was read from memory the file
	 * slab hands out again, a use after free KASAN does not see
	 * (SLAB_TYPESAFE_BY_RCU), which zaps whatever file is there next
	 */
	if (!file_allocated(container_of(mapping, struct file, mapping)))
		harness_bug("unmap_mapping_range() of the mapping of a freed file: a struct file used after its last fput()");
	if (last < first)
		last = ~0UL;
	/* i_mmap_lock_read(): an munmap cannot unlink a mapping under the walk */
	down_read(&mapping->i_mmap_rwsem);
	list_for_each_entry(vma, &mapping->i_mmap, shared) {
		unsigned long vfirst = vma->vm_pgoff;
		unsigned long vlast = vma->vm_pgoff + vma_pages(vma) - 1;
		unsigned long zfirst = first > vfirst ? first : vfirst;
		unsigned long zlast = last < vlast ? last : vlast;

		if (zfirst <= zlast)
			zap_ptes(vma, zfirst - vfirst, zlast - zfirst + 1);
	}
	/*
	 * Counted before the release, a scheduling point: a fault whose
	 * handler installed an entry this walk took away sees the count moved
	 * as soon as it can see the entry gone, and faults again
	 */
	mapping->zaps++;
	up_read(&mapping->i_mmap_rwsem);
}

/*
 * A CPU access to page @index of @vma: mm/memory.c, handle_mm_fault() ->
 * do_fault() -> __do_fault() when the page table has no entry: the
 * vm_ops' fault handler; VM_FAULT_SIGBUS becomes SIGBUS
 * (arch/arm64/mm/fault.c, do_page_fault()), VM_FAULT_NOPAGE means the
 * handler installed the entry itself (vmf_insert_pfn()), 0 that it returns
 * a page with a reference taken for the entry (finish_fault()).  Returns 0
 * when the access reaches memory, else the signal (7, SIGBUS).
 */
static __kcsan_unchecked int __handle_mm_fault(struct vm_area_struct *vma, unsigned long index)
{
	struct vm_fault vmf = {
		.vma = vma,
		.pgoff = vma->vm_pgoff + index,
		.address = vma->vm_start + (index << PAGE_SHIFT),
	};
	vm_fault_t ret;
	int zaps;

again:
	if (vma->pte_pfn[index])
		return 0;
	if (!vma->vm_ops || !vma->vm_ops->fault)
		return 7;
	zaps = vma->vm_file->f_mapping->zaps;
	ret = vma->vm_ops->fault(&vmf);
	if (ret & (VM_FAULT_SIGBUS | VM_FAULT_OOM))
		return 7;
	if (ret & VM_FAULT_NOPAGE) {
		/*
		 * The entry the handler installed may be gone already: a zap
		 * of another task came after it let go of its lock, and the
		 * access faults again, as the CPU retries it
		 */
		if (!vma->pte_pfn[index] && vma->vm_file->f_mapping->zaps != zaps)
			goto again;
		/* the handler installed nothing: the access faults again, forever */
		if (!vma->pte_pfn[index]) {
			harness_bug("fault handler answered VM_FAULT_NOPAGE for page %lu without installing it",
				    vmf.pgoff);
			return 7;
		}
		return 0;
	}
	/* __do_fault(): lock_page(vmf->page), an oops on NULL */
	if (!vmf.page) {
		harness_bug("BUG: kernel NULL pointer dereference: fault handler answered 0 without a page (page %lu)",
			    vmf.pgoff);
		return 7;
	}
	if (vmf.page->refcount < 2) {
		harness_bug("fault handler returned pfn %#lx without a reference for the page table (get_page() missing)",
			    vmf.page->pfn);
		vmf.page->refcount++;
	}
	/*
	 * finish_fault() -> set_pte_range(): the entry keeps the handler's
	 * reference; it is set after the handler returned, under the page
	 * table lock only
	 */
	harness_sched_point("finish_fault");
	set_pte(vma, index, vmf.page->pfn, vmf.page, vma->vm_page_prot);
	return 0;
}

static struct mm_struct *current_mm(void);

/*
 * __might_fault(): a user access of the running task may fault, and the
 * fault takes its mm's mmap_lock for reading: lockdep's might_lock_read()
 * adds an edge from every lock held to mmap_lock without taking it.  No
 * scheduling point: __might_sleep() only checks the context.
 */
__kcsan_unchecked void harness_might_fault(const char *file, int line)
{
	struct mm_struct *mm = current_mm();
	struct harness_site site = { file, line };

	if (harness_lockdep_spin_depth())
		harness_bug("BUG: sleeping function called from invalid context at %s:%d (%s held): a user access may fault",
			    site_file(file), line, harness_lockdep_held_spin());
	harness_lockdep_acquire(&mm->mmap_lock.m, site, false, 0, true);
	harness_lockdep_release(&mm->mmap_lock.m);
}

/* do_user_addr_fault(): the fault runs under the mm's mmap_lock */
static __kcsan_unchecked int handle_mm_fault(struct vm_area_struct *vma, unsigned long index)
{
	int sig;

	if (vma->pte_pfn[index])
		return 0;
	mmap_read_lock(vma->vm_mm);
	sig = __handle_mm_fault(vma, index);
	mmap_read_unlock(vma->vm_mm);
	return sig;
}
