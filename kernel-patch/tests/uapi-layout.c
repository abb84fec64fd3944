// SPDX-License-Identifier: GPL-2.0
/*
 * What the device target of pcm-dmabuf marshals through FFM, as the C
 * compiler lays it out on this machine (x86_64): the structs its ioctls and
 * sendmsg()/recvmsg() carry, the ioctl numbers and flags it passes, and the
 * errno numbers it names.  The host test UapiLayoutTest compares every line
 * with the device target's own tables, so that an ABI slip shows on any
 * machine instead of in a QEMU guest.  One entry a line:
 *
 *   size STRUCT BYTES
 *   field STRUCT.FIELD OFFSET BYTES
 *   bit STRUCT.FIELD OFFSET MASK     a bit field: the word holding it, its mask
 *   const NAME VALUE
 *   errno NAME VALUE
 *   headers SNDRV_PCM_VERSION        informational, not compared
 *
 * It builds against the host's <sound/asound.h> (linux-libc-dev) as well as
 * against the patched 6.12 headers of check.sh, and both must print the
 * same entries: see the SNDRV_PCM_VERSION guard below for the one field
 * older headers name differently.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <linux/dma-buf.h>
#include <sound/asound.h>

/*
 * The DMABUF ioctls.  The device target issues revision 2's, the series'
 * (docs/spec.md UAPI-EXPORT-ENCODING, UAPI-ATTACH-ENCODING), and still
 * revision 1's for a kernel of kernel-patch/known-bad/v1 (UAPI-V1, pcmsim
 * conformance --uapi 1).  Revision 2's structs and numbers are patch 0001's:
 * the patched headers define them; the host's headers do not, so they are
 * defined here as patch 0001 defines them, line for line (UapiLayoutTest
 * checks that), and check.sh requires the same output from both.  Revision
 * 1's bare-int numbers are in no header any more: they are defined under
 * names of their own and printed with a _V1 suffix.
 */
#ifndef SNDRV_PCM_IOCTL_DMABUF_EXPORT
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
#define SNDRV_PCM_IOCTL_DMABUF_DETACH	_IO('A', 0x72)
#endif

#define DEVICE_V1_DMABUF_EXPORT		_IOR('A', 0x70, int)
#define DEVICE_V1_DMABUF_ATTACH		_IOW('A', 0x71, int)

#define member_size(s, m)	sizeof(((struct s *)0)->m)

#define SIZE(s)		printf("size %s %zu\n", #s, sizeof(struct s))
#define FIELD(s, m)	FIELD_AS(s, #m, m)
#define FIELD_AS(s, name, m)						\
	printf("field %s.%s %zu %zu\n", #s, name, offsetof(struct s, m),	\
	       member_size(s, m))
#define CONST(c)	printf("const %s %lld\n", #c, (long long)(c))
#define CONST_AS(n, c)	printf("const %s %lld\n", n, (long long)(c))
#define ERRNO(e)	printf("errno %s %d\n", #e, e)

/* hw_params' masks and intervals by parameter, as snd_pcm_hw_param_*() index them */
#define HW_MASK(p)	FIELD_AS(snd_pcm_hw_params, "masks[" #p "]",	\
			masks[SNDRV_PCM_HW_PARAM_##p - SNDRV_PCM_HW_PARAM_FIRST_MASK])
#define HW_INTERVAL(p)	FIELD_AS(snd_pcm_hw_params, "intervals[" #p "]",	\
			intervals[SNDRV_PCM_HW_PARAM_##p - SNDRV_PCM_HW_PARAM_FIRST_INTERVAL])

/* A bit field has no offsetof(): set it alone and find the word that changed. */
static void bit(const char *name, const void *v, size_t size)
{
	unsigned int w;
	size_t off;

	for (off = 0; off + sizeof(w) <= size; off += sizeof(w)) {
		memcpy(&w, (const char *)v + off, sizeof(w));
		if (w)
			printf("bit %s %zu %u\n", name, off, w);
	}
}

#define BIT(s, m) do {					\
	struct s v;					\
	memset(&v, 0, sizeof(v));			\
	v.m = 1;					\
	bit(#s "." #m, &v, sizeof(v));			\
} while (0)

static void sound(void)
{
	SIZE(snd_mask);
	FIELD(snd_mask, bits);
	SIZE(snd_interval);
	FIELD(snd_interval, min);
	FIELD(snd_interval, max);
	BIT(snd_interval, integer);

	SIZE(snd_pcm_hw_params);
	FIELD(snd_pcm_hw_params, flags);
	FIELD(snd_pcm_hw_params, masks);
	HW_MASK(ACCESS);
	HW_MASK(FORMAT);
	HW_MASK(SUBFORMAT);
	FIELD(snd_pcm_hw_params, mres);
	FIELD(snd_pcm_hw_params, intervals);
	HW_INTERVAL(CHANNELS);
	HW_INTERVAL(RATE);
	HW_INTERVAL(PERIOD_SIZE);
	HW_INTERVAL(PERIODS);
	FIELD(snd_pcm_hw_params, ires);
	FIELD(snd_pcm_hw_params, rmask);
	FIELD(snd_pcm_hw_params, cmask);
	FIELD(snd_pcm_hw_params, info);
	FIELD(snd_pcm_hw_params, msbits);
	FIELD(snd_pcm_hw_params, rate_num);
	FIELD(snd_pcm_hw_params, rate_den);
	FIELD(snd_pcm_hw_params, fifo_size);
#if SNDRV_PCM_VERSION >= SNDRV_PROTOCOL_VERSION(2, 0, 18)
	FIELD(snd_pcm_hw_params, sync);
	FIELD(snd_pcm_hw_params, reserved);
#else
	/*
	 * Before Linux 6.9 (f05c1ffc2745 "ALSA: pcm: reinvent the stream
	 * synchronization ID API", protocol 2.0.18) sync[16] and reserved[48]
	 * were one reserved[64]: the 6.12 fields are its two parts.
	 */
	printf("field snd_pcm_hw_params.sync %zu 16\n",
	       offsetof(struct snd_pcm_hw_params, reserved));
	printf("field snd_pcm_hw_params.reserved %zu %zu\n",
	       offsetof(struct snd_pcm_hw_params, reserved) + 16,
	       member_size(snd_pcm_hw_params, reserved) - 16);
#endif

	SIZE(snd_pcm_sw_params);
	FIELD(snd_pcm_sw_params, tstamp_mode);
	FIELD(snd_pcm_sw_params, period_step);
	FIELD(snd_pcm_sw_params, sleep_min);
	FIELD(snd_pcm_sw_params, avail_min);
	FIELD(snd_pcm_sw_params, xfer_align);
	FIELD(snd_pcm_sw_params, start_threshold);
	FIELD(snd_pcm_sw_params, stop_threshold);
	FIELD(snd_pcm_sw_params, silence_threshold);
	FIELD(snd_pcm_sw_params, silence_size);
	FIELD(snd_pcm_sw_params, boundary);
	FIELD(snd_pcm_sw_params, proto);
	FIELD(snd_pcm_sw_params, tstamp_type);
	FIELD(snd_pcm_sw_params, reserved);

	/*
	 * User space on x86_64 compiles struct snd_pcm_sync_ptr as
	 * __snd_pcm_sync_ptr; the kernel defines __SND_STRUCT_TIME64 and
	 * decodes __snd_pcm_sync_ptr64.  Both are printed: they must agree.
	 */
	SIZE(snd_pcm_sync_ptr);
	FIELD(snd_pcm_sync_ptr, flags);
	FIELD(snd_pcm_sync_ptr, s);
	FIELD(snd_pcm_sync_ptr, s.status.state);
	FIELD(snd_pcm_sync_ptr, c);
	FIELD(snd_pcm_sync_ptr, c.control.appl_ptr);
	FIELD(snd_pcm_sync_ptr, c.control.avail_min);
	SIZE(__snd_pcm_sync_ptr64);
	FIELD(__snd_pcm_sync_ptr64, flags);
	FIELD(__snd_pcm_sync_ptr64, s);
	FIELD(__snd_pcm_sync_ptr64, s.status.state);
	FIELD(__snd_pcm_sync_ptr64, c);
	FIELD(__snd_pcm_sync_ptr64, c.control.appl_ptr);
	FIELD(__snd_pcm_sync_ptr64, c.control.avail_min);

	SIZE(snd_xferi);
	FIELD(snd_xferi, result);
	FIELD(snd_xferi, buf);
	FIELD(snd_xferi, frames);

	SIZE(dma_buf_sync);
	FIELD(dma_buf_sync, flags);

	SIZE(snd_pcm_dmabuf_export);
	FIELD(snd_pcm_dmabuf_export, flags);
	FIELD(snd_pcm_dmabuf_export, fd);
	FIELD(snd_pcm_dmabuf_export, reserved);
	SIZE(snd_pcm_dmabuf_attach);
	FIELD(snd_pcm_dmabuf_attach, fd);
	FIELD(snd_pcm_dmabuf_attach, flags);
	FIELD(snd_pcm_dmabuf_attach, reserved);
}

static void ioctls(void)
{
	CONST(SNDRV_PCM_IOCTL_HW_PARAMS);
	CONST(SNDRV_PCM_IOCTL_HW_FREE);
	CONST(SNDRV_PCM_IOCTL_SW_PARAMS);
	CONST(SNDRV_PCM_IOCTL_HWSYNC);
	CONST(SNDRV_PCM_IOCTL_DELAY);
	CONST(SNDRV_PCM_IOCTL_SYNC_PTR);
	CONST(__SNDRV_PCM_IOCTL_SYNC_PTR64);
	CONST(SNDRV_PCM_IOCTL_PREPARE);
	CONST(SNDRV_PCM_IOCTL_RESET);
	CONST(SNDRV_PCM_IOCTL_START);
	CONST(SNDRV_PCM_IOCTL_DROP);
	CONST(SNDRV_PCM_IOCTL_DRAIN);
	CONST(SNDRV_PCM_IOCTL_PAUSE);
	CONST(SNDRV_PCM_IOCTL_RESUME);
	CONST(SNDRV_PCM_IOCTL_XRUN);
	CONST(SNDRV_PCM_IOCTL_LINK);
	CONST(SNDRV_PCM_IOCTL_UNLINK);
	CONST(SNDRV_PCM_IOCTL_WRITEI_FRAMES);
	CONST(SNDRV_PCM_IOCTL_READI_FRAMES);
	CONST(SNDRV_PCM_IOCTL_DMABUF_EXPORT);
	CONST(SNDRV_PCM_IOCTL_DMABUF_ATTACH);
	CONST(SNDRV_PCM_IOCTL_DMABUF_DETACH);
	CONST_AS("SNDRV_PCM_IOCTL_DMABUF_EXPORT_V1", DEVICE_V1_DMABUF_EXPORT);
	CONST_AS("SNDRV_PCM_IOCTL_DMABUF_ATTACH_V1", DEVICE_V1_DMABUF_ATTACH);
	CONST(DMA_BUF_IOCTL_SYNC);
}

static void values(void)
{
	CONST(SNDRV_MASK_MAX);
	CONST(SNDRV_PCM_SUBFORMAT_STD);
	CONST(SNDRV_PCM_SYNC_PTR_APPL);
	CONST(SNDRV_PCM_SYNC_PTR_AVAIL_MIN);
	CONST(SNDRV_PCM_INFO_MMAP);
	CONST(SNDRV_PCM_STREAM_PLAYBACK);
	CONST(SNDRV_PCM_STREAM_CAPTURE);
	CONST(SNDRV_PCM_ACCESS_MMAP_INTERLEAVED);
	CONST(SNDRV_PCM_ACCESS_MMAP_NONINTERLEAVED);
	CONST(SNDRV_PCM_ACCESS_RW_INTERLEAVED);
	CONST(SNDRV_PCM_ACCESS_RW_NONINTERLEAVED);
	CONST(SNDRV_PCM_FORMAT_S8);
	CONST(SNDRV_PCM_FORMAT_U8);
	CONST(SNDRV_PCM_FORMAT_S16_LE);
	CONST(SNDRV_PCM_FORMAT_S16_BE);
	CONST(SNDRV_PCM_FORMAT_U16_LE);
	CONST(SNDRV_PCM_FORMAT_S24_LE);
	CONST(SNDRV_PCM_FORMAT_S32_LE);
	CONST(SNDRV_PCM_FORMAT_S32_BE);
	CONST(SNDRV_PCM_FORMAT_FLOAT_LE);
	CONST(SNDRV_PCM_FORMAT_FLOAT64_LE);
	CONST(SNDRV_PCM_FORMAT_S24_3LE);
	CONST(SNDRV_PCM_STATE_OPEN);
	CONST(SNDRV_PCM_STATE_SETUP);
	CONST(SNDRV_PCM_STATE_PREPARED);
	CONST(SNDRV_PCM_STATE_RUNNING);
	CONST(SNDRV_PCM_STATE_XRUN);
	CONST(SNDRV_PCM_STATE_DRAINING);
	CONST(SNDRV_PCM_STATE_PAUSED);
	CONST(SNDRV_PCM_STATE_SUSPENDED);
	CONST(SNDRV_PCM_STATE_DISCONNECTED);
	CONST(DMA_BUF_SYNC_READ);
	CONST(DMA_BUF_SYNC_WRITE);
	CONST(DMA_BUF_SYNC_RW);
	CONST(DMA_BUF_SYNC_START);
	CONST(DMA_BUF_SYNC_END);
	CONST(DMA_BUF_SYNC_VALID_FLAGS_MASK);
}

/* open(), fcntl(), mmap() and the SCM_RIGHTS hand-over of an fd */
static void files(void)
{
	struct cmsghdr c;

	CONST(O_RDONLY);
	CONST(O_WRONLY);
	CONST(O_RDWR);
	CONST(O_APPEND);
	CONST(O_NONBLOCK);
	CONST(O_CLOEXEC);
	CONST(F_GETFD);
	CONST(FD_CLOEXEC);
	CONST(F_GETFL);
	CONST(F_SETFL);
	CONST(PROT_READ);
	CONST(PROT_WRITE);
	CONST(MAP_SHARED);
	CONST(MAP_PRIVATE);
	CONST(MAP_FAILED);
	CONST(AF_UNIX);
	CONST(SOCK_STREAM);
	CONST(SOCK_CLOEXEC);
	CONST(SOL_SOCKET);
	CONST(SCM_RIGHTS);
	CONST(MSG_CMSG_CLOEXEC);
	CONST(CMSG_LEN(sizeof(int)));
	CONST(CMSG_SPACE(sizeof(int)));

	SIZE(iovec);
	FIELD(iovec, iov_base);
	FIELD(iovec, iov_len);
	SIZE(msghdr);
	FIELD(msghdr, msg_name);
	FIELD(msghdr, msg_namelen);
	FIELD(msghdr, msg_iov);
	FIELD(msghdr, msg_iovlen);
	FIELD(msghdr, msg_control);
	FIELD(msghdr, msg_controllen);
	FIELD(msghdr, msg_flags);
	SIZE(cmsghdr);
	FIELD(cmsghdr, cmsg_len);
	FIELD(cmsghdr, cmsg_level);
	FIELD(cmsghdr, cmsg_type);
	printf("field cmsghdr.data %zu %zu\n",
	       (size_t)(CMSG_DATA(&c) - (unsigned char *)&c), sizeof(int));
}

/* include/uapi/asm-generic/errno-base.h and errno.h, as org.pcmdmabuf.conformance.Uapi names them */
static void errnos(void)
{
	ERRNO(EPERM); ERRNO(ENOENT); ERRNO(ESRCH); ERRNO(EINTR); ERRNO(EIO);
	ERRNO(ENXIO); ERRNO(E2BIG); ERRNO(ENOEXEC); ERRNO(EBADF);
	ERRNO(ECHILD); ERRNO(EAGAIN); ERRNO(ENOMEM); ERRNO(EACCES);
	ERRNO(EFAULT); ERRNO(ENOTBLK); ERRNO(EBUSY); ERRNO(EEXIST);
	ERRNO(EXDEV); ERRNO(ENODEV); ERRNO(ENOTDIR); ERRNO(EISDIR);
	ERRNO(EINVAL); ERRNO(ENFILE); ERRNO(EMFILE); ERRNO(ENOTTY);
	ERRNO(ETXTBSY); ERRNO(EFBIG); ERRNO(ENOSPC); ERRNO(ESPIPE);
	ERRNO(EROFS); ERRNO(EMLINK); ERRNO(EPIPE); ERRNO(EDOM); ERRNO(ERANGE);
	ERRNO(EDEADLK); ERRNO(ENAMETOOLONG); ERRNO(ENOLCK); ERRNO(ENOSYS);
	ERRNO(ENOTEMPTY); ERRNO(ELOOP); ERRNO(ENOMSG); ERRNO(EIDRM);
	ERRNO(ECHRNG); ERRNO(EL2NSYNC); ERRNO(EL3HLT); ERRNO(EL3RST);
	ERRNO(ELNRNG); ERRNO(EUNATCH); ERRNO(ENOCSI); ERRNO(EL2HLT);
	ERRNO(EBADE); ERRNO(EBADR); ERRNO(EXFULL); ERRNO(ENOANO);
	ERRNO(EBADRQC); ERRNO(EBADSLT); ERRNO(EBFONT); ERRNO(ENOSTR);
	ERRNO(ENODATA); ERRNO(ETIME); ERRNO(ENOSR); ERRNO(ENONET);
	ERRNO(ENOPKG); ERRNO(EREMOTE); ERRNO(ENOLINK); ERRNO(EADV);
	ERRNO(ESRMNT); ERRNO(ECOMM); ERRNO(EPROTO); ERRNO(EMULTIHOP);
	ERRNO(EDOTDOT); ERRNO(EBADMSG); ERRNO(EOVERFLOW); ERRNO(ENOTUNIQ);
	ERRNO(EBADFD); ERRNO(EREMCHG); ERRNO(ELIBACC); ERRNO(ELIBBAD);
	ERRNO(ELIBSCN); ERRNO(ELIBMAX); ERRNO(ELIBEXEC); ERRNO(EILSEQ);
	ERRNO(ERESTART); ERRNO(ESTRPIPE); ERRNO(EUSERS); ERRNO(ENOTSOCK);
	ERRNO(EDESTADDRREQ); ERRNO(EMSGSIZE); ERRNO(EPROTOTYPE);
	ERRNO(ENOPROTOOPT); ERRNO(EPROTONOSUPPORT); ERRNO(ESOCKTNOSUPPORT);
	ERRNO(EOPNOTSUPP); ERRNO(EPFNOSUPPORT); ERRNO(EAFNOSUPPORT);
	ERRNO(EADDRINUSE); ERRNO(EADDRNOTAVAIL); ERRNO(ENETDOWN);
	ERRNO(ENETUNREACH); ERRNO(ENETRESET); ERRNO(ECONNABORTED);
	ERRNO(ECONNRESET); ERRNO(ENOBUFS); ERRNO(EISCONN); ERRNO(ENOTCONN);
	ERRNO(ESHUTDOWN); ERRNO(ETOOMANYREFS); ERRNO(ETIMEDOUT);
	ERRNO(ECONNREFUSED); ERRNO(EHOSTDOWN); ERRNO(EHOSTUNREACH);
	ERRNO(EALREADY); ERRNO(EINPROGRESS); ERRNO(ESTALE); ERRNO(EUCLEAN);
	ERRNO(ENOTNAM); ERRNO(ENAVAIL); ERRNO(EISNAM); ERRNO(EREMOTEIO);
	ERRNO(EDQUOT); ERRNO(ENOMEDIUM); ERRNO(EMEDIUMTYPE); ERRNO(ECANCELED);
	ERRNO(ENOKEY); ERRNO(EKEYEXPIRED); ERRNO(EKEYREVOKED);
	ERRNO(EKEYREJECTED); ERRNO(EOWNERDEAD); ERRNO(ENOTRECOVERABLE);
	ERRNO(ERFKILL); ERRNO(EHWPOISON);
}

int main(void)
{
	printf("headers %#x\n", SNDRV_PCM_VERSION);
	sound();
	ioctls();
	values();
	files();
	errnos();
	return 0;
}
