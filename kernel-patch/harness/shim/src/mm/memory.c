// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for mm/memory.c: remap_pfn_range() checks it maps
 * live buffer memory; unmap_mapping_range() counts the zaps. Included by
 * harness.c (one translation unit: it shares the harness's buffers, dma-
 * bufs and fd state); one file per kernel file, so that platform modelling
 * (IOMMU, swiotlb, buffer types) goes where the kernel has it.
 */

int remap_pfn_range(struct vm_area_struct *vma, unsigned long addr,
		    unsigned long pfn, unsigned long size, pgprot_t prot)
{
	struct harness_buffer *b;
	unsigned int i;

	(void)vma;
	(void)addr;
	(void)size;
	(void)prot;
	list_for_each_entry(b, &buffers, node)
		for (i = 0; i < b->npages; i++)
			if (b->pages[i].pfn == pfn)
				return 0;
	harness_bug("remap_pfn_range of pfn %#lx, which is no live buffer", pfn);
	return -EFAULT;
}

/* mm/memory.c: the harness counts the zaps of a dma-buf file's mappings */
void unmap_mapping_range(struct address_space *mapping, long long holebegin,
			 long long holelen, int even_cows)
{
	mapping->zaps++;
}
