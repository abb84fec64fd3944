/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/mutex.h>.  The harness is single-threaded,
 * so a mutex is a flag: taking a held one is a self-deadlock in the kernel,
 * and lockdep_assert_held() on a free one a lockdep splat; both are reported.
 */
#ifndef _SHIM_LINUX_MUTEX_H
#define _SHIM_LINUX_MUTEX_H

#include <linux/bug.h>
#include <linux/cleanup.h>
#include <linux/list.h>
#include <linux/fault-inject.h>

struct mutex {
	bool locked;
	bool destroyed;
};

#define DEFINE_MUTEX(name)	struct mutex name = { false, false }

void harness_bug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* accounted (linux/fault-inject.h): a mutex initialised is destroyed once */
static inline void __mutex_init_at(struct mutex *lock, const char *file, int line)
{
	lock->locked = false;
	lock->destroyed = false;
	harness_obj_get(HARNESS_OBJ_MUTEX, lock, sizeof(*lock), file, line, 0);
}

static inline void __mutex_destroy_at(struct mutex *lock, const char *file, int line)
{
	if (lock->locked)
		harness_bug("mutex_destroy of a held mutex %p", (void *)lock);
	harness_obj_put(HARNESS_OBJ_MUTEX, lock, file, line);
	lock->destroyed = true;
}

#define mutex_init(lock)	__mutex_init_at((lock), __FILE__, __LINE__)
#define mutex_destroy(lock)	__mutex_destroy_at((lock), __FILE__, __LINE__)

static inline void mutex_lock(struct mutex *lock)
{
	if (lock->locked || lock->destroyed)
		harness_bug("mutex_lock of a %s mutex %p",
			    lock->locked ? "held" : "destroyed", (void *)lock);
	lock->locked = true;
}

static inline void mutex_unlock(struct mutex *lock)
{
	if (!lock->locked)
		harness_bug("mutex_unlock of a free mutex %p", (void *)lock);
	lock->locked = false;
}

#define lockdep_assert_held(l) do {					\
	if (!(l)->locked)						\
		harness_bug("%s:%d lockdep_assert_held(%s) on a free lock", \
			    __FILE__, __LINE__, #l);			\
} while (0)

DEFINE_GUARD(mutex, struct mutex *, mutex_lock(_T), mutex_unlock(_T))

#endif
