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
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/types.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_ALIGN(x)	(((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

struct harness_buffer;

/*
 * @refcount is the page's _refcount: its buffer holds one reference while it
 * is allocated, a page table entry installed by a fault another
 * (mm/memory.c, finish_fault(): the reference the fault handler took).
 */
struct page {
	unsigned long pfn;
	struct harness_buffer *buffer;
	int refcount;
};

/*
 * The memory type of a mapping, all the harness tells apart: arm64's
 * MT_NORMAL (cacheable, 0) or MT_NORMAL_NC (PGPROT_NC), which
 * pgprot_writecombine() and pgprot_dmacoherent() both give
 * (arch/arm64/include/asm/pgtable.h).
 */
typedef struct {
	unsigned long pgprot;
} pgprot_t;

#define PGPROT_NC	0x1UL

typedef unsigned long vm_flags_t;
typedef unsigned int vm_fault_t;

/* include/linux/mm.h */
#define VM_READ		0x00000001
#define VM_WRITE	0x00000002
#define VM_SHARED	0x00000008
#define VM_MAYREAD	0x00000010
#define VM_MAYWRITE	0x00000020
#define VM_MAYSHARE	0x00000080
#define VM_PFNMAP	0x00000400
#define VM_IO		0x00004000
#define VM_DONTEXPAND	0x00040000
#define VM_DONTDUMP	0x04000000
#define VM_MIXEDMAP	0x10000000

/* include/linux/mm_types.h */
#define VM_FAULT_OOM	0x000001
#define VM_FAULT_SIGBUS	0x000002
#define VM_FAULT_NOPAGE	0x000100

struct vm_area_struct;
struct address_space;

struct vm_fault {
	struct vm_area_struct *vma;
	unsigned long pgoff;
	unsigned long address;
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
 * fewer); a revocation takes the mmap_lock of every mm that mapped the
 * dma-buf, so tasks meet on it there.  mmap_lock is a rw_semaphore, as in
 * the kernel (linux/rwsem.h): faults share it, mmap and munmap exclude.
 */
struct mm_struct {
	struct rw_semaphore mmap_lock;
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
	/*
	 * The page table: one entry per page of the mapping, the pfn it maps
	 * (0: none, the next access faults) and, for a page a fault installed,
	 * the struct page whose reference the entry holds; remap_pfn_range()
	 * and vmf_insert_pfn() map bare pfns (VM_PFNMAP), holding nothing.
	 */
	unsigned long *pte_pfn;
	struct page **pte_page;
	unsigned long *pte_prot;	/* the memory type of each entry */
	/* the handle the simulator names it by (harness_munmap()) */
	int id;
	struct list_head node;
};

static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

/*
 * include/linux/mm.h, get_page() and put_page(): a reference on a page
 * nobody holds is VM_BUG_ON_PAGE(); the last put frees the page, which
 * while its buffer still holds it is memory the buffer hands out again
 * (mm/page_alloc.c, free_pages_prepare(): "Bad page state").
 */
void get_page(struct page *page);
void put_page(struct page *page);

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

/* include/linux/mm.h: a private mapping that may be written copies on write */
static inline bool is_cow_mapping(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

int vm_insert_page(struct vm_area_struct *vma, unsigned long addr,
		   struct page *page);

/* mm/memory.c: a fault handler's insertion of a page frame */
vm_fault_t vmf_insert_pfn_prot(struct vm_area_struct *vma, unsigned long addr,
			       unsigned long pfn, pgprot_t pgprot);
vm_fault_t vmf_insert_pfn(struct vm_area_struct *vma, unsigned long addr,
			  unsigned long pfn);
vm_fault_t vmf_insert_mixed(struct vm_area_struct *vma, unsigned long addr,
			    unsigned long pfn);

static inline pgprot_t pgprot_writecombine(pgprot_t prot)
{
	return (pgprot_t){ prot.pgprot | PGPROT_NC };
}

static inline pgprot_t pgprot_dmacoherent(pgprot_t prot)
{
	return (pgprot_t){ prot.pgprot | PGPROT_NC };
}

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
