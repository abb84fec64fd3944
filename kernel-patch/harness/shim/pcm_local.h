/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for sound/core/pcm_local.h: the one function patch 0002 adds there. */
#ifndef _SHIM_PCM_LOCAL_H
#define _SHIM_PCM_LOCAL_H

#include <sound/pcm.h>

bool snd_pcm_lib_steal_pages(struct snd_pcm_substream *substream,
			     struct snd_dma_buffer *dmab);

#endif
