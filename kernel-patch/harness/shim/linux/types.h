/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/types.h>. */
#ifndef _SHIM_LINUX_TYPES_H
#define _SHIM_LINUX_TYPES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t u64;
typedef u64 dma_addr_t;
typedef unsigned int gfp_t;

typedef struct {
	int counter;
} atomic_t;

/* a marked access: never a data race (kernel/kcsan/) */
static inline int atomic_read(const atomic_t *v)
{
	return *(const volatile int *)&v->counter;
}

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

typedef uint32_t __u32;
typedef int32_t __s32;

struct list_head {
	struct list_head *next, *prev;
};

/* include/vdso/bits.h: what a revision's include/sound/pcm.h defines its caps with */
#define BIT(nr)		(1UL << (nr))

#endif
