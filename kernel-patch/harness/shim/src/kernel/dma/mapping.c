// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for kernel/dma/mapping.c: streaming mappings give
 * each page its bus address, or behind an IOMMU one IOVA range
 * (drivers/iommu/dma-iommu.c), and are tracked and checked as
 * kernel/dma/debug.c tracks them; syncs call up into the simulator's cache.
 * Included by harness.c (one translation unit: it shares the harness's
 * buffers, dma-bufs and fd state); one file per kernel file, so that
 * platform modelling (IOMMU, swiotlb, buffer types) goes where the kernel
 * has it.
 */

/* arm64: L1_CACHE_SHIFT 6, the line dma-debug's overlap check tracks */
#define L1_CACHE_BYTES	64

static const char *const dir2name[] = {
	[DMA_BIDIRECTIONAL] = "DMA_BIDIRECTIONAL",
	[DMA_TO_DEVICE] = "DMA_TO_DEVICE",
	[DMA_FROM_DEVICE] = "DMA_FROM_DEVICE",
	[DMA_NONE] = "DMA_NONE",
};

/*
 * drivers/iommu/dma-iommu.c: one IOVA range of a device's domain and the
 * pages its IO page table entries translate to.  iommu_dma_alloc_iova()
 * allocates top down below the 32-bit limit (a PCI device's first try);
 * freed ranges are not handed out again here, so a stale IOVA faults
 * instead of reaching someone else's memory.
 */
struct iommu_range {
	struct device *dev;
	dma_addr_t iova;
	unsigned int npages;
	struct page **pages;
	struct list_head list;
};

static LIST_HEAD(iommu_ranges);
static dma_addr_t iova_top = 1ULL << 32;

/*
 * kernel/dma/swiotlb.c: the bounce slots of live mappings, each sg entry
 * its own run of slots (pool->slots[].orig_addr, the page each slot
 * bounces), allocated from the default pool upwards with a slot left
 * between runs, so that two entries are never one DMA-contiguous range
 */
static LIST_HEAD(swiotlb_ranges);
static dma_addr_t swiotlb_next = 1ULL << 36;

static __kcsan_unchecked struct iommu_range *range_add(struct list_head *ranges,
						       struct device *dev, dma_addr_t addr,
						       struct page **pages, unsigned int npages)
{
	struct iommu_range *r = core_zalloc(sizeof(*r));

	r->dev = dev;
	r->iova = addr;
	r->npages = npages;
	r->pages = core_zalloc(npages * sizeof(*r->pages));
	memcpy(r->pages, pages, npages * sizeof(*r->pages));
	list_add_tail(&r->list, ranges);
	return r;
}

/* iommu_dma_alloc_iova() and iommu_map_sg()/iommu_map() of @pages */
static __kcsan_unchecked dma_addr_t iommu_map_pages(struct device *dev, struct page **pages,
						    unsigned int npages)
{
	iova_top -= (dma_addr_t)(npages + 1) << PAGE_SHIFT;
	return range_add(&iommu_ranges, dev, iova_top, pages, npages)->iova;
}

/* swiotlb_tbl_map_single()'s slots for @npages pages from @page on */
static __kcsan_unchecked dma_addr_t swiotlb_map_slots(struct device *dev, struct page *page,
						      unsigned int npages)
{
	struct page **pages = core_zalloc(npages * sizeof(*pages));
	dma_addr_t addr = swiotlb_next;
	unsigned int i;

	for (i = 0; i < npages; i++)
		pages[i] = page + i;
	range_add(&swiotlb_ranges, dev, addr, pages, npages);
	kfree(pages);
	swiotlb_next += (dma_addr_t)(npages + 1) << PAGE_SHIFT;
	return addr;
}

static __kcsan_unchecked void range_del(struct iommu_range *r)
{
	list_del(&r->list);
	kfree(r->pages);
	kfree(r);
}

/* __iommu_dma_unmap(): the range's IO page table entries go */
static __kcsan_unchecked void iommu_unmap_iova(struct device *dev, dma_addr_t iova)
{
	struct iommu_range *r;

	list_for_each_entry(r, &iommu_ranges, list)
		if (r->dev == dev && r->iova == iova) {
			range_del(r);
			return;
		}
	harness_bug("IOMMU: device %d unmaps IOVA %#llx, which it has not mapped",
		    dev->id, (unsigned long long)iova);
}

/* the slots of the mappings of @sgt by @dev go back to the pool */
static __kcsan_unchecked void swiotlb_unmap_slots(struct device *dev, struct sg_table *sgt)
{
	struct iommu_range *r, *next;
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i)
		list_for_each_entry_safe(r, next, &swiotlb_ranges, list)
			if (r->dev == dev && r->pages[0] == sg_page(sg)) {
				range_del(r);
				break;
			}
}

/*
 * The page the device reaches at @addr through @ranges (a domain's IO page
 * table, swiotlb's slots), NULL where none is.
 */
static __kcsan_unchecked struct page *range_translate(struct list_head *ranges,
						      struct device *dev, dma_addr_t addr)
{
	struct iommu_range *r;

	list_for_each_entry(r, ranges, list)
		if (r->dev == dev && addr >= r->iova &&
		    addr < r->iova + ((dma_addr_t)r->npages << PAGE_SHIFT))
			return r->pages[(addr - r->iova) >> PAGE_SHIFT];
	return NULL;
}

static __kcsan_unchecked void iommu_reset(void)
{
	while (!list_empty(&iommu_ranges))
		range_del(list_entry(iommu_ranges.next, struct iommu_range, list));
	while (!list_empty(&swiotlb_ranges))
		range_del(list_entry(swiotlb_ranges.next, struct iommu_range, list));
	iova_top = 1ULL << 32;
	swiotlb_next = 1ULL << 36;
}

/*
 * iommu_dma_alloc() of a coherent buffer (iommu_dma_alloc_remap(): its
 * pages mapped to one IOVA range, and vmap()ed for the kernel): the
 * allocation's device address.
 */
static __kcsan_unchecked dma_addr_t iommu_dma_alloc_pages(struct device *dev,
							  struct harness_buffer *b)
{
	struct page **pages = core_zalloc(b->npages * sizeof(*pages));
	dma_addr_t iova;
	unsigned int i;

	for (i = 0; i < b->npages; i++)
		pages[i] = &b->pages[i];
	iova = iommu_map_pages(dev, pages, b->npages);
	kfree(pages);
	return iova;
}

/*
 * The bus address of page @page for @dev without an IOMMU (dma-direct:
 * phys_to_dma(), the identity here).
 */
static __kcsan_unchecked dma_addr_t direct_dma_addr(const struct page *page)
{
	return (dma_addr_t)page->pfn << PAGE_SHIFT;
}

/*
 * What the device reaches at bus address @addr: through the IOMMU for a
 * device behind one, else the page of that frame.  An IOVA with no IO page
 * table entry is an IOMMU fault, reported.
 */
static __kcsan_unchecked struct page *dma_addr_to_page(struct device *dev, dma_addr_t addr)
{
	struct harness_buffer *b;
	struct page *page;
	unsigned int i;

	if (dev->iommu) {
		page = range_translate(&iommu_ranges, dev, addr);
		if (!page)
			harness_bug("IOMMU fault: device %d DMA to IOVA %#llx, which its domain does not map",
				    dev->id, (unsigned long long)addr);
		return page;
	}
	/* a bounce slot: the host's DMA engine moves the slot's words */
	page = range_translate(&swiotlb_ranges, dev, addr);
	if (page)
		return page;
	list_for_each_entry(b, &buffers, node)
		for (i = 0; i < b->npages; i++)
			if (direct_dma_addr(&b->pages[i]) == (addr & ~(dma_addr_t)(PAGE_SIZE - 1)))
				return &b->pages[i];
	return NULL;
}

static __kcsan_unchecked struct harness_buffer *sgt_buffer(struct sg_table *sgt)
{
	return sgt->sgl && sgt->orig_nents ? sg_page(sgt->sgl)->buffer : NULL;
}

/*
 * kernel/dma/debug.c: every live streaming mapping is a dma_debug_entry
 * (add_dma_entry() at map, check_unmap() at unmap), with the direction and
 * entry count it was mapped with; the harness keeps one per mapped table.
 */
struct dma_debug_entry {
	struct device *dev;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	unsigned int orig_nents;
	unsigned long attrs;
	/* the IOVA range of a device behind an IOMMU, else 0 */
	dma_addr_t iova;
	/* the bounce slot of a device that bounces, else 0 */
	int slot;
	struct list_head list;
};

static LIST_HEAD(dma_debug_entries);

/*
 * kernel/dma/debug.c, to_cacheline_number(): an sg entry's first cache
 * line, which active_cacheline_insert() tracks for a mapping the device may
 * write (not DMA_TO_DEVICE)
 */
static __kcsan_unchecked bool dma_debug_shares_cacheline(struct sg_table *a, struct sg_table *b)
{
	struct scatterlist *sa, *sb;
	unsigned int i, j;

	for_each_sgtable_sg(a, sa, i)
		for_each_sgtable_sg(b, sb, j)
			if (sg_page(sa)->pfn == sg_page(sb)->pfn &&
			    sa->offset / L1_CACHE_BYTES == sb->offset / L1_CACHE_BYTES)
				return true;
	return false;
}

/*
 * add_dma_entry(): a second active mapping the device may write of a cache
 * line is "overlapping mappings aren't supported", unless the mapping is
 * DMA_ATTR_SKIP_CPU_SYNC or swiotlb may bounce it
 * (CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC, arm64)
 */
static __kcsan_unchecked void add_dma_entry(struct device *dev, struct sg_table *sgt,
					    enum dma_data_direction dir, unsigned long attrs,
					    dma_addr_t iova, int slot)
{
	struct dma_debug_entry *entry = kzalloc(sizeof(*entry), GFP_KERNEL);
	struct dma_debug_entry *other;

	if (dir != DMA_TO_DEVICE && !(attrs & DMA_ATTR_SKIP_CPU_SYNC) &&
	    !dev->dma_force_bounce)
		list_for_each_entry(other, &dma_debug_entries, list)
			if (other->dir != DMA_TO_DEVICE &&
			    dma_debug_shares_cacheline(other->sgt, sgt)) {
				harness_bug("DMA-API: device %d: cacheline tracking EEXIST, overlapping mappings aren't supported (device %d maps the same memory %s) (PLAT-DMA-DEBUG)",
					    dev->id, other->dev->id,
					    dir2name[other->dir]);
				break;
			}
	entry->dev = dev;
	entry->sgt = sgt;
	entry->dir = dir;
	entry->orig_nents = sgt->orig_nents;
	entry->attrs = attrs;
	entry->iova = iova;
	entry->slot = slot;
	list_add_tail(&entry->list, &dma_debug_entries);
}

static __kcsan_unchecked struct dma_debug_entry *dma_debug_find(struct device *dev,
								struct sg_table *sgt)
{
	struct dma_debug_entry *entry;

	list_for_each_entry(entry, &dma_debug_entries, list)
		if (entry->sgt == sgt && entry->dev == dev)
			return entry;
	return NULL;
}

/*
 * check_unmap(): an unmap of memory never mapped, or with another direction
 * or entry count than the map's
 */
static __kcsan_unchecked struct dma_debug_entry *check_unmap(struct device *dev,
							     struct sg_table *sgt,
							     enum dma_data_direction dir)
{
	struct dma_debug_entry *entry = dma_debug_find(dev, sgt);

	if (!entry) {
		harness_bug("DMA-API: device %d: device driver tries to free DMA memory it has not allocated (PLAT-DMA-DEBUG)",
			    dev->id);
		return NULL;
	}
	if (entry->orig_nents != sgt->orig_nents)
		harness_bug("DMA-API: device %d: device driver frees DMA sg list with different entry count [map count=%u] [unmap count=%u] (PLAT-DMA-DEBUG)",
			    dev->id, entry->orig_nents, sgt->orig_nents);
	if (entry->dir != dir)
		harness_bug("DMA-API: device %d: device driver frees DMA memory with different direction [mapped as %s] [unmapped as %s] (PLAT-DMA-DEBUG)",
			    dev->id, dir2name[entry->dir], dir2name[dir]);
	list_del(&entry->list);
	return entry;
}

/*
 * check_sync(): a sync of a table no live mapping is, or in another
 * direction than a mapping that is not DMA_BIDIRECTIONAL
 */
static __kcsan_unchecked struct dma_debug_entry *check_sync(struct device *dev,
							    struct sg_table *sgt,
							    enum dma_data_direction dir,
							    bool to_cpu)
{
	struct dma_debug_entry *entry = dma_debug_find(dev, sgt);

	if (!entry)
		harness_bug("DMA-API: device %d: device driver tries to sync DMA memory it has not allocated (for %s) (PLAT-DMA-DEBUG)",
			    dev->id, to_cpu ? "cpu" : "device");
	else if (entry->dir != DMA_BIDIRECTIONAL && entry->dir != dir)
		harness_bug("DMA-API: device %d: device driver syncs DMA memory with different direction [mapped as %s] [synced as %s] (PLAT-DMA-DEBUG)",
			    dev->id, dir2name[entry->dir], dir2name[dir]);
	return entry;
}

/* the entries of mappings harness_reset() freed without their unmap */
static __kcsan_unchecked void dma_debug_reset(void)
{
	while (!list_empty(&dma_debug_entries)) {
		struct dma_debug_entry *entry;

		entry = list_entry(dma_debug_entries.next,
				   struct dma_debug_entry, list);
		list_del(&entry->list);
		kfree(entry);
	}
	iommu_reset();
}

/*
 * __dma_map_sg_attrs(): dma-direct gives each entry its page's bus address,
 * or with swiotlb forced a run of bounce slots (dma_direct_map_page() ->
 * swiotlb_map()); iommu_dma_map_sg() maps the entries to one IOVA range and
 * __finalise_sg() merges them into one DMA segment (page-aligned entries).
 * A device behind an IOMMU that also bounces gets the IOVAs, its data the
 * slot.
 */
/*
 * kernel/dma/debug.c, check_sg_segment() (CONFIG_DMA_API_DEBUG_SG), which
 * debug_dma_map_sg() runs on each mapped entry: an entry longer than the
 * device's segment limit is err_printk()ed, a WARN.  Either the driver did
 * not set dma_parms or whoever built the table did not ask for them.
 */
static __kcsan_unchecked void check_sg_segment(struct device *dev, struct scatterlist *sg)
{
	unsigned int max_seg = dma_get_max_seg_size(dev);

	if (sg->length > max_seg)
		harness_bug("DMA-API: device %d: mapping sg segment longer than device claims to support [len=%u] [max=%u] (PLAT-DMA-DEBUG)",
			    dev->id, sg->length, max_seg);
}

__kcsan_unchecked int dma_map_sgtable(struct device *dev, struct sg_table *sgt,
				      enum dma_data_direction dir, unsigned long attrs)
{
	struct scatterlist *sg, *first = sgt->sgl;
	unsigned int i, j, npages = 0;
	struct page **pages;
	dma_addr_t iova = 0;
	int slot = 0;

	if (dev->dma_force_bounce && sgt->orig_nents)
		slot = swiotlb_tbl_map_single(dev, sgt_buffer(sgt));
	if (dev->iommu && sgt->orig_nents) {
		for_each_sgtable_sg(sgt, sg, i)
			npages += PAGE_ALIGN(sg->offset + sg->length) >> PAGE_SHIFT;
		pages = core_zalloc(npages * sizeof(*pages));
		npages = 0;
		for_each_sgtable_sg(sgt, sg, i)
			for (j = 0; j < PAGE_ALIGN(sg->offset + sg->length) >> PAGE_SHIFT; j++)
				pages[npages++] = sg_page(sg) + j;
		iova = iommu_map_pages(dev, pages, npages);
		kfree(pages);
		for_each_sgtable_sg(sgt, sg, i) {
			sg_dma_address(sg) = 0;
			sg_dma_len(sg) = 0;
		}
		sg_dma_address(first) = iova + first->offset;
		for_each_sgtable_sg(sgt, sg, i)
			sg_dma_len(first) += sg->length;
		sgt->nents = 1;
	} else {
		for_each_sgtable_sg(sgt, sg, i) {
			sg_dma_address(sg) = slot ?
				swiotlb_map_slots(dev, sg_page(sg),
						  PAGE_ALIGN(sg->offset + sg->length) >> PAGE_SHIFT) +
				sg->offset :
				direct_dma_addr(sg_page(sg)) + sg->offset;
			sg_dma_len(sg) = sg->length;
		}
		sgt->nents = sgt->orig_nents;
	}
	for_each_sgtable_dma_sg(sgt, sg, i)
		check_sg_segment(dev, sg);
	add_dma_entry(dev, sgt, dir, attrs, iova, slot);
	return 0;
}

__kcsan_unchecked void dma_unmap_sgtable(struct device *dev, struct sg_table *sgt,
					 enum dma_data_direction dir, unsigned long attrs)
{
	struct dma_debug_entry *entry = check_unmap(dev, sgt, dir);

	if (entry && entry->iova)
		iommu_unmap_iova(dev, entry->iova);
	if (entry && entry->slot) {
		swiotlb_tbl_unmap_single(entry->slot, dev, sgt_buffer(sgt), dir,
					 attrs);
		swiotlb_unmap_slots(dev, sgt);
	}
	kfree(entry);
	sgt->nents = 0;
}

/*
 * dma_direct_sync_sg_for_cpu(): the cache of the memory the device wrote
 * (arch_sync_dma_for_cpu()), then the bounce slot copied back
 * (swiotlb_sync_single_for_cpu()).  What the cache maintenance covers with
 * swiotlb is the slot, not the memory, whose cache lines stay as the CPU
 * left them.
 */
__kcsan_unchecked void dma_sync_sgtable_for_cpu(struct device *dev, struct sg_table *sgt,
						enum dma_data_direction dir)
{
	struct dma_debug_entry *entry = check_sync(dev, sgt, dir, true);

	if (entry && entry->slot) {
		swiotlb_sync_single_for_cpu(entry->slot, dev, sgt_buffer(sgt), dir);
		return;
	}
	/* arm64: nothing to invalidate for memory the device only read */
	if (dir != DMA_TO_DEVICE)
		harness_dma_sync(dev, sgt_buffer(sgt), false, dir);
}

/*
 * dma_direct_sync_sg_for_device(): the memory copied to the bounce slot
 * (swiotlb_sync_single_for_device(), a CPU copy that sees the CPU's
 * writes), then the cache cleaned (arch_sync_dma_for_device())
 */
__kcsan_unchecked void dma_sync_sgtable_for_device(struct device *dev, struct sg_table *sgt,
						   enum dma_data_direction dir)
{
	struct dma_debug_entry *entry = check_sync(dev, sgt, dir, false);

	if (entry && entry->slot)
		swiotlb_sync_single_for_device(entry->slot, dev, sgt_buffer(sgt),
					       dir);
	/* arm64 cleans for the device in every direction */
	harness_dma_sync(dev, sgt_buffer(sgt), true, dir);
}

/*
 * kernel/dma/mapping.c, dma_get_sgtable_attrs(): the pages of a coherent
 * allocation of @dev, whatever its CPU address (a remap's too): those the
 * allocation holds (dma_direct_get_sgtable(), iommu_dma_get_sgtable())
 */
__kcsan_unchecked int dma_get_sgtable(struct device *dev, struct sg_table *sgt, void *cpu_addr,
				      dma_addr_t dma_addr, size_t size)
{
	struct harness_buffer *b = buffer_containing(cpu_addr);
	unsigned int i, index, n = PAGE_ALIGN(size) >> PAGE_SHIFT;
	struct page **pages;
	int err;

	if (!b || b->dma_dev != dev) {
		harness_bug("dma_get_sgtable of memory %p not allocated for device %d",
			    cpu_addr, dev ? dev->id : -1);
		return -ENXIO;
	}
	index = (size_t)((unsigned char *)cpu_addr - b->area) >> PAGE_SHIFT;
	if (index + n > b->npages) {
		harness_bug("dma_get_sgtable of %zu bytes beyond the allocation", size);
		return -ENXIO;
	}
	/* the harness's own scratch, not the code under test's allocation */
	pages = calloc(n ? n : 1, sizeof(*pages));
	if (!pages)
		abort();
	for (i = 0; i < n; i++)
		pages[i] = &b->pages[index + i];
	err = sg_alloc_table_from_pages(sgt, pages, n, 0, (unsigned long)n << PAGE_SHIFT,
					GFP_KERNEL);
	free(pages);
	return err;
}
