/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/sched/mm.h>: the two reference counts of
 * an mm, each reference accounted at the line that took it
 * (linux/fault-inject.h), so that an unbalanced mmgrab() or mmget is a leak
 * finding naming its line.
 */
#ifndef _SHIM_LINUX_SCHED_MM_H
#define _SHIM_LINUX_SCHED_MM_H

#include <linux/fault-inject.h>
#include <linux/mm.h>

static inline void __mmgrab_at(struct mm_struct *mm, const char *file, int line)
{
	mm->mm_count.counter++;
	harness_obj_get(HARNESS_OBJ_MM, mm, 0, file, line, 0);
}

static inline void __mmdrop_at(struct mm_struct *mm, const char *file, int line)
{
	if (harness_obj_put(HARNESS_OBJ_MM, mm, file, line))
		mm->mm_count.counter--;
}

/* kernel/fork.c: a user reference, unless the mm's users are gone */
static inline bool __mmget_not_zero_at(struct mm_struct *mm, const char *file, int line)
{
	if (!mm->mm_users.counter)
		return false;
	mm->mm_users.counter++;
	harness_obj_get(HARNESS_OBJ_MM_USERS, mm, 0, file, line, 0);
	return true;
}

/* kernel/fork.c: the process keeps its own reference, so this is never __mmput() */
static inline void __mmput_at(struct mm_struct *mm, const char *file, int line)
{
	might_sleep();
	if (harness_obj_put(HARNESS_OBJ_MM_USERS, mm, file, line))
		mm->mm_users.counter--;
}

#define mmgrab(mm)		__mmgrab_at((mm), __FILE__, __LINE__)
#define mmdrop(mm)		__mmdrop_at((mm), __FILE__, __LINE__)
#define mmget_not_zero(mm)	__mmget_not_zero_at((mm), __FILE__, __LINE__)
#define mmput(mm)		__mmput_at((mm), __FILE__, __LINE__)

#endif
