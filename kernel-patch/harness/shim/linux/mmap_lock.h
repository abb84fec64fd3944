/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/mmap_lock.h>: the mm's mmap_lock, a lock of
 * the harness's scheduler (linux/mm.h says why readers exclude each other).
 */
#ifndef _SHIM_LINUX_MMAP_LOCK_H
#define _SHIM_LINUX_MMAP_LOCK_H

#include <linux/mm.h>

#define mmap_read_lock(mm)	mutex_lock(&(mm)->mmap_lock)
#define mmap_read_unlock(mm)	mutex_unlock(&(mm)->mmap_lock)
#define mmap_write_lock(mm)	mutex_lock(&(mm)->mmap_lock)
#define mmap_write_unlock(mm)	mutex_unlock(&(mm)->mmap_lock)

#endif
