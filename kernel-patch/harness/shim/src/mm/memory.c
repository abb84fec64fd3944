// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for mm/memory.c: remap_pfn_range() checks it maps
 * live buffer memory and populates the mapping; unmap_mapping_range() zaps
 * every mapping of the file, counting the zaps; a CPU access through a
 * mapping whose page table has no pages faults into the vm_ops (SIGBUS on
 * VM_FAULT_SIGBUS). Included by harness.c (one translation unit: it shares
 * the harness's buffers, dma-bufs and fd state); one file per kernel file,
 * so that platform modelling (IOMMU, swiotlb, buffer types) goes where the
 * kernel has it.
 */

#include <linux/mmap_lock.h>

int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr,
		    unsigned long pfn, unsigned long size, pgprot_t prot)
{
	struct harness_buffer *b;
	unsigned int i;

	(void)addr;
	(void)size;
	(void)prot;
	list_for_each_entry(b, &buffers, node)
		for (i = 0; i < b->npages; i++)
			if (b->pages[i].pfn == pfn) {
				vma->populated = true;
				return 0;
			}
	harness_bug("remap_pfn_range of pfn %#lx, which is no live buffer", pfn);
	return -EFAULT;
}

/*
 * mm/memory.c, vmf_insert_pfn() -> vmf_insert_pfn_prot(): only in a
 * VM_PFNMAP or VM_MIXEDMAP mapping (BUG_ON), of live buffer memory; the
 * fault handler has then set the entry itself (VM_FAULT_NOPAGE).
 */
vm_fault_t vmf_insert_pfn(struct vm_area_struct *vma, unsigned long addr,
			  unsigned long pfn)
{
	(void)addr;
	if (!(vma->vm_flags & VM_PFNMAP)) {
		harness_bug("vmf_insert_pfn in a mapping without VM_PFNMAP (mm/memory.c: BUG_ON)");
		return VM_FAULT_SIGBUS;
	}
	if (remap_pfn_range(vma, addr, pfn, PAGE_SIZE, vma->vm_page_prot))
		return VM_FAULT_SIGBUS;
	return VM_FAULT_NOPAGE;
}

/*
 * mm/memory.c, unmap_mapping_range() -> unmap_mapping_range_tree(): the
 * page tables of every shared mapping of @mapping lose their pages, so the
 * next access faults (the harness zaps whole mappings, as the patch asks).
 */
void unmap_mapping_range(struct address_space *mapping, long long holebegin,
			 long long holelen, int even_cows)
{
	struct vm_area_struct *vma;

	might_sleep();	/* i_mmap_lock_read() */
	list_for_each_entry(vma, &mapping->i_mmap, shared) {
		vma->populated = false;
		vma->zapped = true;
	}
	mapping->zaps++;
}

/*
 * A CPU access to page @pgoff of @vma: mm/memory.c, handle_mm_fault() ->
 * __do_fault() when the page table has no page: the vm_ops' fault handler,
 * VM_FAULT_SIGBUS becoming SIGBUS (arch/arm64/mm/fault.c,
 * do_page_fault()).  Returns 0 when the access reaches memory, else the
 * signal (7, SIGBUS).
 */
static int handle_mm_fault(struct vm_area_struct *vma, unsigned long pgoff)
{
	struct vm_fault vmf = {
		.vma = vma,
		.address = vma->vm_start + (pgoff << PAGE_SHIFT),
		.pgoff = vma->vm_pgoff + pgoff,
	};
	vm_fault_t ret;

	if (vma->populated)
		return 0;
	if (!vma->vm_ops || !vma->vm_ops->fault)
		return 7;
	/* do_user_addr_fault(): the fault runs under the mm's mmap_lock */
	mmap_read_lock(vma->vm_mm);
	ret = vma->vm_ops->fault(&vmf);
	if (!(ret & (VM_FAULT_SIGBUS | VM_FAULT_NOPAGE))) {
		/*
		 * finish_fault(): the entry of the page the handler returned is
		 * set after it returned, under the page table lock only
		 */
		harness_sched_point("finish_fault");
		vma->populated = true;
	}
	mmap_read_unlock(vma->vm_mm);
	return ret & VM_FAULT_SIGBUS ? 7 : 0;
}
