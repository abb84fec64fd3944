/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/compiler_types.h>: only what pcm_dmabuf.c uses. */
#ifndef _SHIM_LINUX_COMPILER_TYPES_H
#define _SHIM_LINUX_COMPILER_TYPES_H

#define __user
#define __maybe_unused	__attribute__((__unused__))
#define __cleanup(fn)	__attribute__((__cleanup__(fn)))
#define IS_ENABLED(option)	option

/*
 * include/asm-generic/rwonce.h: marked accesses, volatile here, which the
 * data race detector tells apart (kernel/kcsan/core.c shim)
 */
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, val)	do { *(volatile __typeof__(x) *)&(x) = (val); } while (0)

/*
 * The data race detector's own code (kernel/kcsan/core.c shim), never
 * instrumented: it would call itself
 */
#define __no_kcsan	__attribute__((no_sanitize_thread))
/*
 * The harness's own code: the detector checks the accesses of the code
 * under test alone (between harness.c's markers), so instrumenting the
 * rest costs time and checks nothing; the kernel, too, builds lockdep,
 * kmemleak and the scheduler without KCSAN (KCSAN_SANITIZE := n).
 * HARNESS_INSTRUMENT_ALL instruments it: the code under test must compile
 * to the same instructions either way (HarnessKcsanTextTest).
 */
#ifdef HARNESS_INSTRUMENT_ALL
#define __kcsan_unchecked
#else
#define __kcsan_unchecked	__no_kcsan
#endif

/* the harness builds the code under test with the feature on */
#define CONFIG_SND_PCM_DMABUF	1
/* memory types are arm64's (linux/mm.h), not x86's */
#define CONFIG_X86	0

#endif
