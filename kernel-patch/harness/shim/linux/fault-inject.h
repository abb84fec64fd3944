/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness's fault injection and object accounting, declared for the
 * shim headers that wrap the calls pcm_dmabuf.c makes.
 *
 * Fault injection works as the kernel's fail-nth does
 * (Documentation/fault-injection/fault-injection.rst, lib/fault-inject.c
 * and the task's fail_nth): harness_fail_nth(N) makes the N-th fallible
 * call from now fail, once.  A call is fallible when the code under test
 * makes it: harness.c compiles pcm_dmabuf.c with HARNESS_FALLIBLE 1, and
 * everything else (the shims, the harness's model of the PCM core) with 0,
 * so that only the patch's own calls count and fail.
 *
 * Accounting (shim/src/mm/kmemleak.c) records every object the code under
 * test acquires (kmalloc family, vmap, DMA mapping, sg table, attachment,
 * device reference, mutex, reserved fd) with the file:line that acquired
 * it; a release of nothing, a double free and what is left at teardown are
 * reported through harness_bug().
 */
#ifndef _SHIM_LINUX_FAULT_INJECT_H
#define _SHIM_LINUX_FAULT_INJECT_H

#include <stddef.h>
#include <linux/types.h>

#ifndef HARNESS_FALLIBLE
#define HARNESS_FALLIBLE	0
#endif

/* what the accounting counts, one kind per acquire/release pair */
enum harness_obj {
	HARNESS_OBJ_MEMORY,	/* kmalloc family / kfree, kvfree */
	HARNESS_OBJ_VMAP,	/* dma_buf_vmap_unlocked / dma_buf_vunmap_unlocked */
	HARNESS_OBJ_DMA_MAP,	/* dma_map_sgtable / dma_unmap_sgtable */
	HARNESS_OBJ_SG_TABLE,	/* sg_alloc_table* / sg_free_table */
	HARNESS_OBJ_ATTACH,	/* dma_buf_attach / dma_buf_detach */
	HARNESS_OBJ_MAPPED,	/* dma_buf_map_attachment_unlocked / _unmap_ */
	HARNESS_OBJ_DEVICE,	/* get_device / put_device */
	HARNESS_OBJ_MUTEX,	/* mutex_init / mutex_destroy */
	HARNESS_OBJ_FD,		/* get_unused_fd_flags / put_unused_fd, fd_install */
	HARNESS_OBJ_MM,		/* mmgrab / mmdrop */
	HARNESS_OBJ_MM_USERS,	/* mmget_not_zero / mmput */
	HARNESS_OBJ_PAGES,	/* snd_pcm_lib_hand_over_pages / _free_handed_over_pages */
	HARNESS_OBJ_KINDS
};

/*
 * Whether the call of @kind at @file:@line fails: counted and judged
 * against fail-nth when @fallible, never failing otherwise.  @err is the
 * -errno the failure means to the caller (for the kmalloc family, whose
 * failure is NULL, -ENOMEM).
 */
bool harness_should_fail(const char *kind, int err, const char *file,
			 int line, int fallible);

void harness_obj_get(enum harness_obj kind, const void *key, size_t size,
		     const char *file, int line, int core);
/* false when nothing of @kind was held under @key: reported */
bool harness_obj_put(enum harness_obj kind, const void *key,
		     const char *file, int line);

void *harness_kmalloc(size_t n, size_t size, const char *kind,
		      const char *file, int line, int fallible);
void harness_kfree(const void *p, const char *file, int line);

/*
 * The harness's own objects (its model of the PCM core and the simulated
 * driver): never failing, accounted as the core's, so that the code under
 * test may free what the core hands it (snd_pcm_lib_hand_over_pages() frees
 * the runtime's buffer descriptor) but they are never counted as leaks.
 */
void *harness_core_zalloc(size_t size, const char *file, int line);
#define core_zalloc(size)	harness_core_zalloc((size), __FILE__, __LINE__)

#endif
