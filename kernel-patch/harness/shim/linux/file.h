/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/file.h>.  The fd tables are the simulator's:
 * an fd reserved here is installed there by the harness's caller, which
 * hands the installed file's reference to the fd it creates.
 */
#ifndef _SHIM_LINUX_FILE_H
#define _SHIM_LINUX_FILE_H

#include <asm/errno.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>

int get_unused_fd_flags(unsigned int flags);
void put_unused_fd(unsigned int fd);
void fd_install(unsigned int fd, struct file *file);
struct file *get_file_active(struct file **f);
void fput(struct file *file);

/*
 * The calls of the code under test (linux/fault-inject.h):
 * get_unused_fd_flags() is fallible, -EMFILE as with a full fd table
 * (fs/file.c, alloc_fd()); a reserved fd is accounted until it is put back
 * or installed.  harness_unwrap.h takes these away for the shims.
 */
static inline int __get_unused_fd_flags_at(unsigned int flags, const char *file,
					   int line, int fallible)
{
	int fd;

	if (harness_should_fail("get_unused_fd_flags", -EMFILE, file, line,
				fallible))
		return -EMFILE;
	fd = (get_unused_fd_flags)(flags);
	if (fd >= 0)
		harness_obj_get(HARNESS_OBJ_FD, (const void *)(long)fd, 0, file,
				line, 0);
	return fd;
}

static inline void __put_unused_fd_at(unsigned int fd, const char *file, int line)
{
	harness_obj_put(HARNESS_OBJ_FD, (const void *)(long)fd, file, line);
	(put_unused_fd)(fd);
}

static inline void __fd_install_at(unsigned int fd, struct file *f,
				   const char *file, int line)
{
	harness_obj_put(HARNESS_OBJ_FD, (const void *)(long)fd, file, line);
	(fd_install)(fd, f);
}

#define get_unused_fd_flags(flags)					\
	__get_unused_fd_flags_at((flags), __FILE__, __LINE__, HARNESS_FALLIBLE)
#define put_unused_fd(fd)	__put_unused_fd_at((fd), __FILE__, __LINE__)
#define fd_install(fd, f)	__fd_install_at((fd), (f), __FILE__, __LINE__)

#endif
