/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <sound/pcm.h>: the substream and runtime fields
 * pcm_dmabuf.c touches, with the two runtime fields patch 0002 adds.  The
 * harness's caller mirrors the simulator's runtime into them before a call.
 */
#ifndef _SHIM_SOUND_PCM_H
#define _SHIM_SOUND_PCM_H

#include <sys/ioctl.h>
#include <linux/cleanup.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <sound/core.h>
#include <sound/memalloc.h>

#define SNDRV_PCM_STREAM_PLAYBACK	0
#define SNDRV_PCM_STREAM_CAPTURE	1

#define SNDRV_PCM_STATE_OPEN		0
#define SNDRV_PCM_STATE_SETUP		1
#define SNDRV_PCM_STATE_PREPARED	2
#define SNDRV_PCM_STATE_RUNNING		3
#define SNDRV_PCM_STATE_XRUN		4
#define SNDRV_PCM_STATE_DRAINING	5
#define SNDRV_PCM_STATE_PAUSED		6
#define SNDRV_PCM_STATE_SUSPENDED	7
#define SNDRV_PCM_STATE_DISCONNECTED	8

#define SNDRV_PCM_ACCESS_MMAP_INTERLEAVED	0
#define SNDRV_PCM_ACCESS_MMAP_NONINTERLEAVED	1
#define SNDRV_PCM_ACCESS_MMAP_COMPLEX		2
#define SNDRV_PCM_ACCESS_RW_INTERLEAVED		3
#define SNDRV_PCM_ACCESS_RW_NONINTERLEAVED	4

#define SNDRV_PCM_INFO_MMAP		0x00000001
#define SNDRV_PCM_INFO_EXPLICIT_SYNC	0x00400000

/*
 * Patch 0001 (include/uapi/sound/asound.h) of the revision under test:
 * build.sh tells HARNESS_UAPI_REV from the series.
 */
#ifndef HARNESS_UAPI_REV
#define HARNESS_UAPI_REV	1
#endif
#if HARNESS_UAPI_REV >= 2
struct snd_pcm_dmabuf_export {
	__u32 flags;
	__s32 fd;
	__u32 reserved[6];
};

struct snd_pcm_dmabuf_attach {
	__s32 fd;
	__u32 flags;
	__u32 reserved[6];
};

#define SNDRV_PCM_IOCTL_DMABUF_EXPORT	_IOWR('A', 0x70, struct snd_pcm_dmabuf_export)
#define SNDRV_PCM_IOCTL_DMABUF_ATTACH	_IOW('A', 0x71, struct snd_pcm_dmabuf_attach)
#else
#define SNDRV_PCM_IOCTL_DMABUF_EXPORT	_IOR('A', 0x70, int)
#define SNDRV_PCM_IOCTL_DMABUF_ATTACH	_IOW('A', 0x71, int)
#endif
#define SNDRV_PCM_IOCTL_DMABUF_DETACH	_IO('A', 0x72)

/*
 * include/sound/pcm.h of revision 2: the driver opt-in; a revision's
 * SNDRV_PCM_DMABUF_NO_DEVICE_DMA comes from its own header (build.sh)
 */
#define SNDRV_PCM_DMABUF_EXPORT	(1U << 0)
#define SNDRV_PCM_DMABUF_ATTACH	(1U << 1)

typedef int snd_pcm_state_t;
typedef int snd_pcm_access_t;

struct snd_pcm_dmabuf;
struct snd_pcm_dmabuf_import;

struct snd_pcm {
	struct snd_card *card;
};

struct snd_pcm_substream;
struct vm_area_struct;
struct page;

/* the callbacks pcm_dmabuf.c looks at */
struct snd_pcm_ops {
	int (*mmap)(struct snd_pcm_substream *substream,
		    struct vm_area_struct *vma);
	struct page *(*page)(struct snd_pcm_substream *substream,
			     unsigned long offset);
};

struct snd_pcm_runtime {
	snd_pcm_state_t state;
	unsigned int info;
	snd_pcm_access_t access;
	size_t dma_bytes;
	unsigned char *dma_area;
	dma_addr_t dma_addr;
	struct snd_dma_buffer *dma_buffer_p;
	struct mutex buffer_mutex;
	/* transfers in flight (> 0) or buffer changes under way (< 0) */
	atomic_t buffer_accessing;
	wait_queue_head_t sleep;	/* poll, blocking transfers */
	wait_queue_head_t tsleep;	/* drain */
#if IS_ENABLED(CONFIG_SND_PCM_DMABUF)
	struct snd_pcm_dmabuf *dmabuf;
	struct snd_pcm_dmabuf_import *dmabuf_import;
#endif
};

/* the lock of a substream's self_group is its stream lock (snd_pcm_stream_lock()) */
struct snd_pcm_group {
	spinlock_t lock;
};

struct snd_pcm_substream {
	struct snd_pcm *pcm;
	struct snd_pcm_group self_group;
	int stream;
	struct snd_dma_buffer dma_buffer;
	struct snd_pcm_runtime *runtime;
	const struct snd_pcm_ops *ops;
	atomic_t mmap_count;
	bool managed_buffer_alloc;
	unsigned int dmabuf_caps;	/* revision 2: SNDRV_PCM_DMABUF_* */
	unsigned int dmabuf_revoking;	/* revision 7: exports queued for revocation */
};

/* harness.c: the running task holds the stream lock of @runtime's substream */
void harness_assert_stream_locked(struct snd_pcm_runtime *runtime,
				  struct harness_site site);

/*
 * include/sound/pcm.h: "Call within the stream lock"; a caller without it
 * is reported, as lockdep_assert_held() would (the harness's check: the
 * kernel's helper has none, KCSAN sees the unlocked write race)
 */
#define __snd_pcm_set_state(_rt, _st)					\
	do {								\
		harness_assert_stream_locked((_rt), HARNESS_SITE);	\
		(_rt)->state = (_st);					\
	} while (0)

/* include/sound/pcm.h: the buffer a driver programs its DMA from */
#define snd_pcm_get_dma_buf(substream) ((substream)->runtime->dma_buffer_p)

static inline void snd_pcm_set_runtime_buffer(struct snd_pcm_substream *substream,
					      struct snd_dma_buffer *bufp)
{
	struct snd_pcm_runtime *runtime = substream->runtime;

	if (bufp) {
		runtime->dma_buffer_p = bufp;
		runtime->dma_area = bufp->area;
		runtime->dma_addr = bufp->addr;
		runtime->dma_bytes = bufp->bytes;
	} else {
		runtime->dma_buffer_p = NULL;
		runtime->dma_area = NULL;
		runtime->dma_addr = 0;
		runtime->dma_bytes = 0;
	}
}

/*
 * sound/core/pcm_native.c: snd_pcm_stream_lock_irq() takes the spinlock of
 * the substream's self_group (the PCM is not nonatomic: snd-dummy's is
 * not); a scheduling point, and what a linked START or STOP of another
 * member takes (snd_pcm_action_group()).
 */
DEFINE_GUARD(pcm_stream_lock_irq, struct snd_pcm_substream *,
	     harness_spin_lock(&_T->self_group.lock, harness_guard_site(HARNESS_SITE)),
	     spin_unlock(&_T->self_group.lock))

#endif
