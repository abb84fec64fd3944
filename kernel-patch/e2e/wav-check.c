// SPDX-License-Identifier: GPL-2.0
/*
 * wav-check - check the WAV file QEMU's wav audiodev recorded from the
 * emulated HDA codec against the stamps pcm-dmabuf-play wrote.
 *
 * usage: wav-check OUT.wav FRAMES
 *
 * Stamp n: left = n & 0xffff, right = 0x4000 | ((n >> 16) & 0x3fff).
 * Before the first stamp (start-up) and after the last, silence is allowed.
 * From stamp 0 to stamp FRAMES-1 every frame must be the next stamp: a zero
 * frame is a gap, an older stamp is stale, a jump forward is missing frames.
 * Exit status 0 when every stamp is present, in order, with no gap.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return p[0] | p[1] << 8;
}

int main(int argc, char **argv)
{
	unsigned long total, frames, i, lead = 0, trail = 0, good = 0;
	unsigned long zero = 0, stale = 0, missing = 0, junk = 0;
	unsigned long expect = 0, first_bad = ULONG_MAX;
	unsigned char hdr[12], ch[8], *data = NULL;
	int channels = 0, bits = 0, started = 0;
	uint32_t rate = 0, size = 0;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: wav-check OUT.wav FRAMES\n");
		return 2;
	}
	total = strtoul(argv[2], NULL, 0);
	f = fopen(argv[1], "rb");
	if (!f || fread(hdr, 1, 12, f) != 12 || memcmp(hdr, "RIFF", 4) ||
	    memcmp(hdr + 8, "WAVE", 4)) {
		fprintf(stderr, "wav-check: %s is not a WAV file\n", argv[1]);
		return 1;
	}
	while (fread(ch, 1, 8, f) == 8) {
		uint32_t len = le32(ch + 4);

		if (!memcmp(ch, "fmt ", 4)) {
			unsigned char fmt[16];

			if (len < 16 || fread(fmt, 1, 16, f) != 16)
				break;
			channels = le16(fmt + 2);
			rate = le32(fmt + 4);
			bits = le16(fmt + 14);
			fseek(f, len - 16, SEEK_CUR);
		} else if (!memcmp(ch, "data", 4)) {
			/* a QEMU killed before its clean exit leaves size 0 */
			long here = ftell(f);

			fseek(f, 0, SEEK_END);
			if (!len || len > (uint32_t)(ftell(f) - here))
				len = ftell(f) - here;
			fseek(f, here, SEEK_SET);
			size = len;
			data = malloc(size ? size : 1);
			size = fread(data, 1, size, f);
			break;
		} else {
			fseek(f, len, SEEK_CUR);
		}
	}
	fclose(f);
	if (!data || channels != 2 || bits != 16) {
		fprintf(stderr, "wav-check: want 16-bit stereo PCM data (got %d ch, %d bit)\n",
			channels, bits);
		return 1;
	}
	frames = size / 4;
	for (i = 0; i < frames; i++) {
		uint16_t l = le16(data + 4 * i), r = le16(data + 4 * i + 2);
		unsigned long n = l | (unsigned long)(r & 0x3fff) << 16;
		int stamp = (r & 0xc000) == 0x4000;

		if (!started) {
			if (stamp && n == 0) {
				started = 1;
			} else {
				lead++;
				continue;
			}
		}
		if (expect >= total) {
			/* after the signal: other tests may play, not checked */
			trail++;
			continue;
		}
		if (stamp && n == expect) {
			good++;
			expect++;
			continue;
		}
		if (first_bad == ULONG_MAX)
			first_bad = i;
		if (!l && !r) {
			zero++;
		} else if (stamp && n < expect) {
			stale++;
		} else if (stamp && n > expect && n < total) {
			missing += n - expect;
			good++;
			expect = n + 1;
		} else {
			junk++;
		}
	}
	if (expect < total)
		missing += total - expect;
	printf("wav-check: %s: %u Hz, %lu frames (%.2f s): start-up silence %lu, stamped %lu/%lu in order, missing %lu, stale %lu, zero gaps %lu, other %lu, after end %lu\n",
	       argv[1], rate, frames, rate ? (double)frames / rate : 0.0, lead, good, total,
	       missing, stale, zero, junk, trail);
	if (first_bad != ULONG_MAX)
		printf("wav-check: first bad frame at WAV frame %lu\n", first_bad);
	if (rate != 48000 || good != total || missing || stale || zero || junk) {
		printf("wav-check: FAIL\n");
		return 1;
	}
	printf("wav-check: PASS\n");
	return 0;
}
