// SPDX-License-Identifier: GPL-2.0
/*
 * pcm-dmabuf-play - play a stamped signal through the canonical PCM dma-buf
 * flow (the 2019 RFC's): open, HW_PARAMS (MMAP_INTERLEAVED), EXPORT, ATTACH
 * the own export, mmap the dma-buf, SW_PARAMS, PREPARE; per period
 * SYNC START|WRITE, write, SYNC END|WRITE, advance appl_ptr with SYNC_PTR;
 * START after the first full buffer; at the end DRAIN, DROP, DETACH, munmap,
 * close.
 *
 * usage: pcm-dmabuf-play CARD FRAMES
 *
 * Frame n of the signal (S16_LE stereo, 48 kHz): left = n & 0xffff,
 * right = 0x4000 | ((n >> 16) & 0x3fff).  The right channel's marker bit
 * keeps a stamped frame from ever being silence, so wav-check can tell
 * stamps, zeros and stale frames apart.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/dma-buf.h>
#include <sound/asound.h>

#define CHANNELS	2
#define RATE		48000
#define PERIOD		2048		/* frames */
#define PERIODS		8		/* 64 KiB: snd-hda-intel caps the ring at its preallocation */
#define FRAME_BYTES	(2 * CHANNELS)
#define BUF_FRAMES	(PERIOD * PERIODS)
#define BUF_BYTES	(BUF_FRAMES * FRAME_BYTES)

static void die(const char *what)
{
	fprintf(stderr, "pcm-dmabuf-play: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void param_mask(struct snd_pcm_hw_params *p, int var, unsigned int val)
{
	struct snd_mask *m = &p->masks[var - SNDRV_PCM_HW_PARAM_FIRST_MASK];

	memset(m, 0, sizeof(*m));
	m->bits[val / 32] = 1U << (val % 32);
}

static void param_int(struct snd_pcm_hw_params *p, int var, unsigned int val)
{
	struct snd_interval *i =
		&p->intervals[var - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL];

	memset(i, 0, sizeof(*i));
	i->min = val;
	i->max = val;
	i->integer = 1;
}

static int hw_params(int fd)
{
	struct snd_pcm_hw_params p;
	int i;

	memset(&p, 0, sizeof(p));
	for (i = 0; i <= SNDRV_PCM_HW_PARAM_LAST_MASK -
			SNDRV_PCM_HW_PARAM_FIRST_MASK; i++)
		memset(&p.masks[i], 0xff, sizeof(p.masks[i]));
	for (i = 0; i <= SNDRV_PCM_HW_PARAM_LAST_INTERVAL -
			SNDRV_PCM_HW_PARAM_FIRST_INTERVAL; i++)
		p.intervals[i].max = UINT_MAX;
	p.rmask = ~0U;
	p.info = ~0U;
	param_mask(&p, SNDRV_PCM_HW_PARAM_ACCESS,
		   SNDRV_PCM_ACCESS_MMAP_INTERLEAVED);
	param_mask(&p, SNDRV_PCM_HW_PARAM_FORMAT, SNDRV_PCM_FORMAT_S16_LE);
	param_mask(&p, SNDRV_PCM_HW_PARAM_SUBFORMAT, SNDRV_PCM_SUBFORMAT_STD);
	param_int(&p, SNDRV_PCM_HW_PARAM_CHANNELS, CHANNELS);
	param_int(&p, SNDRV_PCM_HW_PARAM_RATE, RATE);
	param_int(&p, SNDRV_PCM_HW_PARAM_PERIOD_SIZE, PERIOD);
	param_int(&p, SNDRV_PCM_HW_PARAM_PERIODS, PERIODS);
	return ioctl(fd, SNDRV_PCM_IOCTL_HW_PARAMS, &p);
}

static int sw_params(int fd, snd_pcm_uframes_t *boundary)
{
	struct snd_pcm_sw_params p;

	memset(&p, 0, sizeof(p));
	p.tstamp_mode = SNDRV_PCM_TSTAMP_NONE;
	p.period_step = 1;
	p.avail_min = PERIOD;
	p.start_threshold = INT_MAX;	/* started explicitly */
	p.stop_threshold = BUF_FRAMES;	/* an underrun is an XRUN, reported */
	p.proto = SNDRV_PCM_VERSION;
	if (ioctl(fd, SNDRV_PCM_IOCTL_SW_PARAMS, &p) < 0)
		return -1;
	*boundary = p.boundary;
	return 0;
}

/* SYNC_PTR: set appl_ptr (if @set), read hw_ptr and the state */
static int sync_ptr(int fd, int set, snd_pcm_uframes_t appl,
		    snd_pcm_uframes_t *hw, int *state)
{
	struct snd_pcm_sync_ptr s;

	memset(&s, 0, sizeof(s));
	s.flags = set ? SNDRV_PCM_SYNC_PTR_AVAIL_MIN | SNDRV_PCM_SYNC_PTR_HWSYNC :
		SNDRV_PCM_SYNC_PTR_APPL | SNDRV_PCM_SYNC_PTR_AVAIL_MIN |
		SNDRV_PCM_SYNC_PTR_HWSYNC;
	s.c.control.appl_ptr = appl;
	s.c.control.avail_min = PERIOD;
	if (ioctl(fd, SNDRV_PCM_IOCTL_SYNC_PTR, &s) < 0)
		return -1;
	*hw = s.s.status.hw_ptr;
	*state = s.s.status.state;
	return 0;
}

static void dmabuf_sync(int dfd, unsigned long long flags)
{
	struct dma_buf_sync s = { .flags = flags };

	if (ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s) < 0)
		die("DMA_BUF_IOCTL_SYNC");
}

/* one period of the signal at ring position @appl, frames @n.. */
static void write_period(int dfd, int16_t *ring, snd_pcm_uframes_t appl,
			 unsigned long n, unsigned long total)
{
	int16_t *p = ring + (appl % BUF_FRAMES) * CHANNELS;
	int i;

	dmabuf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (i = 0; i < PERIOD; i++, n++) {
		if (n < total) {
			p[2 * i] = (int16_t)(n & 0xffff);
			p[2 * i + 1] = (int16_t)(0x4000 | ((n >> 16) & 0x3fff));
		} else {
			p[2 * i] = 0;		/* after the signal: silence */
			p[2 * i + 1] = 0;
		}
	}
	dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

/*
 * EXPORT and ATTACH as the uAPI revision of the headers takes them, told by
 * the argument size in the ioctl number: revision 2 (kernel-patch/series)
 * passes struct snd_pcm_dmabuf_export / _attach, laid out as below so that
 * this also builds against revision 1's headers (known-bad/v1), which pass
 * a bare int.
 */
struct dmabuf_export_arg {
	unsigned int flags;
	int fd;
	unsigned int reserved[6];
};

struct dmabuf_attach_arg {
	int fd;
	unsigned int flags;
	unsigned int reserved[6];
};

static int dmabuf_export(int fd)
{
	struct dmabuf_export_arg e = { .flags = O_RDWR | O_CLOEXEC, .fd = -1 };
	int dfd = -1;

	if (_IOC_SIZE(SNDRV_PCM_IOCTL_DMABUF_EXPORT) == sizeof(int))
		return ioctl(fd, SNDRV_PCM_IOCTL_DMABUF_EXPORT, &dfd) < 0 ? -1 : dfd;
	return ioctl(fd, SNDRV_PCM_IOCTL_DMABUF_EXPORT, &e) < 0 ? -1 : e.fd;
}

static int dmabuf_attach(int fd, int dfd)
{
	struct dmabuf_attach_arg a = { .fd = dfd };

	if (_IOC_SIZE(SNDRV_PCM_IOCTL_DMABUF_ATTACH) == sizeof(int))
		return ioctl(fd, SNDRV_PCM_IOCTL_DMABUF_ATTACH, &dfd);
	return ioctl(fd, SNDRV_PCM_IOCTL_DMABUF_ATTACH, &a);
}

int main(int argc, char **argv)
{
	snd_pcm_uframes_t boundary, appl = 0, hw;
	unsigned long total, n = 0, periods_written = 0;
	int fd, dfd = -1, state, xruns = 0, late = 0;
	char path[64];
	int16_t *ring;

	if (argc != 3) {
		fprintf(stderr, "usage: pcm-dmabuf-play CARD FRAMES\n");
		return 2;
	}
	total = strtoul(argv[2], NULL, 0);
	snprintf(path, sizeof(path), "/dev/snd/pcmC%sD0p", argv[1]);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(path);
	if (hw_params(fd) < 0)
		die("HW_PARAMS");
	dfd = dmabuf_export(fd);
	if (dfd < 0)
		die("DMABUF_EXPORT");
	if (dmabuf_attach(fd, dfd) < 0)
		die("DMABUF_ATTACH");
	ring = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	if (ring == MAP_FAILED)
		die("mmap dma-buf");
	if (sw_params(fd, &boundary) < 0)
		die("SW_PARAMS");
	if (ioctl(fd, SNDRV_PCM_IOCTL_PREPARE) < 0)
		die("PREPARE");

	/* the whole ring before START */
	while (appl < BUF_FRAMES) {
		write_period(dfd, ring, appl, n, total);
		n += PERIOD;
		appl += PERIOD;
		periods_written++;
	}
	if (sync_ptr(fd, 1, appl, &hw, &state) < 0)
		die("SYNC_PTR");
	if (ioctl(fd, SNDRV_PCM_IOCTL_START) < 0)
		die("START");

	/* keep the ring fed until the signal and one ring of silence are in */
	while (n < total + BUF_FRAMES) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		snd_pcm_sframes_t avail;

		poll(&pfd, 1, 100);
		if (sync_ptr(fd, 0, 0, &hw, &state) < 0)
			die("SYNC_PTR");
		if (state == SNDRV_PCM_STATE_XRUN) {
			fprintf(stderr, "pcm-dmabuf-play: XRUN at frame %lu\n", n);
			xruns++;
			break;
		}
		avail = (snd_pcm_sframes_t)(hw + BUF_FRAMES) - (snd_pcm_sframes_t)appl;
		if (avail < 0)
			avail += boundary;
		/* the DMA passed frames not yet rewritten: the guest was too late */
		if (avail > BUF_FRAMES)
			late++;
		while (avail >= PERIOD) {
			write_period(dfd, ring, appl, n, total);
			n += PERIOD;
			appl = (appl + PERIOD) % boundary;
			periods_written++;
			avail -= PERIOD;
			if (sync_ptr(fd, 1, appl, &hw, &state) < 0)
				die("SYNC_PTR appl");
		}
	}
	if (ioctl(fd, SNDRV_PCM_IOCTL_DRAIN) < 0 && errno != EBADFD)
		die("DRAIN");
	if (ioctl(fd, SNDRV_PCM_IOCTL_DROP) < 0)
		die("DROP");
	if (ioctl(fd, SNDRV_PCM_IOCTL_DMABUF_DETACH) < 0)
		die("DMABUF_DETACH");
	munmap(ring, BUF_BYTES);
	close(dfd);
	close(fd);
	printf("pcm-dmabuf-play: card %s: %lu stamped frames, %lu periods of %d frames (ring %d) written through the dma-buf, %d xruns, %d late wake-ups\n",
	       argv[1], total, periods_written, PERIOD, BUF_FRAMES, xruns, late);
	return xruns ? 1 : 0;
}
