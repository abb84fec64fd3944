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

/* page @i of @pages starts an entry: not contiguous with the last, or it is full */
static bool sg_chunk_starts(struct page **pages, unsigned int i,
			    unsigned long chunk_len, unsigned int max_segment)
{
	return !i || page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1 ||
	       chunk_len + PAGE_SIZE > max_segment;
}

int sg_alloc_table_from_pages_segment(struct sg_table *sgt, struct page **pages,
				      unsigned int n_pages, unsigned int offset,
				      unsigned long size,
				      unsigned int max_segment, gfp_t gfp)
{
	struct scatterlist *sg;
	unsigned long len;
	unsigned int i, chunks;
	int err;

	if (offset || size != (unsigned long)n_pages << PAGE_SHIFT)
		harness_bug("sg_alloc_table_from_pages: offset %u size %lu for %u pages",
			    offset, size, n_pages);
	/*
	 * sg_alloc_append_table_from_pages(): max_segment rounded down to
	 * whole pages, WARN_ON() below one; one entry per run of contiguous
	 * pfns, a run split where it would grow beyond max_segment
	 */
	max_segment &= ~(PAGE_SIZE - 1);
	if (WARN_ON(max_segment < PAGE_SIZE))
		return -EINVAL;
	for (i = 0, chunks = 0, len = 0; i < n_pages; i++, len += PAGE_SIZE)
		if (sg_chunk_starts(pages, i, len, max_segment)) {
			chunks++;
			len = 0;
		}
	err = sg_alloc_table(sgt, chunks, gfp);
	if (err)
		return err;
	for (i = 0, sg = NULL; i < n_pages; i++) {
		if (sg_chunk_starts(pages, i, sg ? sg->length : 0, max_segment)) {
			sg = sg ? sg + 1 : sgt->sgl;
			sg_set_page(sg, pages[i], 0, 0);
		}
		sg->length += PAGE_SIZE;
	}
	return 0;
}

int sg_alloc_table_from_pages(struct sg_table *sgt, struct page **pages,
			      unsigned int n_pages, unsigned int offset,
			      unsigned long size, gfp_t gfp)
{
	return sg_alloc_table_from_pages_segment(sgt, pages, n_pages, offset,
						 size, UINT_MAX, gfp);
}
