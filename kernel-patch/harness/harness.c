// SPDX-License-Identifier: GPL-2.0
/*
 * User-space harness for sound/core/pcm_dmabuf.c, in the manner of
 * tools/testing/vma: the patch's file is compiled as it is, included below
 * after the shim headers, and this file supplies the kernel around it (a
 * minimal dma-buf core, the PCM core's buffer handling, fds, DMA mapping)
 * plus the API the Java simulator calls through FFM (harness.h).
 *
 * The simulator owns fd tables, processes, mappings and buffer contents; the
 * harness owns every object of the code under test (struct dma_buf, its
 * file and reference count, attachments, the patch's own state).  DMA syncs
 * call back into the simulator's cache.
 */

/* dladdr(): the data race detector's report names the library's lines */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
/* the code under test: its calls are fallible (linux/fault-inject.h) */
#define HARNESS_FALLIBLE 1
/*
 * The kernel the code under test may include, ahead of it: the harness's
 * own code, not instrumented (__kcsan_unchecked), cannot inline the
 * instrumented inline helpers, and the copies it calls are emitted here,
 * outside the checked text.
 */
#include <linux/bug.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/iosys-map.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <sound/core.h>
#include <sound/memalloc.h>
#include <sound/pcm.h>
#include "pcm_local.h"
/* the data race detector checks the accesses of the code between these (kernel/kcsan/) */
void harness_kcsan_text_begin(void);
__attribute__((noinline)) void harness_kcsan_text_begin(void)
{
	__asm__ volatile("");
}
#include "pcm_dmabuf.c"
void harness_kcsan_text_end(void);
__attribute__((noinline)) void harness_kcsan_text_end(void)
{
	__asm__ volatile("");
}
#undef HARNESS_FALLIBLE
#define HARNESS_FALLIBLE 0
/* the shims below define the functions the headers wrap for it */
#include "harness_unwrap.h"

/* a buffer of the simulator (SndDmaBuffer), as the PCM core allocated it */
struct harness_buffer {
	int id;
	size_t bytes;
	unsigned char *area;
	unsigned int npages;
	struct page *pages;
	struct list_head node;
	/*
	 * The card the PCM core charged its bytes to (sound/core/pcm_memory.c,
	 * do_alloc_pages(): card->total_pcm_alloc_bytes), NULL once uncharged
	 */
	struct snd_card *charged;
	/* the kernel maps it non-cacheable: a non-coherent device's DMA memory */
	bool uncached;
	/*
	 * a coherent allocation mapped outside the linear map
	 * (iommu_dma_alloc_remap(), or dma_direct_alloc() with
	 * DMA_DIRECT_REMAP for a non-coherent device): @area is a vmap
	 * address, and virt_to_page() of it names @alias, pages of someone
	 * else's memory
	 */
	bool remapped;
	struct page *alias;
	/*
	 * the device a DMA-API allocation (a device type of memalloc.c) is
	 * charged to in kernel/dma/debug.c, NULL for CONTINUOUS and VMALLOC
	 */
	struct device *dma_dev;
	/* the IOVA range of the allocation behind an IOMMU (iommu_dma_alloc()) */
	struct device *iova_dev;
	dma_addr_t iova;
};

/* the memory no live buffer is: what virt_to_page() of a vmap address reaches */
static struct harness_buffer stranger = { .id = -1 };

struct harness_device {
	bool used;
	struct device dev;
	struct snd_card card;
	struct snd_pcm pcm;
	bool contiguous;
	int buffer_type;	/* SNDRV_DMA_TYPE_*, HARNESS_BUFFER_FAKE */
	int driver;		/* HARNESS_DRIVER_* */
	/* its driver's CPU moves the data (HARNESS_PLATFORM_CPU_MOVES) */
	bool cpu_moves;
	/* snd_card_free_when_closed() ran to its end: the card's memory is gone */
	bool card_freed;
};

/*
 * A substream of the simulated driver.  @programmed is where its DMA runs
 * for a driver that programs it once (HARNESS_DRIVER_KEEPS_ADDR at open,
 * _DESCRIPTORS at hw_params); other profiles read runtime->dma_addr when
 * they start the DMA.
 */
struct harness_substream {
	bool used;
	struct snd_pcm_substream substream;
	struct snd_pcm_runtime runtime;
	dma_addr_t programmed;
	/*
	 * The host's hold of the substream around an op (harness_pcm_lock()):
	 * runtime->buffer_mutex, where the PCM core takes it, or the host's
	 * gate, which a dma-buf ioctl takes where it changed what the host's
	 * model learns only once the ioctl returns (ioctl_commit()).  Its
	 * nesting; its holder is the owner of the lock it is.
	 */
	int host_depth;
	bool host_on_gate;
	/* a lock of the host's: lockdep and the data race detector never see it */
	struct mutex host_gate;
	/* buffer_mutex's nesting: the host's hold, snd_pcm_buffer_access_lock() in it */
	int mutex_depth;
	/*
	 * The state the host last published (harness_set_runtime(),
	 * harness_set_state()): a mirror passes the host's view, which lags a
	 * state the C code set in a dma-buf ioctl still in flight, so only a
	 * change of the host's own is written.
	 */
	int host_state;
	/* a hw_free ran under the host's lock: its second half is due */
	bool hw_free_finish_due;
	bool disconnected;
	/* a dma-buf ioctl was issued on it since the harness began */
	bool shared;
};

/*
 * Grown to whatever ids the simulator names: a fixed table would alias the
 * substreams of a script with more than it holds.  Each entry is allocated
 * on its own, since the code under test keeps pointers into it.
 */
static struct harness_device **devices;
static int ndevices;
static struct harness_substream **substreams;
static int nsubstreams;
/* the lock of each linked group the host made (struct snd_pcm_group) */
static struct snd_pcm_group **groups;
static int ngroups;
static struct list_head buffers = { &buffers, &buffers };
static struct list_head dmabufs = { &dmabufs, &dmabufs };
static int next_dmabuf_id = 1;
static unsigned long next_pfn = 0x1000;
static harness_sync_fn sync_fn;
static harness_bounce_fn bounce_fn;

/*
 * The fd an ATTACH names, as the simulator's fd table resolves it, and the
 * file EXPORT installed: per thread, since each kernel task of a scheduled
 * group (shim/src/kernel/sched/core.c) is a thread with its own syscall.
 */
static __thread int fd_number = -1;
static __thread int fd_target = HARNESS_FD_NONE;
static __thread struct file *installed;
static __thread int reserved_fd = -1;
/* the get_unused_fd_flags() flags of the reserved fd, then of the installed one */
static __thread unsigned int reserved_fd_flags;
static __thread unsigned int installed_fd_flags;

static struct harness_status status;
static char last_bug[512];

__kcsan_unchecked void harness_bug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_bug, sizeof(last_bug), fmt, ap);
	va_end(ap);
	status.bugs++;
}

__kcsan_unchecked void harness_warn(const char *file, int line, const char *cond)
{
	harness_bug("WARNING at %s:%d: WARN_ON(%s)", file, line, cond);
}

__kcsan_unchecked const struct harness_status *harness_status(void)
{
	return &status;
}

__kcsan_unchecked const char *harness_last_bug(void)
{
	return last_bug;
}

__kcsan_unchecked void harness_set_sync(harness_sync_fn fn)
{
	sync_fn = fn;
}

__kcsan_unchecked void harness_set_bounce(harness_bounce_fn fn)
{
	bounce_fn = fn;
}

/*
 * Buffers
 */

static __kcsan_unchecked struct harness_buffer *buffer_by_area(const void *area)
{
	struct harness_buffer *b;

	list_for_each_entry(b, &buffers, node)
		if (b->area == area)
			return b;
	return NULL;
}

/* the buffer whose memory holds @addr */
static __kcsan_unchecked struct harness_buffer *buffer_containing(const void *addr)
{
	const unsigned char *p = addr;
	struct harness_buffer *b;

	list_for_each_entry(b, &buffers, node)
		if (p >= b->area && p < b->area + b->bytes)
			return b;
	return NULL;
}

static __kcsan_unchecked struct harness_buffer *buffer_new(int id, size_t bytes, bool contiguous)
{
	struct harness_buffer *b = core_zalloc(sizeof(*b));
	unsigned int i;

	b->id = id;
	b->bytes = bytes;
	b->area = core_zalloc(bytes);
	b->npages = PAGE_ALIGN(bytes) >> PAGE_SHIFT;
	b->pages = core_zalloc(b->npages * sizeof(*b->pages));
	/*
	 * Scattered memory leaves a hole after every page but the first: its
	 * first two pages abut, as two pages the page allocator hands out one
	 * after the other often do (vmalloc, snd_dma_noncontig_alloc()), so
	 * that code treating memory allocated scattered as contiguous when its
	 * pages happen to be consecutive is seen at least at two pages.
	 */
	for (i = 0; i < b->npages; i++) {
		b->pages[i].pfn = next_pfn;
		b->pages[i].buffer = b;
		/* the allocation's reference */
		b->pages[i].refcount = 1;
		next_pfn += contiguous || i == 0 ? 1 : 2;
	}
	next_pfn += 16;
	list_add_tail(&b->node, &buffers);
	return b;
}

static void buffer_check_unused(struct harness_buffer *b);
static void buffer_uncharge(struct snd_card *card, struct snd_dma_buffer *dmab);

static void iommu_unmap_iova(struct device *dev, dma_addr_t iova);

/*
 * virt_to_page() of page @index of a remapped allocation: a page of the
 * linear map's arithmetic on the vmap address, whose frame is no buffer's
 */
static __kcsan_unchecked struct page *virt_to_page_remapped(struct harness_buffer *b,
							    size_t index)
{
	unsigned int i;

	if (!b->alias) {
		b->alias = core_zalloc(b->npages * sizeof(*b->alias));
		for (i = 0; i < b->npages; i++) {
			b->alias[i].pfn = (1UL << 40 >> PAGE_SHIFT) + b->pages[i].pfn;
			b->alias[i].buffer = &stranger;
			b->alias[i].refcount = 1;
		}
	}
	return &b->alias[index];
}

static __kcsan_unchecked void buffer_free(struct harness_buffer *b)
{
	buffer_check_unused(b);
	/* iommu_dma_free(): the allocation's IOVA range goes with it */
	if (b->iova_dev)
		iommu_unmap_iova(b->iova_dev, b->iova);
	kfree(b->alias);
	list_del_init(&b->node);
	kfree(b->area);
	kvfree(b->pages);
	kfree(b);
}

static __kcsan_unchecked void harness_dma_sync(struct device *dev, struct harness_buffer *b,
					       bool for_device, enum dma_data_direction dir)
{
	if (!b) {
		harness_bug("DMA sync of memory that is no buffer");
		return;
	}
	if (sync_fn)
		sync_fn(b->id, dev->id, for_device, dir);
}

static void card_check_live(struct snd_card *card, const char *what);
static void card_free_if_unused(struct harness_device *d);

/*
 * The kernel around pcm_dmabuf.c, one file per kernel file (shim/src/),
 * in the order they depend on each other.
 */
#include "shim/src/lib/fault-inject.c"
#include "shim/src/lib/list_debug.c"
#include "shim/src/mm/kmemleak.c"
#include "shim/src/kernel/sched/core.c"
#include "shim/src/kernel/kcsan/core.c"
#include "shim/src/kernel/locking/lockdep.c"
#include "shim/src/kernel/locking/mutex.c"
#include "shim/src/sound/core/memalloc.c"
#include "shim/src/sound/core/pcm_memory.c"
#include "shim/src/lib/scatterlist.c"
#include "shim/src/kernel/dma/swiotlb.c"
#include "shim/src/kernel/dma/mapping.c"
#include "shim/src/mm/memory.c"
#include "shim/src/mm/mmap.c"
#include "shim/src/mm/gup.c"
#include "shim/src/fs/dcache.c"
#include "shim/src/fs/file_table.c"
#include "shim/src/fs/file.c"
#include "shim/src/drivers/dma-buf/dma-buf.c"

/*
 * What must no longer use a buffer's memory when it is freed: its card's
 * charge (sound/core/pcm_memory.c: every free of a charged buffer goes
 * through do_free_pages() or follows snd_pcm_lib_uncharge_pages(), else
 * card->total_pcm_alloc_bytes keeps its bytes for good), a device's DMA
 * mapping (kernel/dma/debug.c keeps the entry: the device writes into freed
 * memory), and a CPU mapping's page reference (the page table would go on
 * reaching memory the card hands out again).
 */
static __kcsan_unchecked void buffer_check_unused(struct harness_buffer *b)
{
	struct dma_debug_entry *entry;
	struct vm_area_struct *vma;
	unsigned long i;

	if (b->charged)
		harness_bug("buffer %d freed while still charged to its card: %zu bytes stay in total_pcm_alloc_bytes (snd_pcm_lib_uncharge_pages() or do_free_pages() missing)",
			    b->id, b->bytes);
	list_for_each_entry(entry, &dma_debug_entries, list)
		if (sgt_buffer(entry->sgt) == b)
			harness_bug("buffer %d freed while device %d maps it for DMA",
				    b->id, entry->dev->id);
	list_for_each_entry(vma, &harness_vmas, node)
		for (i = 0; i < vma_pages(vma); i++)
			if (vma->pte_page[i] && vma->pte_page[i]->buffer == b) {
				harness_bug("buffer %d freed while CPU mapping %d still maps its page %lu",
					    b->id, vma->id, i);
				vma->pte_page[i] = NULL;
				vma->pte_pfn[i] = 0;
			}
	gup_check_unused(b);
}

/* sound/core/pcm_memory.c, do_alloc_pages(): the card is charged the bytes */
static __kcsan_unchecked void buffer_charge(struct harness_buffer *b, struct snd_card *card)
{
	card->total_pcm_alloc_bytes += b->bytes;
	b->charged = card;
}

/*
 * sound/core/pcm_memory.c, decrease_allocated_size(): the charge goes, a
 * WARN_ON() when the card's total is less than the bytes.  The harness
 * knows which buffer was charged to which card: uncharging one that is not
 * (twice, or to another card) is reported as such.
 */
static __kcsan_unchecked void buffer_uncharge(struct snd_card *card, struct snd_dma_buffer *dmab)
{
	struct harness_buffer *b = buffer_by_area(dmab->area);

	if (!b || b->charged != card) {
		harness_bug("the card's charge of %zu bytes dropped for buffer %d, which is not charged to it",
			    dmab->bytes, b ? b->id : -1);
		return;
	}
	WARN_ON(card->total_pcm_alloc_bytes < b->bytes);
	card->total_pcm_alloc_bytes -= b->bytes;
	b->charged = NULL;
}

/*
 * The API of harness.h
 */

static __kcsan_unchecked struct harness_substream *substream_of(int sid)
{
	if (sid < 0 || sid >= nsubstreams || !substreams[sid]->used) {
		harness_bug("no substream %d", sid);
		return NULL;
	}
	return substreams[sid];
}

/* The device of id @id, its table grown to hold it; NULL when out of memory. */
static __kcsan_unchecked struct harness_device *device_slot(int id)
{
	struct harness_device **grown;

	while (ndevices <= id) {
		grown = realloc(devices, (ndevices + 1) * sizeof(*grown));
		if (!grown)
			return NULL;
		devices = grown;
		devices[ndevices] = core_zalloc(sizeof(**devices));
		if (!devices[ndevices])
			return NULL;
		ndevices++;
	}
	return devices[id];
}

/* The substream of id @sid, as device_slot() */
static __kcsan_unchecked struct harness_substream *substream_slot(int sid)
{
	struct harness_substream **grown;

	while (nsubstreams <= sid) {
		grown = realloc(substreams, (nsubstreams + 1) * sizeof(*grown));
		if (!grown)
			return NULL;
		substreams = grown;
		substreams[nsubstreams] = core_zalloc(sizeof(**substreams));
		if (!substreams[nsubstreams])
			return NULL;
		nsubstreams++;
	}
	return substreams[sid];
}

/* snd-dummy's fake_buffer: the driver's page callback, no memory of its own */
static __kcsan_unchecked struct page *harness_fake_page(struct snd_pcm_substream *substream,
							unsigned long offset)
{
	return NULL;
}

/*
 * The callbacks of a driver that maps its managed buffer itself: the PCM
 * core's mmap prefers them to snd_dma_buffer_mmap() (snd_pcm_mmap_data(),
 * snd_pcm_mmap_data_fault() in sound/core/pcm_native.c).  The host maps the
 * PCM data area itself and never calls them: what a revision sees of them
 * is that they are set.
 */
static __kcsan_unchecked struct page *harness_driver_page(struct snd_pcm_substream *substream,
							  unsigned long offset)
{
	return snd_sgbuf_get_page(snd_pcm_get_dma_buf(substream), offset);
}

/* sound/soc/uniphier/aio-dma.c, uniphier_aiodma_mmap(): write-combined */
static __kcsan_unchecked int harness_driver_mmap(struct snd_pcm_substream *substream,
						 struct vm_area_struct *vma)
{
	struct snd_pcm_runtime *runtime = substream->runtime;

	vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	return remap_pfn_range(vma, vma->vm_start,
			       runtime->dma_addr >> PAGE_SHIFT,
			       vma->vm_end - vma->vm_start, vma->vm_page_prot);
}

/* the buffer type the PCM core allocates for a device */
static __kcsan_unchecked int device_buffer_type(struct harness_device *d)
{
	return d->buffer_type == HARNESS_BUFFER_FAKE ? SNDRV_DMA_TYPE_CONTINUOUS :
	       d->buffer_type;
}

/* a profile whose buffer is the substream's preallocated dma_buffer */
static __kcsan_unchecked bool driver_preallocates(struct harness_device *d)
{
	return d->driver == HARNESS_DRIVER_PREALLOC ||
	       d->driver == HARNESS_DRIVER_FIXED;
}

__kcsan_unchecked int harness_add_substream(int sid, int device, int stream, int contiguous,
					    int coherent, int buffer_type, int driver, int caps)
{
	static const struct snd_pcm_ops ops;
	static const struct snd_pcm_ops fake_ops = { .page = harness_fake_page };
	static const struct snd_pcm_ops page_ops = { .page = harness_driver_page };
	static const struct snd_pcm_ops mmap_ops = { .mmap = harness_driver_mmap };
	struct harness_device *d;
	struct harness_substream *s;
	struct snd_pcm_runtime *runtime;

	if (sid < 0 || device < 0)
		return -EINVAL;
	d = device_slot(device);
	s = substream_slot(sid);
	if (!d || !s)
		return -ENOMEM;

	if (!d->used) {
		d->used = true;
		d->dev.id = device;
		d->dev.dma_mask_value = ~0ULL;
		d->dev.dma_mask = &d->dev.dma_mask_value;
		d->dev.dma_coherent = coherent;
		d->card.dev = &d->dev;
		d->pcm.card = &d->card;
		d->contiguous = contiguous;
		d->buffer_type = buffer_type;
		d->driver = driver;
		d->dev.iommu = caps & HARNESS_PLATFORM_IOMMU;
		d->dev.dma_force_bounce = caps & HARNESS_PLATFORM_BOUNCE;
		d->cpu_moves = caps & HARNESS_PLATFORM_CPU_MOVES;
	}
	if (s->used)
		return 0;
	s->used = true;
	/* snd_pcm_attach_substream(); the PCM core's lock, not the exporter's object */
	runtime = &s->runtime;
	__mutex_init(&runtime->buffer_mutex, "&runtime->buffer_mutex");
	__mutex_init(&s->host_gate, "the host's gate of the substream (harness.c)");
	/* snd_pcm_group_init(&substream->self_group), sound/core/pcm.c */
	__spin_lock_init(&s->substream.self_group.lock, "&substream->self_group.lock");
	s->substream.pcm = &d->pcm;
	s->substream.stream = stream;
	/*
	 * snd-dummy with fake_buffer: no managed buffer, the pages come from
	 * its page callback (sound/drivers/dummy.c, dummy_pcm_ops_no_buf)
	 */
	s->substream.managed_buffer_alloc = d->buffer_type != HARNESS_BUFFER_FAKE;
	if (d->buffer_type == HARNESS_BUFFER_FAKE)
		s->substream.ops = &fake_ops;
	else if (d->driver == HARNESS_DRIVER_PAGE)
		s->substream.ops = &page_ops;
	else if (d->driver == HARNESS_DRIVER_OWN_MMAP)
		s->substream.ops = &mmap_ops;
	else
		s->substream.ops = &ops;
#if HARNESS_UAPI_REV >= 2
	/* snd_pcm_set_dmabuf_caps(), as the driver declares it */
	s->substream.dmabuf_caps = (caps & HARNESS_CAP_EXPORT ? SNDRV_PCM_DMABUF_EXPORT : 0) |
				   (caps & HARNESS_CAP_ATTACH ? SNDRV_PCM_DMABUF_ATTACH : 0);
#ifdef SNDRV_PCM_DMABUF_NO_DEVICE_DMA
	/* a revision that lets the driver say its CPU moves the data is told */
	if (d->cpu_moves)
		s->substream.dmabuf_caps |= SNDRV_PCM_DMABUF_NO_DEVICE_DMA;
#endif
#endif
	/*
	 * A driver whose CPU moves the data preallocates for no device:
	 * snd_pcm_set_managed_buffer_all(pcm, SNDRV_DMA_TYPE_VMALLOC, NULL, ...)
	 * (sound/drivers/aloop.c, loopback_pcm_new(); sound/usb/pcm.c,
	 * snd_usb_preallocate_buffer())
	 */
	s->substream.dma_buffer.dev.dev =
		device_buffer_type(d) == SNDRV_DMA_TYPE_VMALLOC ? NULL : &d->dev;
	s->substream.dma_buffer.dev.type = device_buffer_type(d);
	return 0;
}

/* device-DMA types: the DMA API calls of their ops name dmab->dev.dev */
static __kcsan_unchecked bool dma_type_of_device(int type)
{
	return type != SNDRV_DMA_TYPE_CONTINUOUS && type != SNDRV_DMA_TYPE_VMALLOC;
}

/*
 * The runtime buffer as a driver finds it: snd_pcm_get_dma_buf()
 * (include/sound/pcm.h), runtime->dma_buffer_p, which the PCM core keeps
 * in step with dma_area, dma_addr and dma_bytes (sound/core/pcm_lib.c,
 * snd_pcm_set_runtime_buffer(); pcm_memory.c, snd_pcm_lib_malloc_pages():
 * dma_bytes no more than the buffer's bytes).  A driver may take any of
 * them: snd_pcm_sgbuf_get_addr() and snd_pcm_sgbuf_get_chunk_size() look
 * the memory up by dma_buffer_p's type (sound/core/memalloc.c, a WARN on
 * no known type), and the memalloc ops of a device type pass its dev.dev
 * to the DMA API.  Reports a descriptor that disagrees; NULL without one.
 */
static __kcsan_unchecked struct snd_dma_buffer *driver_dma_buf(struct harness_substream *hs)
{
	struct snd_pcm_runtime *runtime = &hs->runtime;
	struct snd_dma_buffer *dmab = snd_pcm_get_dma_buf(&hs->substream);

	if (!dmab) {
		if (runtime->dma_area)
			harness_bug("runtime->dma_area is set but snd_pcm_get_dma_buf() is NULL");
		return NULL;
	}
	if (dmab->area != runtime->dma_area || dmab->addr != runtime->dma_addr)
		harness_bug("snd_pcm_get_dma_buf() describes other memory than runtime->dma_area/dma_addr: a driver using it plays from another buffer");
	if (dmab->bytes < runtime->dma_bytes)
		harness_bug("snd_pcm_get_dma_buf()->bytes %zu is less than runtime->dma_bytes %zu",
			    dmab->bytes, (size_t)runtime->dma_bytes);
	if (snd_dma_type_known(dmab) && dma_type_of_device(dmab->dev.type) &&
	    !dmab->dev.dev)
		harness_bug("snd_pcm_get_dma_buf() of device type %d names no device: its memalloc ops pass NULL to the DMA API",
			    dmab->dev.type);
	return dmab;
}

__kcsan_unchecked int harness_dma_target(int sid)
{
	struct harness_substream *hs = substream_of(sid);
	struct snd_dma_buffer *dmab;
	struct harness_device *d;
	struct harness_buffer *b;
	struct page *page;
	dma_addr_t addr;
	unsigned int i;

	if (!hs || !hs->substream.runtime)
		return 0;
	d = devices[hs->substream.pcm->card->dev->id];
	switch (d->driver) {
	case HARNESS_DRIVER_KEEPS_ADDR:
	case HARNESS_DRIVER_DESCRIPTORS:
		addr = hs->programmed;
		break;
	default:
		/* the driver takes its buffer from snd_pcm_get_dma_buf() at prepare */
		dmab = driver_dma_buf(hs);
		if (!dmab || !dmab->area)
			return 0;
		if (!d->contiguous || d->cpu_moves ||
		    device_buffer_type(d) == SNDRV_DMA_TYPE_VMALLOC) {
			/*
			 * the CPU moves the data through dma_area, page by page
			 * (snd_sgbuf_get_page()): sound/drivers/pcmtest.c's
			 * timer copies through runtime->dma_area although its
			 * platform device has a DMA mask
			 */
			page = snd_sgbuf_get_page(dmab, 0);
			return page ? page->buffer->id : -1;
		}
		/* snd_pcm_sgbuf_get_addr(substream, 0) */
		addr = snd_sgbuf_get_addr(dmab, 0);
		/*
		 * no frame and no IOVA of the harness is at 0: a buffer whose
		 * bus address is 0 sends the device's DMA nowhere it mapped
		 */
		if (!addr) {
			harness_bug("device %d's DMA is programmed at bus address 0: snd_pcm_get_dma_buf() of type %d has no DMA address",
				    d->dev.id, dmab->dev.type);
			return -1;
		}
		break;
	}
	if (!addr)
		return 0;
	/* the device reaches its memory by bus address: through its IOMMU if it has one */
	page = dma_addr_to_page(&d->dev, addr);
	if (!page || page->buffer == &stranger)
		return -1;
	b = page->buffer;
	/* the buffer's later pages must follow at the addresses after it */
	for (i = 1; page + i < b->pages + b->npages; i++)
		if (dma_addr_to_page(&d->dev, addr + ((dma_addr_t)i << PAGE_SHIFT)) != page + i) {
			harness_bug("device %d's DMA from %#llx does not reach page %ld of buffer %d at page %u",
				    d->dev.id, (unsigned long long)addr,
				    (long)(page - b->pages) + i, b->id, i);
			break;
		}
	return b->id;
}

/*
 * The PCM core's side of the runtime buffer: a buffer the simulator
 * allocated replaces the one the runtime has, which is freed unless the
 * patch took it over (snd_pcm_lib_malloc_pages / snd_pcm_lib_free_pages).
 */
static __kcsan_unchecked void mirror_buffer(struct harness_substream *hs, int buffer_id,
					    long buffer_bytes, int contiguous)
{
	struct snd_pcm_substream *substream = &hs->substream;
	struct snd_pcm_runtime *runtime = &hs->runtime;
	struct snd_dma_buffer *own = runtime->dma_buffer_p;
	struct harness_device *d = devices[substream->pcm->card->dev->id];
	struct harness_buffer *b;

	/* attached: the runtime's own buffer is parked until detach */
	if (runtime->dmabuf_import)
		return;
	if (own) {
		b = buffer_by_area(own->area);
		if (b && b->id == buffer_id)
			return;
		/*
		 * snd_pcm_lib_free_pages(): a preallocated buffer stays with
		 * the substream; the simulator frees its memory with the
		 * runtime (docs/decisions.md 3e), and so does the harness
		 */
		if (own == &substream->dma_buffer) {
			if (b) {
				buffer_uncharge(substream->pcm->card, own);
				buffer_free(b);
			}
			substream->dma_buffer.area = NULL;
			substream->dma_buffer.addr = 0;
			substream->dma_buffer.bytes = 0;
		} else {
			/* snd_pcm_lib_free_pages() -> do_free_pages() */
			buffer_uncharge(substream->pcm->card, own);
			snd_dma_free_pages(own);
			kfree(own);
		}
		snd_pcm_set_runtime_buffer(substream, NULL);
	}
	if (!buffer_id)
		return;
	b = buffer_new(buffer_id, buffer_bytes, contiguous);
	buffer_charge(b, substream->pcm->card);
	/*
	 * sound/core/memalloc.c: DEV is dma_alloc_coherent(), DEV_WC and
	 * DEV_WC_SG dma_alloc_wc(), non-cacheable on a device that is not
	 * DMA-coherent (kernel/dma/direct.c, dma_direct_alloc())
	 */
	b->uncached = !d->dev.dma_coherent &&
		      (device_buffer_type(d) == SNDRV_DMA_TYPE_DEV ||
		       device_buffer_type(d) == SNDRV_DMA_TYPE_DEV_WC ||
		       device_buffer_type(d) == SNDRV_DMA_TYPE_DEV_WC_SG);
	/* snd_pcm_lib_malloc_pages() reuses a preallocated buffer */
	own = driver_preallocates(d) ? &substream->dma_buffer :
	      core_zalloc(sizeof(*own));
	own->dev.type = device_buffer_type(d);
	own->dev.dev = substream->pcm->card->dev;
	own->dev.dir = substream->stream == SNDRV_PCM_STREAM_PLAYBACK ?
		       DMA_TO_DEVICE : DMA_FROM_DEVICE;
	/*
	 * drivers/iommu/dma-iommu.c, iommu_dma_alloc(): the coherent and
	 * non-contiguous allocations of a device behind an IOMMU are one IOVA
	 * range, the coherent ones vmap()ed (iommu_dma_alloc_remap());
	 * kernel/dma/direct.c, dma_direct_alloc(): without one, a
	 * non-coherent device's coherent memory is remapped uncached
	 * (DMA_DIRECT_REMAP, arm64)
	 */
	b->remapped = (device_buffer_type(d) == SNDRV_DMA_TYPE_DEV ||
		       device_buffer_type(d) == SNDRV_DMA_TYPE_DEV_WC) &&
		      (d->dev.iommu || !d->dev.dma_coherent);
	if (dma_type_of_device(device_buffer_type(d)))
		b->dma_dev = &d->dev;
	if (d->dev.iommu && dma_type_of_device(device_buffer_type(d))) {
		b->iova_dev = &d->dev;
		b->iova = iommu_dma_alloc_pages(&d->dev, b);
	}
	own->area = b->area;
	own->addr = b->iova_dev ? b->iova :
		    (dma_addr_t)b->pages[0].pfn << PAGE_SHIFT;
	own->bytes = buffer_bytes;
	snd_pcm_set_runtime_buffer(substream, own);
	/* the driver's hw_params: a descriptor list, or a DSP's memory map */
	if (d->driver == HARNESS_DRIVER_DESCRIPTORS ||
	    d->driver == HARNESS_DRIVER_KEEPS_ADDR)
		hs->programmed = runtime->dma_addr;
}

/*
 * The driver's prepare.  Revision 2's ATTACH opt-in is the driver's promise
 * that it programs the hardware from the runtime buffer at prepare, so a
 * driver that builds descriptors and opted in rebuilds them here; one that
 * did not opt in (and every driver of revision 1, which has no opt-in) keeps
 * what it built at hw_params.
 */
static __kcsan_unchecked void driver_prepare(struct harness_substream *hs)
{
#if HARNESS_UAPI_REV >= 2
	struct harness_device *d = devices[hs->substream.pcm->card->dev->id];

	if (d->driver == HARNESS_DRIVER_DESCRIPTORS &&
	    (hs->substream.dmabuf_caps & SNDRV_PCM_DMABUF_ATTACH))
		hs->programmed = hs->runtime.dma_addr;
#endif
}

__kcsan_unchecked int harness_driver_prepare(int sid)
{
	struct harness_substream *hs = substream_of(sid);

	if (!hs || !hs->substream.runtime)
		return -EINVAL;
	driver_prepare(hs);
	return 0;
}

__kcsan_unchecked int harness_set_runtime(int sid, int has_runtime, int state, int access,
					  int info, long dma_bytes, int mmap_count,
					  int buffer_id, long buffer_bytes, int contiguous)
{
	struct harness_substream *hs = substream_of(sid);

	if (!hs)
		return -EINVAL;
	if (!has_runtime) {
		if (hs->substream.runtime && (hs->runtime.dmabuf ||
					      hs->runtime.dmabuf_import))
			harness_bug("substream %d closed with dma-buf state left", sid);
		mirror_buffer(hs, 0, 0, 0);
		hs->substream.runtime = NULL;
		if (hs->disconnected)
			card_free_if_unused(devices[hs->substream.pcm->card->dev->id]);
		return 0;
	}
	if (!hs->substream.runtime) {
		/* the PCM core's lock of the substream outlives its runtimes here */
		struct mutex buffer_mutex = hs->runtime.buffer_mutex;

		memset(&hs->runtime, 0, sizeof(hs->runtime));
		hs->runtime.buffer_mutex = buffer_mutex;
		hs->substream.runtime = &hs->runtime;
		hs->host_state = -1;
	}
	mirror_buffer(hs, buffer_id, buffer_bytes, contiguous);
	if (state != hs->host_state) {
		hs->runtime.state = state;
		hs->host_state = state;
	}
	hs->runtime.access = access;
	hs->runtime.info = info;
	/* snd_pcm_set_runtime_buffer() set the allocation size; hw_params the used size */
	if (hs->runtime.dma_buffer_p)
		hs->runtime.dma_bytes = dma_bytes;
	/*
	 * mmap_count is the C's own (harness_pcm_mmap()); the host's count,
	 * -1 while ops are in flight together, must agree with it.
	 */
	if (mmap_count >= 0 && atomic_read(&hs->substream.mmap_count) != mmap_count)
		harness_bug("substream %d: mmap_count %d, but the host has %d PCM data mappings",
			    sid, atomic_read(&hs->substream.mmap_count), mmap_count);
	return 0;
}

/*
 * sound/core/pcm_native.c, snd_pcm_mmap_data() with the series' hook, as
 * 6.12 reaches it: do_mmap() (mm/mmap.c) -> snd_pcm_mmap() holds the
 * mapping mm's mmap_lock only, neither runtime->buffer_mutex nor the
 * stream lock, but with runtime->buffer_accessing raised, which fails while
 * an ATTACH holds snd_pcm_buffer_access_lock() and makes one that comes
 * later fail (-EBUSY both).  The hook's snd_pcm_dmabuf_attached() check, then
 * snd_pcm_lib_default_mmap() (snd_dma_buffer_mmap() of
 * snd_pcm_get_dma_buf(), which sleeps), and mmap_count raised only after
 * it returned.  The host made the checks before the hook (state, access,
 * size).  0 or -EBUSY.
 */
__kcsan_unchecked int harness_pcm_mmap(int sid)
{
	struct harness_substream *hs = substream_of(sid);
	struct mm_struct *mm = current_mm();
	int err = 0;

	if (!hs || !hs->substream.runtime)
		return -EINVAL;
	mmap_write_lock(mm);
	/* "don't race with buffer reallocation": an ATTACH holds it negative */
	harness_kcsan_rmw(&hs->runtime.buffer_accessing);
	if (hs->runtime.buffer_accessing.counter < 0) {
		err = -EBUSY;	/* atomic_inc_unless_negative() failed */
		goto out;
	}
	hs->runtime.buffer_accessing.counter++;
	if (snd_pcm_dmabuf_attached(&hs->substream)) {
		err = -EBUSY;
	} else {
		might_sleep();	/* snd_pcm_lib_default_mmap() */
		hs->substream.mmap_count.counter++;	/* atomic_inc() */
	}
	harness_kcsan_rmw(&hs->runtime.buffer_accessing);
	hs->runtime.buffer_accessing.counter--;	/* atomic_dec() */
out:
	mmap_write_unlock(mm);
	return err;
}

/* snd_pcm_mmap_data_close(): the last unmap of a PCM data mapping */
__kcsan_unchecked void harness_pcm_munmap(int sid)
{
	struct harness_substream *hs = substream_of(sid);

	if (!hs || atomic_read(&hs->substream.mmap_count) <= 0)
		harness_bug("munmap of a PCM data mapping of substream %d, which has none", sid);
	else
		hs->substream.mmap_count.counter--;	/* atomic_dec() */
}

__kcsan_unchecked int harness_state(int sid)
{
	struct harness_substream *hs = substream_of(sid);

	return hs && hs->substream.runtime ? hs->runtime.state : -1;
}

/*
 * sound/core/pcm_native.c, snd_pcm_pre_start() (6.12): START, and a
 * transfer's start at its threshold, is refused (-EBADFD) while HW_PARAMS,
 * HW_FREE, PREPARE or a dma-buf ioctl holds the buffer accesses blocked.
 * The host asks under the stream lock.  1 blocked, 0 not, -EINVAL.
 */
__kcsan_unchecked int harness_accesses_blocked(int sid)
{
	struct harness_substream *hs = substream_of(sid);

	if (!hs || !hs->substream.runtime)
		return -EINVAL;
	return atomic_read(&hs->runtime.buffer_accessing) < 0;
}

__kcsan_unchecked int harness_runtime_buffer(int sid)
{
	struct harness_substream *hs = substream_of(sid);
	struct harness_buffer *b;

	if (!hs || !hs->substream.runtime || !hs->runtime.dma_area)
		return 0;
	b = buffer_by_area(hs->runtime.dma_area);
	return b ? b->id : -1;
}

__kcsan_unchecked int harness_revision(void)
{
	return HARNESS_UAPI_REV;
}

static __kcsan_unchecked int dmabuf_ioctl_call(struct harness_substream *hs, struct file *file,
					       unsigned int cmd, void *arg)
{
#if HARNESS_UAPI_REV >= 2
	return snd_pcm_dmabuf_ioctl(&hs->substream, file, cmd, arg);
#else
	return snd_pcm_dmabuf_ioctl(&hs->substream, cmd, arg);
#endif
}

/*
 * Revisions 1 to 3's wrapper in pcm_native.c, snd_pcm_dmabuf_user():
 * snd_pcm_buffer_access_lock() around the ioctl.  The host holds the mutex;
 * the wrapper's buffer_accessing is what excludes a PCM data mmap in
 * flight (harness_pcm_mmap()), so it is modelled here.
 */
static __kcsan_unchecked int dmabuf_ioctl_wrapped(struct harness_substream *hs,
						  struct file *file, unsigned int cmd, void *arg)
{
	atomic_t *accessing = &hs->runtime.buffer_accessing;
	int ret;

	harness_kcsan_rmw(accessing);	/* atomic_dec_unless_positive() */
	if (accessing->counter > 0)
		return -EBUSY;
	accessing->counter--;
	ret = dmabuf_ioctl_call(hs, file, cmd, arg);
	harness_kcsan_rmw(accessing);	/* atomic_inc() */
	accessing->counter++;
	return ret;
}

/* the running task holds the host's hold of @hs */
static __kcsan_unchecked bool host_holds(struct harness_substream *hs)
{
	return hs->host_depth &&
	       harness_owns(hs->host_on_gate ? hs->host_gate.owner :
			    hs->runtime.buffer_mutex.owner);
}

static __kcsan_unchecked bool host_gate_mine(struct harness_substream *hs)
{
	return hs->host_gate.locked && harness_owns(hs->host_gate.owner);
}

static __kcsan_unchecked void host_gate_wait(struct harness_substream *hs)
{
	struct mutex *gate = &hs->host_gate;

	if (sched_in_group() && gate->locked && !harness_owns(gate->owner))
		sched_wait(gate, (struct harness_site){ __FILE__, __LINE__ }, false);
}

static __kcsan_unchecked void host_gate_take(struct harness_substream *hs)
{
	host_gate_wait(hs);
	hs->host_gate.locked = true;
	hs->host_gate.owner = sched_self + 1;
}

/*
 * runtime->buffer_mutex with the gate free.  The gate is taken under the
 * mutex only, so while a task holds the mutex with the gate free, no
 * task's change waits for the host's model to learn of it.
 */
static __kcsan_unchecked void buffer_mutex_lock_gate_free(struct harness_substream *hs,
							  int subclass, struct harness_site site)
{
	for (;;) {
		host_gate_wait(hs);
		harness_mutex_lock_nested(&hs->runtime.buffer_mutex, subclass, site);
		if (!hs->host_gate.locked || host_gate_mine(hs))
			return;
		mutex_unlock(&hs->runtime.buffer_mutex);
	}
}

static __kcsan_unchecked void host_hold_take(struct harness_substream *hs)
{
	/* the site lockdep reports: snd_pcm_buffer_access_lock()'s, as 6.12's */
	buffer_mutex_lock_gate_free(hs, 0,
				    (struct harness_site){ "sound/core/pcm_native.c", 722 });
	hs->mutex_depth = 1;
	hs->host_on_gate = false;
}

static __kcsan_unchecked void host_hold_release(struct harness_substream *hs)
{
	if (hs->host_on_gate) {
		hs->host_on_gate = false;
		hs->host_gate.locked = false;
		hs->host_gate.owner = 0;
		return;
	}
	hs->mutex_depth = 0;
	mutex_unlock(&hs->runtime.buffer_mutex);
}

/*
 * The host's hold let go around a call the kernel makes with none held,
 * and taken again after it; its nesting is kept aside meanwhile.  Taken
 * again, it is the gate where the call took that (ioctl_commit()).
 */
static __kcsan_unchecked int host_hold_drop(struct harness_substream *hs)
{
	int depth = hs->host_depth;

	hs->host_depth = 0;
	host_hold_release(hs);
	return depth;
}

static __kcsan_unchecked void host_hold_retake(struct harness_substream *hs, int depth)
{
	if (host_gate_mine(hs))
		hs->host_on_gate = true;
	else
		host_hold_take(hs);
	hs->host_depth = depth;
}

/*
 * The dma-buf ioctl the running task issued with the host's hold let go,
 * and what of the substream's dma-buf state and of the task's dma-buf calls
 * it found then: a critical section of it that changed either changed what
 * the host's model learns only once the ioctl returns.
 */
struct ioctl_mark {
	const void *dmabuf, *import, *area;
	int state;
	unsigned long calls;
};

static __thread struct harness_substream *ioctl_hs;
static __thread struct ioctl_mark ioctl_mark;

static __kcsan_unchecked struct ioctl_mark ioctl_mark_of(struct harness_substream *hs)
{
	return (struct ioctl_mark){
		.dmabuf = hs->runtime.dmabuf,
		.import = hs->runtime.dmabuf_import,
		.area = hs->runtime.dma_area,
		.state = hs->runtime.state,
		.calls = harness_dmabuf_calls,
	};
}

/*
 * At the end of a critical section of the running task's dma-buf ioctl,
 * buffer_mutex still held: if it changed anything, the task takes the
 * host's gate, so that no other op of the host runs on the substream
 * before the host's model learnt the change, as none runs in the ioctl's
 * critical section.  Before that, they run between its critical sections,
 * as on a kernel.
 */
static __kcsan_unchecked void ioctl_commit(struct harness_substream *hs)
{
	struct ioctl_mark now;

	if (ioctl_hs != hs || host_gate_mine(hs))
		return;
	now = ioctl_mark_of(hs);
	if (now.dmabuf == ioctl_mark.dmabuf && now.import == ioctl_mark.import &&
	    now.area == ioctl_mark.area && now.state == ioctl_mark.state &&
	    now.calls == ioctl_mark.calls)
		return;
	host_gate_take(hs);
}

/*
 * The ioctl as the revision under test takes it, issued on @file.  The host
 * holds runtime->buffer_mutex around every PCM ioctl (harness_pcm_lock()),
 * so that no other task sees the runtime half mirrored; revisions 1 to 3's
 * wrapper in pcm_native.c held it around this ioctl too.  A revision whose
 * ioctl takes the mutex itself (HARNESS_IOCTL_LOCKS) runs, as on a kernel
 * (sound/core/pcm_native.c, snd_pcm_common_ioctl()), with none held: the
 * host lets go of its hold, so that a HW_FREE, PREPARE or another dma-buf
 * ioctl of the substream runs between the ioctl's critical sections, and
 * lockdep sees an edge from buffer_mutex only where the ioctl takes it.
 */
static __kcsan_unchecked int dmabuf_ioctl(struct harness_substream *hs, struct file *file,
					  unsigned int cmd, void *arg)
{
	int depth, ret;

	hs->shared = true;
	if (!HARNESS_IOCTL_LOCKS)
		return dmabuf_ioctl_wrapped(hs, file, cmd, arg);
	if (!host_holds(hs) || hs->host_on_gate)
		return dmabuf_ioctl_call(hs, file, cmd, arg);
	depth = host_hold_drop(hs);
	ioctl_hs = hs;
	ioctl_mark = ioctl_mark_of(hs);
	ret = dmabuf_ioctl_call(hs, file, cmd, arg);
	ioctl_hs = NULL;
	host_hold_retake(hs, depth);
	return ret;
}

/*
 * The PCM file an ioctl is issued on: sound/core/pcm_native.c,
 * snd_pcm_open_file() keeps the open's f_mode (do_dentry_open(), fs/open.c:
 * O_RDONLY gives FMODE_READ only).
 */
static __kcsan_unchecked void pcm_file_init(struct file *file, bool writable)
{
	memset(file, 0, sizeof(*file));
	file->f_count = 1;
	file->f_flags = writable ? O_RDWR : O_RDONLY;
	file->f_mode = FMODE_READ | (writable ? FMODE_WRITE : 0);
}

__thread char harness_user_readonly[HARNESS_USER_READONLY_BYTES];

/*
 * The argument pointer of an ioctl, as @fault says: the caller's struct of
 * @size bytes, an address in the never mapped first page (mm/mmap.c,
 * mmap_min_addr), which the shim's user copies fail on, or a copy of the
 * struct in the read-only user page, which only their writes fail on
 * (linux/uaccess.h).  NULL, reported as the host's bug, for a @fault
 * harness.h does not define or a struct larger than that page.
 */
static __kcsan_unchecked void *ioctl_arg(void *arg, size_t size, int fault)
{
	switch (fault) {
	case HARNESS_ARG_MAPPED:
		return arg;
	case HARNESS_ARG_UNMAPPED:
		return HARNESS_USER_UNMAPPED;
	case HARNESS_ARG_READONLY:
		if (size > sizeof(harness_user_readonly)) {
			harness_bug("a %zu-byte ioctl argument does not fit the read-only user page", size);
			return NULL;
		}
		memcpy(harness_user_readonly, arg, size);
		return harness_user_readonly;
	default:
		harness_bug("the host passed argument pointer %d, which harness.h does not define", fault);
		return NULL;
	}
}

__kcsan_unchecked int harness_export(int sid, int flags, int reserved_word, int reserved,
				     int fault, int pcm_writable)
{
	struct harness_substream *hs = substream_of(sid);
	struct file pcm_file;
#if HARNESS_UAPI_REV >= 2
	/* include/uapi/sound/asound.h: the flags word as the caller passed it */
	struct snd_pcm_dmabuf_export arg = {
		.flags = flags,
		.fd = -1,
	};
	int *fdp = &arg.fd;
#else
	/* revision 1 takes no flags: always O_RDWR, close-on-exec */
	int arg = -1, *fdp = &arg;
#endif
	void *uarg;
	int fd;
	int err;

	if (!hs || reserved_word < 0 || reserved_word >= 6)
		return -EINVAL;
#if HARNESS_UAPI_REV >= 2
	arg.reserved[reserved_word] = reserved;
#endif
	uarg = ioctl_arg(&arg, sizeof(arg), fault);
	if (!uarg)
		return -EINVAL;
	pcm_file_init(&pcm_file, pcm_writable);
	installed = NULL;
	err = dmabuf_ioctl(hs, &pcm_file, SNDRV_PCM_IOCTL_DMABUF_EXPORT, uarg);
	fd = *fdp;
	if (err)
		return err;
	if (!installed || fd != 1000) {
		harness_bug("EXPORT succeeded without installing the fd it returned");
		return -EINVAL;
	}
	/*
	 * The dma-buf whose file the new fd refers to: the caller compares it
	 * with the runtime's export (a stale file pointer finds another's)
	 */
	return ((struct dma_buf *)installed->private_data)->id;
}

__kcsan_unchecked int harness_installed_cloexec(void)
{
	return !!(installed_fd_flags & O_CLOEXEC);
}

__kcsan_unchecked int harness_attach(int sid, int fd, int target, int flags,
				     int reserved_word, int reserved, int fault)
{
	struct harness_substream *hs = substream_of(sid);
	struct dma_buf *pinned;
	struct file *pinned_file, pcm_file;
	void *uarg;
	int err;

	if (!hs || reserved_word < 0 || reserved_word >= 6)
		return -EINVAL;
#if HARNESS_UAPI_REV >= 2
	struct snd_pcm_dmabuf_attach arg = {
		.fd = fd,
		.flags = flags,
	};

	arg.reserved[reserved_word] = reserved;
#else
	int arg = fd;
#endif

	uarg = ioctl_arg(&arg, sizeof(arg), fault);
	if (!uarg)
		return -EINVAL;
	/*
	 * The host resolved the fd from its table before the ioctl; the
	 * patch's fget() (dma_buf_get()) comes after scheduling points (the
	 * stream lock of the state check), where another task's close() of
	 * the fd may drop the file's last reference.  The file the host
	 * resolved is pinned until the ioctl returns, so the stale resolution
	 * never reaches a freed file: fget() at the syscall's entry, a window
	 * narrower than the kernel's (the fd table is the host's).
	 */
	pinned = target > 0 ? dmabuf_by_id(target) : NULL;
	pinned_file = pinned ? dmabuf_file(pinned) : NULL;
	if (pinned_file)
		pinned_file->f_count++;
	fd_number = fd;
	fd_target = target;
	pcm_file_init(&pcm_file, true);
	err = dmabuf_ioctl(hs, &pcm_file, SNDRV_PCM_IOCTL_DMABUF_ATTACH, uarg);
	fd_number = -1;
	fd_target = HARNESS_FD_NONE;
	if (pinned_file)
		fput(pinned_file);
	return err;
}

/*
 * What an importer may rely on of a mapped table (include/linux/dma-buf.h,
 * @map_dma_buf): its DMA segments cover the whole dma-buf.
 */
static __kcsan_unchecked void foreign_check_table(struct dma_buf *dmabuf, struct sg_table *sgt)
{
	struct scatterlist *sg;
	size_t bytes = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i)
		bytes += sg_dma_len(sg);
	if (bytes < dmabuf->size)
		harness_bug("map_dma_buf gave another driver's device %zu bytes of a %zu-byte dma-buf",
			    bytes, dmabuf->size);
}

/*
 * Another driver's import of the dma-buf behind @fd, as
 * drm_gem_prime_import_dev() (drivers/gpu/drm/drm_prime.c) makes one and
 * its error path undoes it: dma_buf_get(), dma_buf_attach() for a device of
 * its own, dma_buf_map_attachment() for that device's DMA, then the unmap,
 * the detach and the put.  The device is coherent and maps directly, so
 * nothing of the host's memory changes; @dma_mask: it has a DMA mask.
 * A device reference the exporter still holds afterwards is a finding.
 */
__kcsan_unchecked int harness_foreign_import(int fd, int target, int dma_mask)
{
	/* static: a DMA mapping the exporter leaks keeps pointing at it */
	static struct device dev;
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	int err = 0;

	dev = (struct device) {
		.id = -1,
		.dma_mask_value = ~0ULL,
		.dma_mask = dma_mask ? &dev.dma_mask_value : NULL,
		.dma_coherent = true,
	};
	fd_number = fd;
	fd_target = target;
	dmabuf = dma_buf_get(fd);
	fd_number = -1;
	fd_target = HARNESS_FD_NONE;
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	attach = dma_buf_attach(dmabuf, &dev);
	if (IS_ERR(attach)) {
		err = PTR_ERR(attach);
		goto put;
	}
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		err = PTR_ERR(sgt);
	} else {
		foreign_check_table(dmabuf, sgt);
		dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
	}
	dma_buf_detach(dmabuf, attach);
put:
	dma_buf_put(dmabuf);
	if (dev.refs) {
		harness_bug("the exporter kept %d references to an importer's device after its detach",
			    dev.refs);
		dev.refs = 0;
	}
	return err;
}

__kcsan_unchecked int harness_detach(int sid)
{
	struct harness_substream *hs = substream_of(sid);
	struct file pcm_file;

	if (!hs)
		return -EINVAL;
	pcm_file_init(&pcm_file, true);
	return dmabuf_ioctl(hs, &pcm_file, SNDRV_PCM_IOCTL_DMABUF_DETACH, NULL);
}

/*
 * revision 5 finishes a hw_free's revocation after the core dropped
 * buffer_mutex (sound/core/pcm_native.c, snd_pcm_hw_params(),
 * snd_pcm_hw_free(), snd_pcm_release()); earlier ones have no second half
 * (a weak reference)
 */
void snd_pcm_dmabuf_hw_free_finish(struct snd_pcm_substream *substream)
	__attribute__((weak));

/*
 * Revision 7 counts the revocations a substream queued for its second half
 * (substream->dmabuf_revoking) and walks the list only while the count is
 * not zero.  Each task that queues one finishes it itself, so outside a
 * group, once the second half of a hw_free or a disconnect ran, nothing of
 * the substream's may be left: a count left behind is a revocation never
 * finished, or a count that makes every later HW_PARAMS, HW_FREE and close
 * take the global list lock.
 */
static __kcsan_unchecked void check_revocations_finished(struct harness_substream *hs,
							 const char *finish)
{
	if (!sched_in_group() && hs->substream.dmabuf_revoking)
		harness_bug("%s() left substream->dmabuf_revoking at %u: a queued revocation not finished, or a count that lies (LIFETIME-NEVER-BLOCKED)",
			    finish, hs->substream.dmabuf_revoking);
}

/* the second half of a hw_free, run without buffer_mutex */
static __kcsan_unchecked void hw_free_second_half(struct harness_substream *hs,
						  void (*finish)(struct snd_pcm_substream *))
{
	harness_private_hook(!hs->shared);
	finish(&hs->substream);
	harness_private_hook(false);
	check_revocations_finished(hs, "snd_pcm_dmabuf_hw_free_finish");
}

/*
 * The host holds buffer_mutex around the hook (harness_pcm_lock()).  Held
 * for this call alone, it is dropped for the second half, in the same call
 * as the kernel's hw_params and hw_free do before they return, and taken
 * again for the host's unlock; held around more (an op of the host that
 * calls several hooks), the second half runs when the host drops it
 * (harness_pcm_unlock()).
 */
__kcsan_unchecked void harness_hw_free(int sid)
{
	struct harness_substream *hs = substream_of(sid);
	/* read at run time: the compiler takes a defined weak symbol as set */
	void (*volatile finish)(struct snd_pcm_substream *) =
		snd_pcm_dmabuf_hw_free_finish;
	int depth;

	if (!hs || !hs->substream.runtime)
		return;
	harness_private_hook(!hs->shared);
	snd_pcm_dmabuf_hw_free(&hs->substream);
	harness_private_hook(false);
	if (!finish)
		return;
	if (hs->host_depth != 1 || !host_holds(hs) || hs->host_on_gate) {
		hs->hw_free_finish_due = true;
		return;
	}
	depth = host_hold_drop(hs);
	hw_free_second_half(hs, finish);
	host_hold_retake(hs, depth);
}

/* revision 3 has the prepare hook; earlier ones have not (a weak reference) */
int snd_pcm_dmabuf_prepare(struct snd_pcm_substream *substream)
	__attribute__((weak));

__kcsan_unchecked int harness_prepare(int sid)
{
	struct harness_substream *hs = substream_of(sid);
	/* read at run time: the compiler takes a defined weak symbol as set */
	int (*volatile prepare)(struct snd_pcm_substream *) =
		snd_pcm_dmabuf_prepare;

	if (!hs || !hs->substream.runtime)
		return -EINVAL;
	return prepare ? prepare(&hs->substream) : 0;
}

/* revision 3 asks it at snd_pcm_post_prepare(); earlier ones have none */
bool snd_pcm_dmabuf_revoked(struct snd_pcm_substream *substream)
	__attribute__((weak));

/*
 * sound/core/pcm_native.c, snd_pcm_post_prepare() of the series: under the
 * stream lock, whether a revocation marked the attached dma-buf while the
 * driver prepared (the stream then ends in XRUN).  1 or 0, -ENOENT for a
 * revision without the hook.
 */
__kcsan_unchecked int harness_post_prepare_revoked(int sid)
{
	struct harness_substream *hs = substream_of(sid);
	bool (*volatile revoked)(struct snd_pcm_substream *) =
		snd_pcm_dmabuf_revoked;

	if (!hs || !hs->substream.runtime)
		return -EINVAL;
	if (!revoked)
		return -ENOENT;
	guard(pcm_stream_lock_irq)(&hs->substream);
	return revoked(&hs->substream);
}

/*
 * sound/core/pcm_native.c of revision 3: snd_pcm_stop() in XRUN, a paused
 * stream released first; the host's revocation stops the group as the
 * model does, this only the substream the code under test names
 */
__kcsan_unchecked void snd_pcm_stop_revoked(struct snd_pcm_substream *substream)
{
	harness_assert_stream_locked(substream->runtime, HARNESS_SITE);
	substream->runtime->state = SNDRV_PCM_STATE_XRUN;
}

/*
 * The driver's removal after the disconnect: snd_card_free_when_closed()
 * (sound/core/init.c) frees the card once every file of it is closed, so
 * the card's memory is gone when the last substream of a disconnected card
 * is closed, or at the disconnect when none is open.  The memory stays
 * allocated here (the harness frees it at harness_reset()); a use of it
 * after is reported as the use after free it is (card_check_live()).
 *
 * The driver's remove has then returned, and kernel/dma/debug.c,
 * dma_debug_device_change() at BUS_NOTIFY_UNBOUND_DRIVER, reports every
 * DMA-API allocation and streaming mapping still held against the device
 * as "pending DMA allocations while released from device".
 */
static __kcsan_unchecked void card_free_if_unused(struct harness_device *d)
{
	struct dma_debug_entry *entry;
	struct harness_buffer *b;
	int count = 0;
	int i;

	if (d->card_freed)
		return;
	for (i = 0; i < nsubstreams; i++) {
		struct harness_substream *hs = substreams[i];

		if (hs && hs->used && hs->substream.pcm == &d->pcm &&
		    (!hs->disconnected || hs->substream.runtime))
			return;
	}
	d->card_freed = true;
	list_for_each_entry(entry, &dma_debug_entries, list)
		if (entry->dev == &d->dev)
			count++;
	list_for_each_entry(b, &buffers, node)
		if (b->dma_dev == &d->dev)
			count++;
	if (count)
		harness_bug("DMA-API: device %d: device driver has pending DMA allocations while released from device [count=%d] (PLAT-DMA-DEBUG)",
			    d->dev.id, count);
}

static __kcsan_unchecked void card_check_live(struct snd_card *card, const char *what)
{
	struct harness_device *d = container_of(card, struct harness_device, card);

	if (d->card_freed)
		harness_bug("use after free: %s on the card of device %d, which snd_card_free_when_closed() freed after its disconnect",
			    what, d->dev.id);
}

/*
 * revision 4 finishes a disconnect's revocations after the PCM's global
 * locks (sound/core/pcm.c, snd_pcm_dev_disconnect()); earlier ones have no
 * second half (a weak reference)
 */
void snd_pcm_dmabuf_disconnect_finish(struct snd_pcm_substream *substream)
	__attribute__((weak));

__kcsan_unchecked void harness_disconnect(int sid)
{
	struct harness_substream *hs = substream_of(sid);
	/* read at run time: the compiler takes a defined weak symbol as set */
	void (*volatile finish)(struct snd_pcm_substream *) =
		snd_pcm_dmabuf_disconnect_finish;

	if (!hs)
		return;
	snd_pcm_dmabuf_disconnect(&hs->substream);
	if (finish) {
		finish(&hs->substream);
		check_revocations_finished(hs, "snd_pcm_dmabuf_disconnect_finish");
	}
	hs->disconnected = true;
	card_free_if_unused(devices[hs->substream.pcm->card->dev->id]);
}

/*
 * sound/core/pcm_native.c (6.12), which revision 4 calls from the ioctl
 * after it copied the argument: buffer accesses blocked, buffer_mutex
 * taken.  The ioctl runs with the host's hold let go (dmabuf_ioctl()), so
 * it takes the mutex; the host's own buffer operations
 * (harness_buffer_access()) nest in its hold.
 */
__kcsan_unchecked int snd_pcm_buffer_access_lock(struct snd_pcm_runtime *runtime)
{
	struct harness_substream *hs =
		container_of(runtime, struct harness_substream, runtime);

	harness_kcsan_rmw(&runtime->buffer_accessing);	/* atomic_dec_unless_positive() */
	if (runtime->buffer_accessing.counter > 0)
		return -EBUSY;
	runtime->buffer_accessing.counter--;
	if (hs->mutex_depth && harness_owns(runtime->buffer_mutex.owner)) {
		hs->mutex_depth++;
		return 0;
	}
	mutex_lock(&runtime->buffer_mutex);
	hs->mutex_depth = 1;
	return 0;
}

__kcsan_unchecked void snd_pcm_buffer_access_unlock(struct snd_pcm_runtime *runtime)
{
	struct harness_substream *hs =
		container_of(runtime, struct harness_substream, runtime);

	ioctl_commit(hs);
	if (hs->mutex_depth && --hs->mutex_depth == 0)
		mutex_unlock(&runtime->buffer_mutex);
	harness_kcsan_rmw(&runtime->buffer_accessing);	/* atomic_inc() */
	runtime->buffer_accessing.counter++;
}

/*
 * sound/core/pcm_lib.c, __snd_pcm_lib_xfer() (6.12): each chunk is copied
 * and synced with the stream lock dropped, runtime->buffer_accessing raised
 * under it first, which fails while a buffer operation holds
 * snd_pcm_buffer_access_lock() and makes one that comes later fail (-EBUSY
 * both), and lowered under it after.  The writer reads runtime->dma_area
 * once the lock is dropped (the core's access, which the series' unpublish
 * must not race with), and its copy_from_user() may fault and sleep.  The
 * host holds no buffer_mutex around a transfer, as 6.12 holds none.
 */
__kcsan_unchecked int harness_xfer_copy(int sid, int begin)
{
	struct harness_substream *hs = substream_of(sid);
	atomic_t *accessing;
	int err = 0;

	if (!hs || !hs->substream.runtime)
		return -EINVAL;
	accessing = &hs->runtime.buffer_accessing;
	spin_lock(&hs->substream.self_group.lock);
	harness_kcsan_rmw(accessing);
	if (!begin)
		accessing->counter--;	/* atomic_dec() */
	else if (accessing->counter < 0)
		err = -EBUSY;	/* atomic_inc_unless_negative() failed */
	else
		accessing->counter++;
	spin_unlock(&hs->substream.self_group.lock);
	if (begin && !err) {
		harness_kcsan_core_access(&hs->runtime.dma_area,
					  sizeof(hs->runtime.dma_area), false);
		might_sleep();
	}
	return err;
}

/*
 * The PCM core's own snd_pcm_buffer_access_lock(): snd_pcm_hw_params(),
 * snd_pcm_hw_free() and snd_pcm_action_nonatomic() (PREPARE, RESET) take it
 * before their state check, nested in the host's buffer_mutex as the
 * dma-buf ioctls' is.
 */
__kcsan_unchecked int harness_buffer_access(int sid, int lock)
{
	struct harness_substream *hs = substream_of(sid);

	if (!hs || !hs->substream.runtime)
		return -EINVAL;
	if (!lock) {
		snd_pcm_buffer_access_unlock(&hs->runtime);
		return 0;
	}
	return snd_pcm_buffer_access_lock(&hs->runtime);
}

/* sound/core/pcm_local.h, snd_pcm_dma_buffer_sync() (6.12) */
static __kcsan_unchecked void core_dma_buffer_sync(struct snd_pcm_substream *substream,
						   enum snd_dma_sync_mode mode)
{
	if (substream->runtime->info & SNDRV_PCM_INFO_EXPLICIT_SYNC)
		snd_dma_buffer_sync(substream->runtime->dma_buffer_p, mode);
}

/*
 * The PCM core's sync of what it wrote into the buffer (transfers, silence:
 * sound/core/pcm_lib.c, __snd_pcm_lib_xfer() and
 * snd_pcm_playback_silence()) or is about to read: revision 2's
 * snd_pcm_data_sync() (its pcm_local.h), which leaves attached memory to
 * snd_pcm_dmabuf_sync(); revision 1 keeps 6.12's snd_pcm_dma_buffer_sync().
 */
__kcsan_unchecked void harness_data_sync(int sid, int for_device)
{
	struct harness_substream *hs = substream_of(sid);
	struct snd_pcm_substream *substream;
	enum snd_dma_sync_mode mode;

	if (!hs || !hs->substream.runtime)
		return;
	substream = &hs->substream;
	mode = for_device ? SNDRV_DMA_SYNC_DEVICE : SNDRV_DMA_SYNC_CPU;
#if HARNESS_UAPI_REV >= 2
	if (snd_pcm_dmabuf_attached(substream)) {
		snd_pcm_dmabuf_sync(substream, mode);
		return;
	}
#endif
	core_dma_buffer_sync(substream, mode);
}

__kcsan_unchecked int harness_attached(int sid)
{
	struct harness_substream *hs = substream_of(sid);

	return hs && hs->substream.runtime &&
	       snd_pcm_dmabuf_attached(&hs->substream);
}

static __kcsan_unchecked struct dma_buf *dmabuf_of(int id, const char *what)
{
	struct dma_buf *d = dmabuf_by_id(id);

	if (!d)
		harness_bug("%s on dma-buf %d, which the C code freed", what, id);
	return d;
}

/* the file of a dma-buf the simulator holds through an fd or a mapping */
static __kcsan_unchecked struct file *file_of(int id, const char *what)
{
	struct dma_buf *d = dmabuf_of(id, what);
	struct file *file = d ? dmabuf_file(d) : NULL;

	if (d && !file)
		harness_bug("%s on dma-buf %d, whose file the C code freed", what, id);
	return file;
}

__kcsan_unchecked int harness_mmap(int id, long pgoff, long pages, int write, int shared)
{
	struct file *file = file_of(id, "mmap");
	struct vm_area_struct *vma;

	if (!file)
		return -EBADF;
	if (pgoff < 0 || pages <= 0)
		return -EINVAL;
	vma = do_mmap(file, pgoff, pages, write, shared);
	return IS_ERR(vma) ? PTR_ERR(vma) : vma->id;
}

__kcsan_unchecked int harness_munmap(int handle)
{
	struct vm_area_struct *vma = vma_by_id(handle);

	if (!vma) {
		harness_bug("munmap of mapping %d, which the C side does not have", handle);
		return -EINVAL;
	}
	do_munmap(vma);
	return 0;
}

__kcsan_unchecked int harness_munmap_tail(int handle, long keep)
{
	struct vm_area_struct *vma = vma_by_id(handle);

	if (!vma) {
		harness_bug("munmap of mapping %d, which the C side does not have", handle);
		return -EINVAL;
	}
	if (keep <= 0 || (unsigned long)keep >= vma_pages(vma)) {
		harness_bug("munmap of pages %ld on of mapping %d, which has %lu: the simulator unmaps a tail only",
			    keep, handle, vma_pages(vma));
		return -EINVAL;
	}
	return do_munmap_tail(vma, keep);
}

__kcsan_unchecked long harness_mapped_page(int handle, long index)
{
	struct vm_area_struct *vma = vma_by_id(handle);
	unsigned long pfn;
	struct page *page;

	if (!vma || index < 0 || (unsigned long)index >= vma_pages(vma))
		return -EINVAL;
	pfn = vma->pte_pfn[index];
	if (!pfn)
		return -ENOENT;
	page = pfn_to_live_page(pfn);
	if (!page) {
		harness_bug("CPU mapping %d reaches pfn %#lx at page %ld, which is no live buffer",
			    handle, pfn, index);
		return -EFAULT;
	}
	return ((long)page->buffer->id << 32) | (long)(page - page->buffer->pages);
}

__kcsan_unchecked long harness_touch_page(int handle, long index)
{
	struct vm_area_struct *vma = vma_by_id(handle);

	if (!vma || index < 0 || (unsigned long)index >= vma_pages(vma))
		return -EINVAL;
	if (handle_mm_fault(vma, index))
		return -EFAULT;
	return harness_mapped_page(handle, index);
}

__kcsan_unchecked int harness_mappings(int id)
{
	struct dma_buf *d = dmabuf_by_id(id);
	struct vm_area_struct *vma;
	struct file *file;
	int n = 0;

	if (!d)
		return -1;
	/* a freed file had its mappings unmapped first */
	file = dmabuf_file(d);
	if (!file)
		return 0;
	list_for_each_entry(vma, &file->mapping.i_mmap, shared)
		n++;
	return n;
}

__kcsan_unchecked int harness_sigbus(int id)
{
	struct dma_buf *d = dmabuf_by_id(id);
	struct vm_area_struct *vma;
	struct file *file;
	int n = 0;

	if (!d)
		return -1;
	file = dmabuf_file(d);
	if (!file)
		return 0;
	list_for_each_entry(vma, &file->mapping.i_mmap, shared) {
		unsigned long i, faults = 0;
		struct page *page;

		for (i = 0; i < vma_pages(vma); i++) {
			if (handle_mm_fault(vma, i)) {
				faults++;
				continue;
			}
			/* a dma-buf's memory is one buffer from its first page on */
			page = pfn_to_live_page(vma->pte_pfn[i]);
			if (page && page - page->buffer->pages != (long)(vma->vm_pgoff + i))
				harness_bug("page %lu of CPU mapping %d of dma-buf %d reaches page %ld of buffer %d, not the dma-buf's page %lu",
					    i, vma->id, id, (long)(page - page->buffer->pages),
					    page->buffer->id, vma->vm_pgoff + i);
		}
		if (faults == vma_pages(vma))
			n++;
		else if (faults)
			harness_bug("CPU mapping %d of dma-buf %d: %lu of its %lu pages get SIGBUS, the others reach memory (a zap of part of the file)",
				    vma->id, id, faults, vma_pages(vma));
	}
	return n;
}

__kcsan_unchecked int harness_cpu_access(int id, int begin, int dir)
{
	struct dma_buf *d = dmabuf_of(id, "DMA_BUF_IOCTL_SYNC");

	if (!d)
		return -EBADF;
	return dma_buf_cpu_access(d, begin, dir);
}

__kcsan_unchecked int harness_file_ref(int id, int get)
{
	struct file *file = file_of(id, get ? "get_file" : "fput");

	if (!file)
		return -EBADF;
	if (get)
		file->f_count++;
	else
		fput(file);
	return 0;
}

__kcsan_unchecked long harness_file_count(int id)
{
	struct dma_buf *d = dmabuf_by_id(id);
	struct file *file;

	if (!d)
		return -1;
	/* a dma-buf a path reference keeps has no file left: no reference */
	file = dmabuf_file(d);
	return file ? file->f_count : 0;
}

__kcsan_unchecked int harness_file_writable(int id)
{
	struct dma_buf *d = dmabuf_by_id(id);
	struct file *file = d ? dmabuf_file(d) : NULL;

	return file ? !!(file->f_mode & FMODE_WRITE) : -1;
}

/*
 * Path references: what an O_PATH open of /proc/PID/fd/N holds
 * (fs/proc/fd.c, proc_fd_link(): path_get() of the file's f_path).  Held
 * in a table like fds, by the lowest free handle.
 */
static struct dentry **paths;
static int npaths;

/*
 * The dentry an O_PATH open of the dma-buf reaches: its file's, or, once the
 * file is freed, the one another O_PATH file still holds, which an open of
 * its /proc/PID/fd/N link reaches (fs/proc/fd.c, proc_fd_link(): the path of
 * the O_PATH file, whose dentry keeps the dma-buf until d_release).
 */
static __kcsan_unchecked struct dentry *dmabuf_dentry(int id)
{
	struct dma_buf *d = dmabuf_of(id, "path_get");
	struct file *file = d ? dmabuf_file(d) : NULL;
	int h;

	if (file)
		return file->f_path.dentry;
	for (h = 0; d && h < npaths; h++)
		if (paths[h] && paths[h]->d_fsdata == d)
			return paths[h];
	if (d)
		harness_bug("path_get on dma-buf %d, whose file the C code freed and no path holds",
			    id);
	return NULL;
}

__kcsan_unchecked int harness_path_get(int id)
{
	struct dentry *dentry = dmabuf_dentry(id);
	struct dentry **grown;
	int h;

	if (!dentry)
		return -EBADF;
	for (h = 0; h < npaths && paths[h]; h++)
		;
	if (h == npaths) {
		grown = realloc(paths, (npaths + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		paths = grown;
		paths[npaths++] = NULL;
	}
	paths[h] = dget(dentry);
	return h;
}

__kcsan_unchecked int harness_path_put(int handle)
{
	struct dentry *dentry;

	if (handle < 0 || handle >= npaths || !paths[handle]) {
		harness_bug("path_put(%d) of a path never held", handle);
		return -EINVAL;
	}
	dentry = paths[handle];
	paths[handle] = NULL;
	dput(dentry);
	return 0;
}

__kcsan_unchecked int harness_revoked(int id)
{
	struct dma_buf *d = dmabuf_by_id(id);

	if (!d)
		return -1;
#if HARNESS_UAPI_REV >= 2
	return ((struct snd_pcm_dmabuf *)d->priv)->revoked;
#else
	/* revision 1 revokes nothing: a disconnect orphans */
	return 0;
#endif
}

__kcsan_unchecked int harness_orphaned(int id)
{
	struct dma_buf *d = dmabuf_by_id(id);
	struct snd_pcm_dmabuf *buf;

	if (!d)
		return -1;
	buf = d->priv;
#if HARNESS_UAPI_REV >= 2
	/* revoked: for the simulator, as orphaned (ENODEV from now on) */
	return buf->orphaned || buf->revoked;
#else
	return buf->orphaned;
#endif
}

__kcsan_unchecked int harness_attachments(int id)
{
	struct dma_buf *d = dmabuf_by_id(id);
	struct dma_buf_attachment *a;
	int n = 0;

	if (!d)
		return -1;
	list_for_each_entry(a, &d->attachments, node)
		n++;
	return n;
}

__kcsan_unchecked int harness_dma_mappings(void)
{
	struct dma_debug_entry *entry;
	int n = 0;

	list_for_each_entry(entry, &dma_debug_entries, list)
		n++;
	return n;
}

/*
 * Streaming mappings of memory the device owns already: the buffer of a
 * runtime of the same device.  DMA-API debugging reports a second active
 * mapping of a cacheline as an overlap (kernel/dma/debug.c,
 * active_cacheline_insert()); the device's own buffer counts as mapped for
 * it, as the SNDRV_DMA_TYPE_DEV* allocators map it (dma_alloc_*()).
 */
__kcsan_unchecked int harness_dma_overlaps(void)
{
	struct dma_debug_entry *entry;
	struct harness_buffer *b;
	int i, n = 0;

	list_for_each_entry(entry, &dma_debug_entries, list) {
		b = sgt_buffer(entry->sgt);
		for (i = 0; i < nsubstreams; i++) {
			struct harness_substream *hs = substreams[i];
			struct snd_dma_buffer *own;

			if (!hs->used || !hs->substream.runtime ||
			    hs->substream.pcm->card->dev != entry->dev)
				continue;
			own = hs->runtime.dmabuf_import ?
			      hs->runtime.dmabuf_import->own_dmab :
			      hs->runtime.dma_buffer_p;
			if (b && own && own->area == b->area) {
				n++;
				break;
			}
		}
	}
	return n;
}

__kcsan_unchecked int harness_live_dmabufs(void)
{
	struct dma_buf *d;
	int n = 0;

	list_for_each_entry(d, &dmabufs, node)
		n++;
	return n;
}

__kcsan_unchecked void harness_runtimes(int n, int *out)
{
	int sid;

	for (sid = 0; sid < n; sid++) {
		out[2 * sid] = harness_runtime_buffer(sid);
		out[2 * sid + 1] = harness_attached(sid);
	}
}

__kcsan_unchecked int harness_dmabufs(int n, const int *ids, long *out)
{
	int i;

	for (i = 0; i < n; i++) {
		out[3 * i] = harness_file_count(ids[i]);
		out[3 * i + 1] = harness_orphaned(ids[i]);
		out[3 * i + 2] = harness_attachments(ids[i]);
	}
	return harness_live_dmabufs();
}

__kcsan_unchecked int harness_live_buffers(void)
{
	struct harness_buffer *b;
	int n = 0;

	list_for_each_entry(b, &buffers, node)
		n++;
	return n;
}

__kcsan_unchecked int harness_device_refs(void)
{
	int i, n = 0;

	for (i = 0; i < ndevices; i++)
		n += devices[i]->dev.refs;
	return n;
}

/*
 * Forget everything, for the next script: what a script left alive is freed
 * without running the code under test (its leaks are the caller's to judge).
 */
__kcsan_unchecked void harness_reset(void)
{
	struct dma_buf *d;
	struct dma_buf_attachment *a;
	struct snd_pcm_dmabuf *buf;
	int i;

	while (!list_empty(&dmabufs)) {
		d = list_entry(dmabufs.next, struct dma_buf, node);
		buf = d->priv;
#if HARNESS_UAPI_REV >= 2
		/* revision 2 keeps a mapping per map call, on the export */
		while (!list_empty(&buf->mapped)) {
			struct snd_pcm_dmabuf_mapping *m;

			m = list_entry(buf->mapped.next,
				       struct snd_pcm_dmabuf_mapping, list);
			list_del_init(&m->list);
			sg_free_table(&m->sgt);
			sg_free_table(&m->out);
			kfree(m);
		}
#endif
		while (!list_empty(&d->attachments)) {
			a = list_entry(d->attachments.next,
				       struct dma_buf_attachment, node);
			list_del_init(&a->node);
#if HARNESS_UAPI_REV < 2
			if (a->sgt) {
				struct snd_pcm_dmabuf_attachment *pa = a->priv;

				sg_free_table(&pa->sgt);
				sg_free_table(&pa->out);
			}
#endif
			kfree(a->priv);
			kfree(a);
		}
		kvfree(buf->pages);
		kfree(buf);
		list_del_init(&d->node);
		if (dmabuf_file(d)) {
			while (!list_empty(&d->file->mapping.i_mmap)) {
				struct vm_area_struct *vma;

				vma = list_entry(d->file->mapping.i_mmap.next,
						 struct vm_area_struct, shared);
				list_del(&vma->shared);
				vma_free(vma);
			}
		}
		kfree(d);
	}
	filp_reset();
	mm_reset();
	dcache_reset();
	free(paths);
	paths = NULL;
	npaths = 0;
	dma_debug_reset();
	swiotlb_reset();
	/* the exports just freed without their release */
	INIT_LIST_HEAD(&snd_pcm_dmabuf_handed_over);
	for (i = 0; i < nsubstreams; i++) {
		struct snd_pcm_runtime *runtime = &substreams[i]->runtime;
		struct snd_pcm_dmabuf_import *imp = runtime->dmabuf_import;

		/* the runtime's own buffer descriptor, parked in an import while attached */
		struct snd_dma_buffer *own = imp ? imp->own_dmab : runtime->dma_buffer_p;

		if (own != &substreams[i]->substream.dma_buffer)
			kfree(own);
		kfree(imp);
		kfree(substreams[i]);
	}
	mmap_reset();
	gup_reset();
	while (!list_empty(&buffers)) {
		struct harness_buffer *b;

		b = list_entry(buffers.next, struct harness_buffer, node);
		/* whatever the script left: its checks are the caller's */
		b->charged = NULL;
		list_del_init(&b->node);
		kfree(b->alias);
		kfree(b->area);
		kvfree(b->pages);
		kfree(b);
	}
	for (i = 0; i < ndevices; i++)
		kfree(devices[i]);
	for (i = 0; i < ngroups; i++)
		kfree(groups[i]);
	free(groups);
	groups = NULL;
	ngroups = 0;
	free(substreams);
	free(devices);
	substreams = NULL;
	devices = NULL;
	nsubstreams = 0;
	ndevices = 0;
#if HARNESS_UAPI_REV >= 2
	snd_pcm_dmabuf_list_lock.locked = false;
	snd_pcm_dmabuf_list_lock.owner = 0;
#else
	snd_pcm_dmabuf_mutex.locked = false;
	snd_pcm_dmabuf_mutex.owner = 0;
#endif
	account_reset();
	harness_fail_nth(0);
	harness_lockdep_forget_held();
	status.bugs = 0;
	last_bug[0] = '\0';
	next_dmabuf_id = 1;
	installed = NULL;
	reserved_fd = -1;
	reserved_fd_flags = 0;
	installed_fd_flags = 0;
}

/*
 * The PCM core's lock around what it calls the patch with: the ioctls
 * (snd_pcm_dmabuf_user(): snd_pcm_buffer_access_lock(), which takes
 * runtime->buffer_mutex), hw_params and hw_free (snd_pcm_hw_free()), and
 * the transfers that sync the buffer.  The host takes it before it mirrors
 * the runtime, so that no other kernel task sees a runtime half mirrored.
 */
__kcsan_unchecked void harness_pcm_lock(int sid)
{
	struct harness_substream *hs = substream_of(sid);

	if (!hs)
		return;
	/* the host's ioctl took it, and now its hook into the patch */
	if (host_holds(hs)) {
		hs->host_depth++;
		return;
	}
	host_hold_take(hs);
	hs->host_depth = 1;
}

__kcsan_unchecked void harness_pcm_unlock(int sid)
{
	struct harness_substream *hs = substream_of(sid);

	if (!hs || !host_holds(hs) || --hs->host_depth)
		return;
	host_hold_release(hs);
	if (hs->hw_free_finish_due) {
		hs->hw_free_finish_due = false;
		hw_free_second_half(hs, snd_pcm_dmabuf_hw_free_finish);
	}
}

/*
 * Linked streams (sound/core/pcm_native.c, snd_pcm_action_group()): the
 * host runs a linked trigger action and takes here what the kernel takes.
 * An atomic one (START, STOP) holds the group's lock and every member's
 * stream lock, the others' nested; the harness takes the group's lock
 * first, the order of snd_pcm_stream_group_ref()'s relock after a failed
 * trylock, a legal path that needs no trylock.  A nonatomic one (PREPARE,
 * snd_pcm_action_nonatomic()) runs with the initiator's buffer_mutex
 * (harness_pcm_lock()) and takes every other member's, nested.  Then the
 * post-actions' states, under those locks.
 */
static __kcsan_unchecked struct snd_pcm_group *group_of(int gid)
{
	struct snd_pcm_group **grown;

	if (gid < 0)
		return NULL;
	while (ngroups <= gid) {
		grown = realloc(groups, (ngroups + 1) * sizeof(*grown));
		if (!grown)
			return NULL;
		groups = grown;
		groups[ngroups] = core_zalloc(sizeof(**groups));
		if (!groups[ngroups])
			return NULL;
		__spin_lock_init(&groups[ngroups]->lock, "&group->lock");
		ngroups++;
	}
	return groups[gid];
}

__kcsan_unchecked int harness_group_lock(int gid, int lock)
{
	struct snd_pcm_group *group = group_of(gid);

	if (!group)
		return -EINVAL;
	if (lock)
		spin_lock(&group->lock);
	else
		spin_unlock(&group->lock);
	return 0;
}

__kcsan_unchecked int harness_stream_lock(int sid, int subclass, int lock)
{
	struct harness_substream *hs = substream_of(sid);

	if (!hs)
		return -EINVAL;
	if (!lock)
		spin_unlock(&hs->substream.self_group.lock);
	else if (subclass)
		spin_lock_nested(&hs->substream.self_group.lock, subclass);
	else
		spin_lock(&hs->substream.self_group.lock);
	return 0;
}

__kcsan_unchecked int harness_buffer_lock(int sid, int subclass, int lock)
{
	struct harness_substream *hs = substream_of(sid);

	if (!hs)
		return -EINVAL;
	if (!lock) {
		mutex_unlock(&hs->runtime.buffer_mutex);
		return 0;
	}
	/* the member's model must be the C's too */
	buffer_mutex_lock_gate_free(hs, subclass, HARNESS_SITE);
	return 0;
}

/*
 * The state a post-action gave (__snd_pcm_set_state(), under the locks the
 * host took); a runtime the host never mirrored gets its state with the
 * rest at its first hook.  A change is the core's plain write under the
 * stream lock, which a read of the patch that forgot that lock races with;
 * the host's copy of an unchanged state is no write of the kernel's.
 */
__kcsan_unchecked int harness_set_state(int sid, int state)
{
	struct harness_substream *hs = substream_of(sid);

	if (!hs)
		return -EINVAL;
	hs->host_state = state;
	if (hs->substream.runtime && hs->runtime.state != state) {
		harness_kcsan_core_access(&hs->runtime.state,
					  sizeof(hs->runtime.state), true);
		hs->runtime.state = state;
	}
	return 0;
}

__kcsan_unchecked void harness_assert_stream_locked(struct snd_pcm_runtime *runtime,
						    struct harness_site site)
{
	struct harness_substream *hs =
		container_of(runtime, struct harness_substream, runtime);
	struct mutex *lock = &hs->substream.self_group.lock.m;

	if (!lock->locked || !harness_owns(lock->owner))
		harness_bug("%s:%d __snd_pcm_set_state() without the stream lock (%s)",
			    site_file(site.file), site.line,
			    lock->locked ? "another task's" : "free");
}
