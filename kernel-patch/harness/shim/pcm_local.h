/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for sound/core/pcm_local.h: the functions patch 0002 adds there. */
#ifndef _SHIM_PCM_LOCAL_H
#define _SHIM_PCM_LOCAL_H

#include <sound/pcm.h>

/* revision 1 of the series */
bool snd_pcm_lib_steal_pages(struct snd_pcm_substream *substream,
			     struct snd_dma_buffer *dmab);

/* revision 2 of the series (sound/core/pcm_memory.c) */
bool snd_pcm_lib_hand_over_pages(struct snd_pcm_substream *substream,
				 struct snd_dma_buffer *dmab);
void snd_pcm_lib_uncharge_pages(struct snd_card *card,
				struct snd_dma_buffer *dmab);
void snd_pcm_lib_free_handed_over_pages(struct snd_card *card,
					struct snd_dma_buffer *dmab);

#endif
