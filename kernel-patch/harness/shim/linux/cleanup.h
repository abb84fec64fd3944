/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/cleanup.h>: guard() and scoped_guard() on __cleanup__, as the kernel. */
#ifndef _SHIM_LINUX_CLEANUP_H
#define _SHIM_LINUX_CLEANUP_H

#include <linux/compiler_types.h>

void harness_lock_site(const char *file, int line);

#define __PASTE_(a, b)		a##b
#define __PASTE(a, b)		__PASTE_(a, b)
#define __UNIQUE_ID(prefix)	__PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)

/* a lock class: its type, how to take and release it, and the pointer scoped_guard() tests */
#define DEFINE_GUARD(_name, _type, _lock, _unlock)				\
	typedef _type class_##_name##_t;					\
	static inline void class_##_name##_destructor(_type *p)		\
	{ _type _T = *p; if (_T) { _unlock; } }				\
	static inline _type class_##_name##_constructor(_type _T)		\
	{ _lock; return _T; }							\
	static inline void *class_##_name##_lock_ptr(_type *p)		\
	{ return (void *)*p; }

/* a lock with no object (rcu) */
#define DEFINE_LOCK_GUARD_0(_name, _lock, _unlock)				\
	typedef int class_##_name##_t;						\
	static inline void class_##_name##_destructor(int *p)			\
	{ (void)p; _unlock; }							\
	static inline int class_##_name##_constructor(void)			\
	{ _lock; return 1; }							\
	static inline void *class_##_name##_lock_ptr(int *p)			\
	{ return (void *)(long)*p; }

/* the harness notes the site of the guard, for the lock reports (linux/sched.h) */
#define CLASS(_name, var)							\
	class_##_name##_t var __cleanup(class_##_name##_destructor) =		\
		(harness_lock_site(__FILE__, __LINE__),				\
		 class_##_name##_constructor)

#define guard(_name)	CLASS(_name, __UNIQUE_ID(guard))

#define scoped_guard(_name, args...)						\
	for (CLASS(_name, scope)(args), *done = NULL;				\
	     class_##_name##_lock_ptr(&scope) && !done; done = (void *)1)

#endif
