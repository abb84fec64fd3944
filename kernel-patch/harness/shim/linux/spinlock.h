/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/spinlock.h>.  One thread, so a spinlock is
 * a flag, as the mutex shim: taking a held one (a deadlock in the kernel)
 * and releasing a free one are reported.  The irqsave variants keep the
 * kernel's signatures; the guard is include/linux/spinlock.h's
 * spinlock_irqsave class.
 */
#ifndef _SHIM_LINUX_SPINLOCK_H
#define _SHIM_LINUX_SPINLOCK_H

#include <linux/cleanup.h>
#include <linux/mutex.h>

typedef struct {
	bool locked;
} spinlock_t;

static inline void spin_lock_init(spinlock_t *lock)
{
	lock->locked = false;
}

static inline void spin_lock(spinlock_t *lock)
{
	if (lock->locked)
		harness_bug("spin_lock of a held spinlock %p", (void *)lock);
	lock->locked = true;
}

static inline void spin_unlock(spinlock_t *lock)
{
	if (!lock->locked)
		harness_bug("spin_unlock of a free spinlock %p", (void *)lock);
	lock->locked = false;
}

#define spin_lock_irqsave(lock, flags)	\
	do { (flags) = 0; spin_lock(lock); } while (0)
#define spin_unlock_irqrestore(lock, flags)	\
	do { (void)(flags); spin_unlock(lock); } while (0)

DEFINE_GUARD(spinlock_irqsave, spinlock_t *, spin_lock(_T), spin_unlock(_T))

#endif
