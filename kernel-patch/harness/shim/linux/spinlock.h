/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/spinlock.h>.  A spinlock is a flag, as the
 * mutex shim: taking one the same task holds (a deadlock in the kernel) and
 * releasing a free one are reported; in a scheduled group a task spins
 * (is not runnable) while another holds it, and sleeping while holding one
 * is reported (shim/src/kernel/locking/mutex.c).  The irqsave variants keep
 * the kernel's signatures; the guard is include/linux/spinlock.h's
 * spinlock_irqsave class.
 */
#ifndef _SHIM_LINUX_SPINLOCK_H
#define _SHIM_LINUX_SPINLOCK_H

#include <linux/cleanup.h>
#include <linux/mutex.h>

/* a spinlock is a mutex that never sleeps: the same flags, owner and class */
typedef struct {
	struct mutex m;
} spinlock_t;

#define spin_lock_init(lock)	__spin_lock_init((lock), #lock)

static inline void __spin_lock_init(spinlock_t *lock, const char *name)
{
	__mutex_init(&lock->m, name);
}

/* shim/src/kernel/locking/mutex.c */
void harness_spin_lock(spinlock_t *lock, struct harness_site site);
void harness_spin_unlock(spinlock_t *lock);

void harness_spin_lock_nested(spinlock_t *lock, int subclass,
			      struct harness_site site);

#define spin_lock(lock)		harness_spin_lock((lock), HARNESS_SITE)
#define spin_lock_nested(lock, subclass)	\
	harness_spin_lock_nested((lock), (subclass), HARNESS_SITE)
#define spin_unlock(lock)	harness_spin_unlock(lock)

#define spin_lock_irqsave(lock, flags)	\
	do { (flags) = 0; spin_lock(lock); } while (0)
#define spin_unlock_irqrestore(lock, flags)	\
	do { (void)(flags); spin_unlock(lock); } while (0)

DEFINE_GUARD(spinlock_irqsave, spinlock_t *,
	     harness_spin_lock(_T, harness_guard_site(HARNESS_SITE)),
	     spin_unlock(_T))

#endif
