/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/uaccess.h>: the harness passes ioctl
 * arguments in its own memory.  Each access is fallible (fail-nth,
 * linux/fault-inject.h) as a fault on the user address is: put_user() and
 * get_user() return -EFAULT, copy_*_user() the bytes not copied, all of
 * them (arch/arm64/include/asm/uaccess.h).  An address in the first page
 * is never mapped (mm/mmap.c, mmap_min_addr): every access to it faults,
 * as the harness's argument of an ioctl given a bad pointer; a read-only
 * page faults on a write only.  Each is a
 * might_fault() first (mm/memory.c, __might_fault(): __might_sleep(), and
 * lockdep's might_lock_read() of the mm's mmap_lock, which a fault takes),
 * so the lock-order graph sees every lock held around a user copy come
 * before mmap_lock.
 */
#ifndef _SHIM_LINUX_UACCESS_H
#define _SHIM_LINUX_UACCESS_H

#include <asm/errno.h>
#include <string.h>
#include <linux/compiler_types.h>
#include <linux/types.h>
#include <linux/fault-inject.h>

#define HARNESS_USER_UNMAPPED	((void *)1)
#define __user_unmapped(ptr)	((unsigned long)(ptr) < 4096)
/*
 * The harness's user page mapped without PROT_WRITE, the argument of an
 * ioctl given one: reads succeed, a write faults as a write to a read-only
 * VMA does (access_error() in the fault handler: EFAULT, nothing written).
 */
#define HARNESS_USER_READONLY_BYTES	64
extern __thread char harness_user_readonly[HARNESS_USER_READONLY_BYTES];
/*
 * A function, not a macro: its comparisons of the address with the page
 * (which ASLR places anywhere) then branch in this header, and gcov's
 * branch counts of the code under test stay the same from run to run.
 */
static inline bool __user_write_faults(const void *ptr)
{
	const char *p = ptr;

	return __user_unmapped(p) ||
	       (p >= harness_user_readonly &&
		p < harness_user_readonly + HARNESS_USER_READONLY_BYTES);
}

/* mm/memory.c */
void harness_might_fault(const char *file, int line);

#define put_user(x, ptr) ({						\
	int __pu_err = 0;						\
	harness_might_fault(__FILE__, __LINE__);			\
	if (harness_should_fail("put_user", -EFAULT, __FILE__, __LINE__, \
				HARNESS_FALLIBLE) ||			\
	    __user_write_faults(ptr))					\
		__pu_err = -EFAULT;					\
	else								\
		*(ptr) = (x);						\
	__pu_err;							\
})
#define get_user(x, ptr) ({						\
	int __gu_err = 0;						\
	harness_might_fault(__FILE__, __LINE__);			\
	if (harness_should_fail("get_user", -EFAULT, __FILE__, __LINE__, \
				HARNESS_FALLIBLE) ||			\
	    __user_unmapped(ptr))					\
		__gu_err = -EFAULT;					\
	else								\
		(x) = *(ptr);						\
	__gu_err;							\
})

static inline unsigned long __copy_user_at(void *to, const void *from,
					   unsigned long n, const char *kind,
					   const char *file, int line,
					   int fallible)
{
	harness_might_fault(file, line);
	if (harness_should_fail(kind, -EFAULT, file, line, fallible))
		return n;
	/* the user side of the copy: from for copy_from_user, to for copy_to_user */
	if (__user_write_faults(to) || __user_unmapped(from))
		return n;
	memcpy(to, from, n);
	return 0;
}

#define copy_from_user(to, from, n)					\
	__copy_user_at((to), (const void *)(from), (n), "copy_from_user", \
		       __FILE__, __LINE__, HARNESS_FALLIBLE)
#define copy_to_user(to, from, n)					\
	__copy_user_at((void *)(to), (from), (n), "copy_to_user",	\
		       __FILE__, __LINE__, HARNESS_FALLIBLE)

#endif
