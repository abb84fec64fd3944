/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness's API, called from the Java simulator through FFM
 * (org.pcmdmabuf.conformance.harness.Harness, one typed method per
 * function; HarnessHeaderTest fails when a prototype here and its binding
 * differ).  Negative returns are -errno.
 */
#ifndef _PCM_DMABUF_HARNESS_H
#define _PCM_DMABUF_HARNESS_H

/* what an fd handed to ATTACH is in the simulator's fd table: or a dma-buf id */
#define HARNESS_FD_NONE		0	/* not open */
#define HARNESS_FD_OTHER	-1	/* open, not a dma-buf */

/*
 * harness_export() and harness_attach() (revision 2): @flags the struct's
 * flags word as passed (EXPORT: O_RDONLY or O_RDWR, O_CLOEXEC), @reserved
 * the value of reserved word @reserved_word (0-5, the others zero); @fault
 * what the argument pointer reaches, one of these.  Revision 1 has none of
 * them.
 */
#define HARNESS_ARG_MAPPED	0	/* the caller's struct */
#define HARNESS_ARG_UNMAPPED	1	/* no mapping: every user copy faults */
#define HARNESS_ARG_READONLY	2	/* no PROT_WRITE: a user write faults */

/*
 * harness_add_substream(): the simulated driver's profile (how it gets and
 * keeps its buffer, docs/spec.md PLAT-DRIVER-PROFILES) and opt-in
 */
#define HARNESS_DRIVER_MANAGED		0	/* snd_pcm_set_managed_buffer(), no preallocation */
#define HARNESS_DRIVER_PREALLOC		1	/* substream->dma_buffer preallocated and reused */
#define HARNESS_DRIVER_FIXED		2	/* a fixed preallocated buffer (dma_max == 0) */
#define HARNESS_DRIVER_KEEPS_ADDR	3	/* DMA programmed from dma_buffer.addr at open */
#define HARNESS_DRIVER_DESCRIPTORS	4	/* DMA programmed from dma_addr at hw_params */
#define HARNESS_DRIVER_PAGE		5	/* managed, with a page callback (ASoC) */
#define HARNESS_DRIVER_OWN_MMAP		6	/* managed, with an mmap callback of its own */
#define HARNESS_CAP_EXPORT		0x1	/* opts in to EXPORT */
#define HARNESS_CAP_ATTACH		0x2	/* opts in to ATTACH */
/* caps also carries the device's platform (docs/spec.md PLAT-IOMMU, PLAT-BOUNCE) */
#define HARNESS_PLATFORM_IOMMU		0x4	/* device addresses are IOVAs of an IOMMU */
#define HARNESS_PLATFORM_BOUNCE		0x8	/* streaming mappings bounce through swiotlb */
/*
 * the driver's CPU moves the data through runtime->dma_area although the
 * device has a DMA mask (sound/drivers/pcmtest.c); passed to the revision
 * as SNDRV_PCM_DMABUF_NO_DEVICE_DMA where it defines that cap
 */
#define HARNESS_PLATFORM_CPU_MOVES	0x10
/* buffer_type: an SNDRV_DMA_TYPE_* of include/sound/memalloc.h, or this */
#define HARNESS_BUFFER_FAKE		0	/* a driver buffer with no pages (ops->page) */

/* DMA sync of buffer @buffer for device @device; @dir is enum dma_data_direction */
typedef void (*harness_sync_fn)(int buffer, int device, int for_device, int dir);

void harness_set_sync(harness_sync_fn fn);
/*
 * swiotlb (kernel/dma/swiotlb.c) of a device that bounces: slot @slot of a
 * streaming mapping of buffer @buffer by device @device; @op is one of
 */
#define HARNESS_BOUNCE_MAP		0	/* a new slot, the memory copied in */
#define HARNESS_BOUNCE_TO_SLOT		1	/* memory copied to the slot */
#define HARNESS_BOUNCE_FROM_SLOT	2	/* the slot copied to memory */
#define HARNESS_BOUNCE_UNMAP		3	/* the slot released */
typedef void (*harness_bounce_fn)(int slot, int buffer, int device, int op);

void harness_set_bounce(harness_bounce_fn fn);
void harness_reset(void);
int harness_revision(void);

/*
 * What the host reads after every hook and every op: one load each from
 * memory it looks up once (harness_status()), where a call per counter
 * cost more than the hook it checks.  Written by the harness only, every
 * member an int.
 */
struct harness_status {
	int bugs;		/* reported so far (harness_last_bug()) */
	int global_locks;	/* bytes of harness_global_locks() now */
	int fallible_calls;	/* since the last harness_fail_nth() */
	int failed_errno;	/* -errno of the call made to fail, or 0 */
};

const struct harness_status *harness_status(void);
const char *harness_last_bug(void);
/*
 * the global locks of the code under test that the hooks of a substream
 * that never shared its buffer took since the last call (a comma list,
 * empty for none: docs/spec.md LIFETIME-NEVER-BLOCKED)
 */
const char *harness_global_locks(void);

int harness_add_substream(int sid, int device, int stream, int contiguous,
			  int coherent, int buffer_type, int driver, int caps);
int harness_set_runtime(int sid, int has_runtime, int state, int access,
			int info, long dma_bytes, int mmap_count,
			int buffer_id, long buffer_bytes, int contiguous);
int harness_state(int sid);
int harness_accesses_blocked(int sid);
int harness_runtime_buffer(int sid);
int harness_dma_target(int sid);
/* the simulated driver's prepare: where it programs its DMA from now on */
int harness_driver_prepare(int sid);
int harness_attached(int sid);
/*
 * mmap of substream @sid's PCM data (snd_pcm_mmap_data()'s hook and
 * mmap_count, under the task's mmap_lock only): 0 or -EBUSY; and its unmap
 */
int harness_pcm_mmap(int sid);
void harness_pcm_munmap(int sid);
/*
 * A read/write transfer's copy of one chunk (__snd_pcm_lib_xfer()):
 * runtime->buffer_accessing raised with @begin (0 or -EBUSY), lowered
 * without it
 */
int harness_xfer_copy(int sid, int begin);
/*
 * The PCM core's own snd_pcm_buffer_access_lock() (HW_PARAMS, HW_FREE,
 * PREPARE, RESET) taken with @lock (0 or -EBUSY), released without it
 */
int harness_buffer_access(int sid, int lock);

int harness_export(int sid, int flags, int reserved_word, int reserved,
		   int fault, int pcm_writable);
/* whether the fd EXPORT last installed was reserved with O_CLOEXEC */
int harness_installed_cloexec(void);
int harness_attach(int sid, int fd, int target, int flags,
		   int reserved_word, int reserved, int fault);
int harness_detach(int sid);
int harness_foreign_import(int fd, int target, int dma_mask);
void harness_hw_free(int sid);
/* snd_pcm_do_prepare()'s hook (revision 3): 0 or -errno; 0 without it */
int harness_prepare(int sid);
/*
 * snd_pcm_post_prepare()'s question (revision 3): whether the attached
 * dma-buf was revoked while the driver prepared; -ENOENT without it
 */
int harness_post_prepare_revoked(int sid);
void harness_disconnect(int sid);
void harness_data_sync(int sid, int for_device);

/*
 * The process of the host's next syscalls outside a group, 0 to
 * HARNESS_MAX_PROCS - 1: their mm (its mappings, mmap_lock, the records the
 * C code keeps of it) is that process's; and its exit, after its mappings
 * are gone (exit_mm()).  0 or -EINVAL.
 */
#define HARNESS_MAX_PROCS	64
int harness_process(int proc);
int harness_process_exit(int proc);
/* a mapping of dma-buf @id, MAP_SHARED or (!@shared) MAP_PRIVATE: its handle (> 0), or -errno */
int harness_mmap(int id, long pgoff, long pages, int write, int shared);
/* munmap of the mapping harness_mmap() answered @handle for, before its fput */
int harness_munmap(int handle);
/*
 * munmap of mapping @handle from page @keep on: the mapping is split, the
 * part that stays (its first @keep pages) keeps the handle
 */
int harness_munmap_tail(int handle, long keep);
/*
 * What page @index of mapping @handle maps, without faulting: the buffer
 * id << 32 | the page of that buffer, -ENOENT when its page table entry is
 * empty (the next access faults)
 */
long harness_mapped_page(int handle, long index);
/*
 * A CPU access to page @index of mapping @handle (handle_mm_fault() when its
 * entry is empty), then what it maps as harness_mapped_page() says; -EFAULT
 * when the access gets SIGBUS
 */
long harness_touch_page(int handle, long index);
/*
 * get_user_pages() of every page of mapping @handle (@write: FOLL_WRITE),
 * as vmsplice(2) or O_DIRECT takes them: the pages pinned, or -EFAULT;
 * the pins outlive the mapping until harness_unpin() of @handle drops them
 * (how many, -EINVAL for none)
 */
long harness_gup(int handle, int write);
int harness_unpin(int handle);
int harness_mappings(int id);
/* the mappings of which every page gets SIGBUS; one partly zapped is reported */
int harness_sigbus(int id);
int harness_cpu_access(int id, int begin, int dir);
int harness_file_ref(int id, int get);
long harness_file_count(int id);
int harness_file_writable(int id);
/* a path reference to dma-buf @id's dentry (an O_PATH fd): a handle, or -errno */
int harness_path_get(int id);
int harness_path_put(int handle);
int harness_revoked(int id);
int harness_orphaned(int id);
int harness_attachments(int id);
int harness_dma_mappings(void);
int harness_dma_overlaps(void);
int harness_live_dmabufs(void);
int harness_live_buffers(void);
int harness_device_refs(void);
/*
 * What the host compares after every op, in one call each: for every
 * substream id below @n, out[2 * id] its runtime_buffer and out[2 * id + 1]
 * whether attached; for each of the @n dma-bufs @ids, out[3 * i] its
 * file_count, out[3 * i + 1] orphaned and out[3 * i + 2] its attachments,
 * returning live_dmabufs.
 */
void harness_runtimes(int n, int *out);
int harness_dmabufs(int n, const int *ids, long *out);

/*
 * Fault injection, as the task's fail-nth (shim/linux/fault-inject.h): the
 * @nth fallible call of the code under test from now fails, once (0: none);
 * counting starts again at every call.  Then: the fallible calls made since
 * and the -errno of the one made to fail (struct harness_status), its kind
 * (the kernel function) and site (file:line of the call in the code under
 * test).
 */
void harness_fail_nth(int nth);
const char *harness_failed_kind(void);
const char *harness_failed_site(void);
/*
 * Nothing may be held now: every object the code under test acquired and
 * still holds is a leak, reported (harness_bug) once with where it was
 * acquired; returns how many.
 */
int harness_account_check(void);

/*
 * Kernel tasks under a seeded scheduler (shim/src/kernel/sched/core.c): a
 * group of @tasks threads, each between harness_task_begin() and
 * harness_task_end(), one running at a time; the decisions of a run (its
 * schedule) start with the prefix given, then follow @policy.  And the
 * lock-order graph over every run since harness_lockdep_reset()
 * (shim/src/kernel/locking/lockdep.c).
 */
#define HARNESS_SCHED_FIRST	0	/* the running task runs on */
#define HARNESS_SCHED_PCT	1	/* PCT of @seed, @depth, @steps */
/* harness_sched_finish() */
#define HARNESS_SCHED_DEADLOCK	0x1
#define HARNESS_SCHED_DIVERGED	0x2	/* the prefix named a task that could not run */
#define HARNESS_SCHED_TRUNCATED	0x4	/* more decisions than are recorded */
#define HARNESS_SCHED_RACE	0x8	/* a data race: harness_kcsan_report() */

void harness_sched_start(int tasks, int policy, long seed, int depth, int steps);
void harness_sched_prefix(int decision, int task);
void harness_task_begin(int task);
void harness_task_end(void);
int harness_sched_finish(void);
int harness_sched_decisions(void);
int harness_sched_choice(int decision);
int harness_sched_runnable(int decision);
int harness_sched_steps(void);
const char *harness_sched_report(void);
/* the group's first data race (shim/src/kernel/kcsan/core.c), "" for none */
const char *harness_kcsan_report(void);
void harness_pcm_lock(int sid);
void harness_pcm_unlock(int sid);
/*
 * Linked streams: the locks a linked trigger action takes (@lock 1 takes,
 * 0 releases): group @gid's lock, substream @sid's stream lock or its
 * runtime->buffer_mutex with lockdep subclass @subclass; and the state its
 * post-action gives a member.
 */
int harness_group_lock(int gid, int lock);
int harness_stream_lock(int sid, int subclass, int lock);
int harness_buffer_lock(int sid, int subclass, int lock);
int harness_set_state(int sid, int state);
int harness_lockdep_reports(void);
const char *harness_lockdep_report(int i);
void harness_lockdep_reset(void);

#endif
