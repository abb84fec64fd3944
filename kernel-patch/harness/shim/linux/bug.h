/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/bug.h>: a WARN is counted and reported to the harness's caller. */
#ifndef _SHIM_LINUX_BUG_H
#define _SHIM_LINUX_BUG_H

#include <linux/types.h>

void harness_warn(const char *file, int line, const char *cond);

#define WARN_ON(condition) ({						\
	bool __ret_warn_on = !!(condition);				\
	if (__ret_warn_on)						\
		harness_warn(__FILE__, __LINE__, #condition);		\
	__ret_warn_on;							\
})

#endif
