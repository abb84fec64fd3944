// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for mm/gup.c: get_user_pages() of a whole mapping,
 * as vmsplice(2) of it (fs/splice.c, vmsplice_to_pipe() ->
 * iov_iter_extract_pages()) or an O_DIRECT transfer from or into it takes
 * it, and the release of what it took (put_page() of each, the pipe's
 * buffers released).  A pin is a page reference of its own: the zaps of
 * unmap_mapping_range() drop the page table's references, never a pin's,
 * so a pinned page stays reachable to the pinning process after a
 * revocation took the memory from its mappings.  Included by harness.c
 * (one translation unit: it shares the harness's buffers and mappings).
 */

/* a page reference get_user_pages() took through mapping @handle */
struct harness_pin {
	int handle;
	struct page *page;	/* NULL once its buffer was freed under it */
	struct list_head node;
};

static LIST_HEAD(harness_pins);

/*
 * mm/gup.c, check_vma_flags(): a VM_IO or VM_PFNMAP mapping has no pages
 * to take (raw page frames, remap_pfn_range() or vmf_insert_pfn()), and
 * without FOLL_FORCE a write pin needs VM_WRITE, a read pin VM_READ
 */
static __kcsan_unchecked int check_vma_flags(struct vm_area_struct *vma, bool write)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return -EFAULT;
	if (write ? !(vma->vm_flags & VM_WRITE) : !(vma->vm_flags & VM_READ))
		return -EFAULT;
	return 0;
}

/* drops the pins on @list taken through mapping @handle; how many */
static __kcsan_unchecked int unpin_list(struct list_head *list, int handle)
{
	struct harness_pin *pin, *next;
	int n = 0;

	list_for_each_entry_safe(pin, next, list, node) {
		if (pin->handle != handle)
			continue;
		if (pin->page)
			put_page(pin->page);
		list_del(&pin->node);
		kfree(pin);
		n++;
	}
	return n;
}

/*
 * mm/gup.c, __get_user_pages() under the mm's mmap_lock: check_vma_flags(),
 * then per page follow_page_pte(): an empty entry is faulted in
 * (faultin_page() -> handle_mm_fault(); VM_FAULT_SIGBUS is -EFAULT), and
 * vm_normal_page() of the entry gives the page, NULL for a special entry
 * (vmf_insert_pfn(), vmf_insert_mixed() of a pfn: -EFAULT); a page a fault
 * handler returned or vm_insert_page() (vm_map_pages(),
 * remap_vmalloc_range()) installed is normal, and try_grab_folio() takes a
 * reference on it (get_user_pages_fast() sends a page with no mapping, as
 * these, to this slow path: gup_fast_folio_allowed()).  The harness pins
 * every page or none: a failure drops what the call took.  Returns the
 * pages pinned, or -errno.
 */
__kcsan_unchecked long harness_gup(int handle, int write)
{
	struct vm_area_struct *vma = vma_by_id(handle);
	struct list_head taken = { &taken, &taken };
	struct harness_pin *pin;
	unsigned long i;
	int err;

	if (!vma)
		return -EFAULT;	/* no mapping at the address any more */
	mmap_read_lock(vma->vm_mm);
	err = check_vma_flags(vma, write);
	for (i = 0; !err && i < vma_pages(vma); i++) {
		if (!vma->pte_pfn[i] && __handle_mm_fault(vma, i))
			err = -EFAULT;
		else if (!vma->pte_page[i])
			err = -EFAULT;
		if (err)
			break;
		pin = core_zalloc(sizeof(*pin));
		pin->handle = handle;
		pin->page = vma->pte_page[i];
		get_page(pin->page);
		list_add_tail(&pin->node, &taken);
	}
	mmap_read_unlock(vma->vm_mm);
	if (err) {
		unpin_list(&taken, handle);
		return err;
	}
	while (!list_empty(&taken)) {
		pin = list_entry(taken.next, struct harness_pin, node);
		list_del(&pin->node);
		list_add_tail(&pin->node, &harness_pins);
	}
	return (long)vma_pages(vma);
}

/* unpin_user_pages() of every pin taken through mapping @handle: how many, or -EINVAL for none */
__kcsan_unchecked int harness_unpin(int handle)
{
	int n = unpin_list(&harness_pins, handle);

	return n ? n : -EINVAL;
}

/*
 * buffer_free(): a pinned page of a buffer freed (the card's memory handed
 * out again, or to the allocator) is memory its pinning process keeps
 * reaching; reported, the pin then holds nothing
 */
static __kcsan_unchecked void gup_check_unused(struct harness_buffer *b)
{
	struct harness_pin *pin;

	list_for_each_entry(pin, &harness_pins, node)
		if (pin->page && pin->page->buffer == b) {
			harness_bug("buffer %d freed while a get_user_pages() pin taken through CPU mapping %d holds its page %ld: the pinning process keeps reading and writing memory the card hands out again (PERM-GUP-EFAULT)",
				    b->id, pin->handle, (long)(pin->page - b->pages));
			pin->page = NULL;
		}
}

/* harness_reset(): the script's pins go with its buffers */
static __kcsan_unchecked void gup_reset(void)
{
	struct harness_pin *pin, *next;

	list_for_each_entry_safe(pin, next, &harness_pins, node)
		kfree(pin);
	INIT_LIST_HEAD(&harness_pins);
}
