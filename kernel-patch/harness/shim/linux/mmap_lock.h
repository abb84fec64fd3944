/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/mmap_lock.h>: the mm's mmap_lock, a
 * rw_semaphore (linux/rwsem.h) taken as 6.12's mmap_read_lock() and
 * mmap_write_lock() take it.
 */
#ifndef _SHIM_LINUX_MMAP_LOCK_H
#define _SHIM_LINUX_MMAP_LOCK_H

#include <linux/mm.h>

#define mmap_read_lock(mm)	down_read(&(mm)->mmap_lock)
#define mmap_read_unlock(mm)	up_read(&(mm)->mmap_lock)
#define mmap_write_lock(mm)	down_write(&(mm)->mmap_lock)
#define mmap_write_unlock(mm)	up_write(&(mm)->mmap_lock)

#endif
