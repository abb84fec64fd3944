/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/rwsem.h>: a read-write semaphore of the
 * harness's scheduler (shim/src/kernel/locking/mutex.c).  Readers share it,
 * a writer excludes readers and writers; a reader also waits while a writer
 * waits (kernel/locking/rwsem.c, rwsem_read_trylock(): RWSEM_FLAG_WAITERS
 * is in RWSEM_READ_FAILED_MASK), so a task that holds it for reading and
 * takes it again can deadlock against a writer.  Taking it, either way, is a
 * might_sleep() point, releasing it a scheduling point; lockdep sees a read
 * acquisition as down_read() makes it, a non-recursive read
 * (rwsem_acquire_read(): read 1).
 */
#ifndef _SHIM_LINUX_RWSEM_H
#define _SHIM_LINUX_RWSEM_H

#include <linux/mutex.h>

struct rw_semaphore {
	struct mutex m;		/* m.locked: a writer holds it; m.readers */
};

void harness_down_read(struct rw_semaphore *sem, struct harness_site site);
void harness_up_read(struct rw_semaphore *sem);
void harness_down_write(struct rw_semaphore *sem, struct harness_site site);
void harness_up_write(struct rw_semaphore *sem);

#define down_read(sem)		harness_down_read((sem), HARNESS_SITE)
#define up_read(sem)		harness_up_read(sem)
#define down_write(sem)		harness_down_write((sem), HARNESS_SITE)
#define up_write(sem)		harness_up_write(sem)

#endif
