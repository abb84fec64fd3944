// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for lib/scatterlist.c: tables never chained;
 * sg_alloc_table_from_pages() merges physically contiguous pages into one
 * entry, as the kernel's does. Included by harness.c (one translation unit: it shares the
 * harness's buffers, dma-bufs and fd state); one file per kernel file, so
 * that platform modelling (IOMMU, swiotlb, buffer types) goes where the
 * kernel has it.
 */

int sg_alloc_table(struct sg_table *table, unsigned int nents, gfp_t gfp)
{
	table->sgl = kvmalloc_array(nents, sizeof(*table->sgl), gfp);
	if (!table->sgl)
		return -ENOMEM;
	if (nents)
		table->sgl[nents - 1].last = true;
	table->nents = nents;
	table->orig_nents = nents;
	return 0;
}

void sg_free_table(struct sg_table *table)
{
	kvfree(table->sgl);
	memset(table, 0, sizeof(*table));
}

int sg_alloc_table_from_pages(struct sg_table *sgt, struct page **pages,
			      unsigned int n_pages, unsigned int offset,
			      unsigned long size, gfp_t gfp)
{
	struct scatterlist *sg;
	unsigned int i, chunks;
	int err;

	if (offset || size != (unsigned long)n_pages << PAGE_SHIFT)
		harness_bug("sg_alloc_table_from_pages: offset %u size %lu for %u pages",
			    offset, size, n_pages);
	/*
	 * sg_alloc_append_table_from_pages(): one entry per run of
	 * contiguous pfns (the segment limit, UINT_MAX, never reached here)
	 */
	for (i = 0, chunks = 0; i < n_pages; i++)
		if (!i || page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1)
			chunks++;
	err = sg_alloc_table(sgt, chunks, gfp);
	if (err)
		return err;
	for (i = 0, sg = NULL; i < n_pages; i++) {
		if (!i || page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1) {
			sg = sg ? sg + 1 : sgt->sgl;
			sg_set_page(sg, pages[i], 0, 0);
		}
		sg->length += PAGE_SIZE;
	}
	return 0;
}
