/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/scatterlist.h>: one entry per page, never chained. */
#ifndef _SHIM_LINUX_SCATTERLIST_H
#define _SHIM_LINUX_SCATTERLIST_H

#include <asm/errno.h>
#include <linux/fault-inject.h>
#include <linux/mm.h>

struct scatterlist {
	struct page *page;
	unsigned int offset;
	unsigned int length;
	dma_addr_t dma_address;
	unsigned int dma_length;
	bool last;
	/*
	 * drivers/dma-buf/dma-buf.c, mangle_sg_table() (CONFIG_DMABUF_DEBUG):
	 * the page links of a table dma_buf_map_attachment() hands an
	 * importer are scrambled until the unmap gives it back
	 */
	bool mangled;
};

struct sg_table {
	struct scatterlist *sgl;
	unsigned int nents;
	unsigned int orig_nents;
};

#define sg_dma_address(sg)	((sg)->dma_address)
#define sg_dma_len(sg)		((sg)->dma_length)

void harness_bug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * An importer may use only the DMA addresses of the table it was given: the
 * page of a mangled entry is a wild pointer in the kernel, reported when the
 * code under test (HARNESS_FALLIBLE) asks for it
 */
static inline struct page *__sg_page(struct scatterlist *sg, bool under_test)
{
	if (under_test && sg->mangled)
		harness_bug("sg_page() of a table dma_buf_map_attachment() returned: CONFIG_DMABUF_DEBUG's mangle_sg_table() scrambles its page links, an importer may use only its DMA addresses (PLAT-DMA-DEBUG)");
	return sg->page;
}

#define sg_page(sg)	__sg_page(sg, HARNESS_FALLIBLE)

static inline void sg_set_page(struct scatterlist *sg, struct page *page,
			       unsigned int len, unsigned int offset)
{
	sg->page = page;
	sg->length = len;
	sg->offset = offset;
}

static inline struct scatterlist *sg_next(struct scatterlist *sg)
{
	return sg->last ? NULL : sg + 1;
}

#define for_each_sg(sglist, sg, nr, __i)	\
	for (__i = 0, sg = (sglist); __i < (nr); __i++, sg = sg_next(sg))
#define for_each_sgtable_sg(sgt, sg, i)		\
	for_each_sg((sgt)->sgl, sg, (sgt)->orig_nents, i)
#define for_each_sgtable_dma_sg(sgt, sg, i)	\
	for_each_sg((sgt)->sgl, sg, (sgt)->nents, i)

int sg_alloc_table(struct sg_table *table, unsigned int nents, gfp_t gfp);
void sg_free_table(struct sg_table *table);
int sg_alloc_table_from_pages(struct sg_table *sgt, struct page **pages,
			      unsigned int n_pages, unsigned int offset,
			      unsigned long size, gfp_t gfp);
int sg_alloc_table_from_pages_segment(struct sg_table *sgt, struct page **pages,
				      unsigned int n_pages, unsigned int offset,
				      unsigned long size,
				      unsigned int max_segment, gfp_t gfp);

/*
 * The calls of the code under test (linux/fault-inject.h): fallible as
 * lib/scatterlist.c's are (sg_alloc_table() and
 * sg_alloc_table_from_pages() are -ENOMEM when an entry chunk cannot be
 * allocated), each table accounted from allocation to sg_free_table().
 * harness_unwrap.h takes these away for the shims.
 */
static inline int __sg_alloc_table_at(struct sg_table *table, unsigned int nents,
				      gfp_t gfp, const char *file, int line,
				      int fallible)
{
	int err;

	if (harness_should_fail("sg_alloc_table", -ENOMEM, file, line, fallible))
		return -ENOMEM;
	err = (sg_alloc_table)(table, nents, gfp);
	if (!err)
		harness_obj_get(HARNESS_OBJ_SG_TABLE, table, 0, file, line, 0);
	return err;
}

static inline int __sg_alloc_table_from_pages_at(struct sg_table *sgt,
						 struct page **pages,
						 unsigned int n_pages,
						 unsigned int offset,
						 unsigned long size, gfp_t gfp,
						 const char *file, int line,
						 int fallible)
{
	int err;

	if (harness_should_fail("sg_alloc_table_from_pages", -ENOMEM, file,
				line, fallible))
		return -ENOMEM;
	err = (sg_alloc_table_from_pages)(sgt, pages, n_pages, offset, size, gfp);
	if (!err)
		harness_obj_get(HARNESS_OBJ_SG_TABLE, sgt, 0, file, line, 0);
	return err;
}

static inline int
__sg_alloc_table_from_pages_segment_at(struct sg_table *sgt, struct page **pages,
				       unsigned int n_pages, unsigned int offset,
				       unsigned long size,
				       unsigned int max_segment, gfp_t gfp,
				       const char *file, int line, int fallible)
{
	int err;

	if (harness_should_fail("sg_alloc_table_from_pages_segment", -ENOMEM,
				file, line, fallible))
		return -ENOMEM;
	err = (sg_alloc_table_from_pages_segment)(sgt, pages, n_pages, offset,
						  size, max_segment, gfp);
	if (!err)
		harness_obj_get(HARNESS_OBJ_SG_TABLE, sgt, 0, file, line, 0);
	return err;
}

/* lib/scatterlist.c, __sg_free_table(): a table with no entries is let be */
static inline void __sg_free_table_at(struct sg_table *table, const char *file,
				      int line)
{
	if (table->sgl)
		harness_obj_put(HARNESS_OBJ_SG_TABLE, table, file, line);
	(sg_free_table)(table);
}

#define sg_alloc_table(table, nents, gfp)				\
	__sg_alloc_table_at((table), (nents), (gfp), __FILE__, __LINE__,	\
			    HARNESS_FALLIBLE)
#define sg_alloc_table_from_pages(sgt, pages, n, offset, size, gfp)	\
	__sg_alloc_table_from_pages_at((sgt), (pages), (n), (offset), (size), \
				       (gfp), __FILE__, __LINE__,	\
				       HARNESS_FALLIBLE)
#define sg_alloc_table_from_pages_segment(sgt, pages, n, offset, size, max, gfp) \
	__sg_alloc_table_from_pages_segment_at((sgt), (pages), (n), (offset), \
					       (size), (max), (gfp), __FILE__, \
					       __LINE__, HARNESS_FALLIBLE)
#define sg_free_table(table)	__sg_free_table_at((table), __FILE__, __LINE__)

#endif
