/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for sound/core/pcm_local.h: the functions patch 0002 adds there. */
#ifndef _SHIM_PCM_LOCAL_H
#define _SHIM_PCM_LOCAL_H

#include <sound/pcm.h>

/* revision 1 of the series */
bool snd_pcm_lib_steal_pages(struct snd_pcm_substream *substream,
			     struct snd_dma_buffer *dmab);

/*
 * revision 2 of the series (sound/core/pcm_memory.c); the memory handed
 * over is the code under test's until it frees it (accounted at the
 * caller's line, linux/fault-inject.h), harness_unwrap.h takes the
 * wrappers away for the shims
 */
bool snd_pcm_lib_hand_over_pages(struct snd_pcm_substream *substream,
				 struct snd_dma_buffer *dmab);
void snd_pcm_lib_uncharge_pages(struct snd_card *card,
				struct snd_dma_buffer *dmab);
void snd_pcm_lib_free_handed_over_pages(struct snd_card *card,
					struct snd_dma_buffer *dmab);

/*
 * sound/core/pcm_native.c (6.12): waits for the IRQ handler and the
 * driver's sync_stop after a stop; the harness's drivers have neither
 */
static inline void snd_pcm_sync_stop(struct snd_pcm_substream *substream,
				     bool sync_irq)
{
}

/*
 * revision 3 (sound/core/pcm_native.c): a substream whose attached dma-buf
 * was revoked stopped in XRUN, under its stream lock (harness.c)
 */
void snd_pcm_stop_revoked(struct snd_pcm_substream *substream);

/* revision 4 (sound/core/pcm_native.c of 6.12, made global): harness.c */
int snd_pcm_buffer_access_lock(struct snd_pcm_runtime *runtime);
void snd_pcm_buffer_access_unlock(struct snd_pcm_runtime *runtime);

static inline bool __snd_pcm_lib_hand_over_pages_at(struct snd_pcm_substream *substream,
						    struct snd_dma_buffer *dmab,
						    const char *file, int line)
{
	if (!(snd_pcm_lib_hand_over_pages)(substream, dmab))
		return false;
	harness_obj_get(HARNESS_OBJ_PAGES, dmab->area, dmab->bytes, file, line, 0);
	return true;
}

static inline void __snd_pcm_lib_free_handed_over_pages_at(struct snd_card *card,
							   struct snd_dma_buffer *dmab,
							   const char *file, int line)
{
	harness_obj_put(HARNESS_OBJ_PAGES, dmab->area, file, line);
	(snd_pcm_lib_free_handed_over_pages)(card, dmab);
}

#define snd_pcm_lib_hand_over_pages(substream, dmab)			\
	__snd_pcm_lib_hand_over_pages_at((substream), (dmab), __FILE__, __LINE__)
#define snd_pcm_lib_free_handed_over_pages(card, dmab)			\
	__snd_pcm_lib_free_handed_over_pages_at((card), (dmab), __FILE__, __LINE__)

#endif
