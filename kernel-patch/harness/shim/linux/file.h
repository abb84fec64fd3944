/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/file.h>.  The fd tables are the simulator's:
 * an fd reserved here is installed there by the harness's caller, which
 * hands the installed file's reference to the fd it creates.
 */
#ifndef _SHIM_LINUX_FILE_H
#define _SHIM_LINUX_FILE_H

#include <linux/fs.h>

int get_unused_fd_flags(unsigned int flags);
void put_unused_fd(unsigned int fd);
void fd_install(unsigned int fd, struct file *file);
struct file *get_file_active(struct file **f);
void fput(struct file *file);

#endif
