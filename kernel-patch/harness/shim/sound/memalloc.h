/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <sound/memalloc.h>.  Buffers are the simulator's:
 * area is real heap memory of the buffer's size, found again by address.
 */
#ifndef _SHIM_SOUND_MEMALLOC_H
#define _SHIM_SOUND_MEMALLOC_H

#include <asm/errno.h>
#include <linux/dma-mapping.h>
#include <linux/fault-inject.h>

#define CONFIG_SND_DMA_SGBUF	1

#define SNDRV_DMA_TYPE_UNKNOWN		0
#define SNDRV_DMA_TYPE_CONTINUOUS	1
#define SNDRV_DMA_TYPE_DEV		2
#define SNDRV_DMA_TYPE_DEV_WC		5
#define SNDRV_DMA_TYPE_DEV_SG		3
#define SNDRV_DMA_TYPE_DEV_WC_SG	6
#define SNDRV_DMA_TYPE_DEV_IRAM		4
#define SNDRV_DMA_TYPE_VMALLOC		7
#define SNDRV_DMA_TYPE_NONCONTIG	8
#define SNDRV_DMA_TYPE_NONCOHERENT	9

struct snd_dma_device {
	int type;
	enum dma_data_direction dir;
	bool need_sync;
	struct device *dev;
};

struct snd_dma_buffer {
	struct snd_dma_device dev;
	unsigned char *area;
	dma_addr_t addr;
	size_t bytes;
	void *private_data;
};

enum snd_dma_sync_mode { SNDRV_DMA_SYNC_CPU, SNDRV_DMA_SYNC_DEVICE };

struct page *snd_sgbuf_get_page(struct snd_dma_buffer *dmab, size_t offset);
dma_addr_t snd_sgbuf_get_addr(struct snd_dma_buffer *dmab, size_t offset);
void snd_dma_buffer_sync(struct snd_dma_buffer *dmab,
			 enum snd_dma_sync_mode mode);
void snd_dma_free_pages(struct snd_dma_buffer *dmab);

struct vm_area_struct;
/* sound/core/memalloc.c: the PCM data mmap of the buffer type */
int snd_dma_buffer_mmap(struct snd_dma_buffer *dmab,
			struct vm_area_struct *area);

/*
 * The call of the code under test (linux/fault-inject.h): fallible, -ENOMEM
 * as remap_pfn_range() and vm_insert_page() are when a page table cannot
 * be allocated (mm/memory.c).  harness_unwrap.h takes it away for the
 * shims.
 */
static inline int __snd_dma_buffer_mmap_at(struct snd_dma_buffer *dmab,
					   struct vm_area_struct *area,
					   const char *file, int line,
					   int fallible)
{
	if (harness_should_fail("snd_dma_buffer_mmap", -ENOMEM, file, line,
				fallible))
		return -ENOMEM;
	return (snd_dma_buffer_mmap)(dmab, area);
}

#define snd_dma_buffer_mmap(dmab, area)					\
	__snd_dma_buffer_mmap_at((dmab), (area), __FILE__, __LINE__, HARNESS_FALLIBLE)

#endif
