/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/fcntl.h>: the uapi O_* flags, as the kernel's own header. */
#ifndef _SHIM_LINUX_FCNTL_H
#define _SHIM_LINUX_FCNTL_H

#include <fcntl.h>

#endif
