/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/mm.h>.  A page belongs to a harness buffer
 * (the model's SndDmaBuffer) and carries its page frame number: contiguous
 * buffers have consecutive pfns, scattered ones do not.
 */
#ifndef _SHIM_LINUX_MM_H
#define _SHIM_LINUX_MM_H

#include <asm/errno.h>
#include <linux/bug.h>
#include <linux/list.h>
#include <linux/mutex.h>
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

typedef unsigned long vm_flags_t;
typedef unsigned int vm_fault_t;

/* include/linux/mm.h */
#define VM_READ		0x00000001
#define VM_WRITE	0x00000002
#define VM_SHARED	0x00000008
#define VM_PFNMAP	0x00000400
#define VM_IO		0x00004000
#define VM_DONTEXPAND	0x00040000
#define VM_DONTDUMP	0x04000000

/* include/linux/mm_types.h */
#define VM_FAULT_SIGBUS	0x000002
#define VM_FAULT_NOPAGE	0x000100

struct vm_area_struct;
struct address_space;

struct vm_fault {
	struct vm_area_struct *vma;
	unsigned long address;
	unsigned long pgoff;
	struct page *page;
};

struct vm_operations_struct {
	void (*open)(struct vm_area_struct *area);
	void (*close)(struct vm_area_struct *area);
	vm_fault_t (*fault)(struct vm_fault *vmf);
};

struct file;

/*
 * include/linux/mm_types.h: an address space.  Each kernel task of the
 * harness's scheduler runs in an mm of its own (two threads of one process
 * are two mms here: more interleavings than the kernel allows, never
 * fewer).  mmap_lock is a rw_semaphore in the kernel; here readers exclude
 * each other too, which only removes interleavings of readers, and it takes
 * part in the scheduler and the lock-order graph as every lock does.
 */
struct mm_struct {
	struct mutex mmap_lock;
	atomic_t mm_users;	/* the process's own reference, never dropped */
	atomic_t mm_count;	/* mmgrab() */
};

struct vm_area_struct {
	struct mm_struct *vm_mm;
	unsigned long vm_start;
	unsigned long vm_end;
	unsigned long vm_pgoff;
	pgprot_t vm_page_prot;
	vm_flags_t vm_flags;
	const struct vm_operations_struct *vm_ops;
	void *vm_private_data;
	struct file *vm_file;
	/* entry in vm_file->f_mapping->i_mmap */
	struct list_head shared;
	/* pages in its page table (remap_pfn_range()), none once zapped */
	bool populated;
	bool zapped;
};

static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

/* a page reference: the harness's pages live as long as their buffer */
static inline void get_page(struct page *page)
{
	(void)page;
}

/* mm/memory.c: zap the user mappings of @mapping (the harness counts them) */
void unmap_mapping_range(struct address_space *mapping, long long holebegin,
			 long long holelen, int even_cows);

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

/* mm/memory.c: sets one page table entry of a VM_PFNMAP mapping, checked as remap_pfn_range() */
vm_fault_t vmf_insert_pfn(struct vm_area_struct *vma, unsigned long addr,
			  unsigned long pfn);

/* checks that the pfn is memory of a live buffer: a mapping of freed pages is a bug */
int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr,
		    unsigned long pfn, unsigned long size, pgprot_t prot);

/*
 * The call of the code under test (linux/fault-inject.h): fallible, -ENOMEM
 * when a page table cannot be allocated (mm/memory.c,
 * remap_pfn_range_internal()).  harness_unwrap.h takes it away for the
 * shims.
 */
static inline int __remap_pfn_range_at(struct vm_area_struct *vma,
				       unsigned long addr, unsigned long pfn,
				       unsigned long size, pgprot_t prot,
				       const char *file, int line, int fallible)
{
	if (harness_should_fail("remap_pfn_range", -ENOMEM, file, line, fallible))
		return -ENOMEM;
	return (remap_pfn_range)(vma, addr, pfn, size, prot);
}

#define remap_pfn_range(vma, addr, pfn, size, prot)			\
	__remap_pfn_range_at((vma), (addr), (pfn), (size), (prot), __FILE__,	\
			     __LINE__, HARNESS_FALLIBLE)

#endif
