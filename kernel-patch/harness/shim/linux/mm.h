/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/mm.h>.  A page belongs to a harness buffer
 * (the model's SndDmaBuffer) and carries its page frame number: contiguous
 * buffers have consecutive pfns, scattered ones do not.
 */
#ifndef _SHIM_LINUX_MM_H
#define _SHIM_LINUX_MM_H

#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

struct harness_buffer;

struct page {
	unsigned long pfn;
	struct harness_buffer *buffer;
};

typedef struct {
	unsigned long pgprot;
} pgprot_t;

struct vm_area_struct {
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_pgoff;
	pgprot_t vm_page_prot;
};

static inline unsigned long page_to_pfn(const struct page *page)
{
	return page->pfn;
}

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

static inline pgprot_t pgprot_writecombine(pgprot_t prot)
{
	return prot;
}

/* checks that the pfn is memory of a live buffer: a mapping of freed pages is a bug */
int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr,
		    unsigned long pfn, unsigned long size, pgprot_t prot);

#endif
