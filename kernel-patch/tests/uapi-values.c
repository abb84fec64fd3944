// SPDX-License-Identifier: GPL-2.0
/*
 * The PCM dma-buf ioctl numbers as compiled from the patched <sound/asound.h>
 * must be those of the 2019 RFC (docs/spec.md, UAPI-V1), on x86_64.
 */
#include <stdio.h>
#include <sys/ioctl.h>
#include <sound/asound.h>

static int expect(const char *name, unsigned long got, unsigned long want)
{
	if (got == want) {
		printf("# %s = 0x%08lx\n", name, got);
		return 0;
	}
	printf("%s = 0x%08lx, expected 0x%08lx\n", name, got, want);
	return 1;
}

int main(void)
{
	int bad = 0;

	bad |= expect("SNDRV_PCM_IOCTL_DMABUF_EXPORT",
		      SNDRV_PCM_IOCTL_DMABUF_EXPORT, 0x80044170UL);
	bad |= expect("SNDRV_PCM_IOCTL_DMABUF_ATTACH",
		      SNDRV_PCM_IOCTL_DMABUF_ATTACH, 0x40044171UL);
	bad |= expect("SNDRV_PCM_IOCTL_DMABUF_DETACH",
		      SNDRV_PCM_IOCTL_DMABUF_DETACH, 0x00004172UL);
	return bad;
}
