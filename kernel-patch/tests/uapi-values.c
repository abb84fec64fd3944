// SPDX-License-Identifier: GPL-2.0
/*
 * The PCM dma-buf ioctl numbers as compiled from the patched <sound/asound.h>,
 * on x86_64: those of docs/spec.md section 1 for the revision the series
 * implements.  Revision 2 (UAPI-EXPORT-ENCODING, UAPI-ATTACH-ENCODING):
 * struct arguments of 32 bytes; revision 1 (UAPI-V1, kernel-patch/known-bad/v1):
 * the 2019 RFC's bare int.  The revision is told by the argument size.
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
	int rev2 = _IOC_SIZE(SNDRV_PCM_IOCTL_DMABUF_EXPORT) != sizeof(int);
	int bad = 0;

	printf("# uAPI revision %d\n", rev2 ? 2 : 1);
	bad |= expect("SNDRV_PCM_IOCTL_DMABUF_EXPORT",
		      SNDRV_PCM_IOCTL_DMABUF_EXPORT,
		      rev2 ? 0xc0204170UL : 0x80044170UL);
	bad |= expect("SNDRV_PCM_IOCTL_DMABUF_ATTACH",
		      SNDRV_PCM_IOCTL_DMABUF_ATTACH,
		      rev2 ? 0x40204171UL : 0x40044171UL);
	bad |= expect("SNDRV_PCM_IOCTL_DMABUF_DETACH",
		      SNDRV_PCM_IOCTL_DMABUF_DETACH, 0x00004172UL);
	return bad;
}
