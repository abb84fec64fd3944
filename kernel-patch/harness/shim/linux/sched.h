/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for the scheduling points of <linux/sched.h> and
 * <linux/kernel.h>: might_sleep() and the harness's own
 * harness_sched_point(), where the seeded scheduler of
 * shim/src/kernel/sched/core.c may switch to another kernel task.  Outside
 * a scheduled group of tasks both only check the context.
 */
#ifndef _SHIM_LINUX_SCHED_H
#define _SHIM_LINUX_SCHED_H

#include <linux/types.h>

/* where a lock was taken or a task slept: file and line, for the reports */
struct harness_site {
	const char *file;
	int line;
};

#define HARNESS_SITE	((struct harness_site){ __FILE__, __LINE__ })

/* a point where another kernel task may run: @sleeps when it may sleep */
void harness_sched_point(const char *what);
void harness_might_sleep(struct harness_site site);

#define might_sleep()	harness_might_sleep(HARNESS_SITE)

/*
 * The running group deadlocked: its waiters were let through, mutual
 * exclusion is gone and what follows in the group is no kernel's behaviour.
 */
bool harness_sched_deadlocked(void);

/* the lock of a guard or scoped_guard about to be taken, set by CLASS() */
void harness_lock_site(const char *file, int line);

#endif
