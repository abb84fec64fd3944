// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for lib/scatterlist.c: tables never chained;
 * sg_alloc_table_from_pages() merges physically contiguous pages into one
 * entry, as the kernel's does; sg_alloc_table_from_pages_segment() up to a
 * segment limit. Included by harness.c (one translation unit: it shares the
 * harness's buffers, dma-bufs and fd state); one file per kernel file, so
 * that platform modelling (IOMMU, swiotlb, buffer types) goes where the
 * kernel has it.
 */

__kcsan_unchecked int sg_alloc_table(struct sg_table *table, unsigned int nents, gfp_t gfp)
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

__kcsan_unchecked void sg_free_table(struct sg_table *table)
{
	kvfree(table->sgl);
	memset(table, 0, sizeof(*table));
}

/*
 * sg_alloc_append_table_from_pages(): one entry per run of contiguous pfns,
 * each at most max_segment long, which it rounds down to whole pages and
 * WARNs for when that leaves less than one
 */
static __kcsan_unchecked bool sg_new_entry(struct page **pages, unsigned int i,
					   unsigned long len, unsigned long max)
{
	return !i || page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1 ||
	       len + PAGE_SIZE > max;
}

__kcsan_unchecked int sg_alloc_table_from_pages_segment(struct sg_table *sgt, struct page **pages,
							unsigned int n_pages, unsigned int offset,
							unsigned long size, unsigned int max_segment,
							gfp_t gfp)
{
	unsigned long max = max_segment & ~(PAGE_SIZE - 1);
	struct scatterlist *sg;
	unsigned int i, chunks;
	unsigned long len;
	int err;

	if (offset || size != (unsigned long)n_pages << PAGE_SHIFT)
		harness_bug("sg_alloc_table_from_pages: offset %u size %lu for %u pages",
			    offset, size, n_pages);
	if (WARN_ON(max < PAGE_SIZE))
		return -EINVAL;
	for (i = 0, chunks = 0, len = 0; i < n_pages; i++) {
		if (sg_new_entry(pages, i, len, max)) {
			chunks++;
			len = 0;
		}
		len += PAGE_SIZE;
	}
	err = sg_alloc_table(sgt, chunks, gfp);
	if (err)
		return err;
	for (i = 0, sg = NULL, len = 0; i < n_pages; i++) {
		if (sg_new_entry(pages, i, len, max)) {
			sg = sg ? sg + 1 : sgt->sgl;
			sg_set_page(sg, pages[i], 0, 0);
			len = 0;
		}
		sg->length += PAGE_SIZE;
		len += PAGE_SIZE;
	}
	return 0;
}

/* lib/scatterlist.c: the same with no segment limit (UINT_MAX) */
__kcsan_unchecked int sg_alloc_table_from_pages(struct sg_table *sgt, struct page **pages,
						unsigned int n_pages, unsigned int offset,
						unsigned long size, gfp_t gfp)
{
	return sg_alloc_table_from_pages_segment(sgt, pages, n_pages, offset,
						 size, UINT_MAX, gfp);
}
