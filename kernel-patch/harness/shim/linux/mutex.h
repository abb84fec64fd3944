/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/mutex.h>.  A mutex is a flag: taking one
 * the same task holds is a self-deadlock in the kernel, and
 * lockdep_assert_held() on a free one a lockdep splat; both are reported.
 * In a scheduled group of kernel tasks (shim/src/kernel/sched/core.c) a
 * task that takes a mutex another holds waits for it, and every
 * acquisition feeds the lock-order graph (shim/src/kernel/locking/).
 */
#ifndef _SHIM_LINUX_MUTEX_H
#define _SHIM_LINUX_MUTEX_H

#include <linux/bug.h>
#include <linux/cleanup.h>
#include <linux/list.h>
#include <linux/fault-inject.h>
#include <linux/sched.h>

/* @name: lockdep's class, the argument of mutex_init() or DEFINE_MUTEX() */
struct mutex {
	bool locked;
	bool destroyed;
	int owner;		/* the holding task + 1, 0 outside a group */
	/* a rw_semaphore's readers (linux/rwsem.h): bit task + 1 each */
	unsigned int readers;
	const char *name;
	struct harness_site site;
};

#define DEFINE_MUTEX(mname)	struct mutex mname = { .name = #mname }

void harness_bug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* include/linux/mutex.h: the class is named after the init site's argument */
static inline void __mutex_init(struct mutex *lock, const char *name)
{
	lock->locked = false;
	lock->destroyed = false;
	lock->owner = 0;
	lock->name = name;
}

/* accounted (linux/fault-inject.h): a mutex initialised is destroyed once */
static inline void __mutex_init_at(struct mutex *lock, const char *name,
				   const char *file, int line)
{
	__mutex_init(lock, name);
	harness_obj_get(HARNESS_OBJ_MUTEX, lock, sizeof(*lock), file, line, 0);
}

static inline void __mutex_destroy_at(struct mutex *lock, const char *file, int line)
{
	if (lock->locked)
		harness_bug("mutex_destroy of a held mutex %p", (void *)lock);
	harness_obj_put(HARNESS_OBJ_MUTEX, lock, file, line);
	lock->destroyed = true;
}

#define mutex_init(lock)	__mutex_init_at((lock), #lock, __FILE__, __LINE__)
#define mutex_destroy(lock)	__mutex_destroy_at((lock), __FILE__, __LINE__)

/* shim/src/kernel/locking/mutex.c */
void harness_mutex_lock(struct mutex *lock, struct harness_site site);
void harness_mutex_unlock(struct mutex *lock);
/* the site a guard's CLASS() set, else @site */
struct harness_site harness_guard_site(struct harness_site site);

void harness_mutex_lock_nested(struct mutex *lock, int subclass,
			       struct harness_site site);

#define mutex_lock(lock)	harness_mutex_lock((lock), HARNESS_SITE)
#define mutex_lock_nested(lock, subclass)	\
	harness_mutex_lock_nested((lock), (subclass), HARNESS_SITE)
#define SINGLE_DEPTH_NESTING	1
#define mutex_unlock(lock)	harness_mutex_unlock(lock)

/* whether the running task (or the host, outside a group) holds what @owner says */
bool harness_owns(int owner);

#define lockdep_assert_held(l) do {					\
	if (!(l)->locked || !harness_owns((l)->owner))			\
		harness_bug("%s:%d lockdep_assert_held(%s) on a %s lock", \
			    __FILE__, __LINE__, #l,			\
			    (l)->locked ? "another task's" : "free");	\
} while (0)

DEFINE_GUARD(mutex, struct mutex *,
	     harness_mutex_lock(_T, harness_guard_site(HARNESS_SITE)),
	     mutex_unlock(_T))

#endif
