/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <sound/core.h>: the card and its device. */
#ifndef _SHIM_SOUND_CORE_H
#define _SHIM_SOUND_CORE_H

#include <linux/device.h>

struct snd_card {
	struct device *dev;
	size_t total_pcm_alloc_bytes;	/* sound/core/pcm_memory.c's charge */
};

#endif
