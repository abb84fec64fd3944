/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/fs.h>: struct file and its reference count. */
#ifndef _SHIM_LINUX_FS_H
#define _SHIM_LINUX_FS_H

#include <fcntl.h>
#include <linux/types.h>

struct file {
	long f_count;
	unsigned int f_flags;
	void *private_data;
};

#endif
