/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/errno.h>: the uapi numbers, as the kernel's own header. */
#ifndef _SHIM_LINUX_ERRNO_H
#define _SHIM_LINUX_ERRNO_H

#include <asm/errno.h>

#endif
