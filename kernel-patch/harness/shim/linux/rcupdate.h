/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/rcupdate.h>: one thread, nothing is freed under a reader. */
#ifndef _SHIM_LINUX_RCUPDATE_H
#define _SHIM_LINUX_RCUPDATE_H

#include <linux/cleanup.h>

DEFINE_LOCK_GUARD_0(rcu, , )

#endif
