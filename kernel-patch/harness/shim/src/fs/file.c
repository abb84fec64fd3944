// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for fs/file.c: fd reservation and install (the fd
 * tables are the simulator's) and get_file_active().  Included by
 * harness.c (one translation unit: it shares the harness's buffers,
 * dma-bufs and fd state); one file per kernel file, so that platform
 * modelling (IOMMU, swiotlb, buffer types) goes where the kernel has it.
 */

__kcsan_unchecked int get_unused_fd_flags(unsigned int flags)
{
	/* revision 1 always asks for O_CLOEXEC; revision 2 as the caller says */
	if (HARNESS_UAPI_REV < 2 && !(flags & O_CLOEXEC))
		harness_bug("dma-buf fd reserved without O_CLOEXEC");
	reserved_fd = 1000;
	reserved_fd_flags = flags;
	return reserved_fd;
}

__kcsan_unchecked void put_unused_fd(unsigned int fd)
{
	if ((int)fd != reserved_fd)
		harness_bug("put_unused_fd(%u) of an fd never reserved", fd);
	reserved_fd = -1;
}

__kcsan_unchecked void fd_install(unsigned int fd, struct file *file)
{
	harness_sched_point("fd_install");
	if ((int)fd != reserved_fd)
		harness_bug("fd_install(%u) of an fd never reserved", fd);
	if (!file_allocated(file) || file->f_count <= 0)
		harness_bug("fd_install(%u) of a freed file", fd);
	reserved_fd = -1;
	installed = file;
	installed_fd_flags = reserved_fd_flags;
}

/*
 * __get_file_rcu() under rcu_read_lock(), as get_file_active() calls it
 * once: a reference if the file *@f points to has a non-zero count and *@f
 * still points to it after.  Nothing says it is the file the caller once
 * stored there: with SLAB_TYPESAFE_BY_RCU files (fs/file_table.c shim) a
 * pointer nobody cleared reaches the next file allocated in its slot.
 */
__kcsan_unchecked struct file *get_file_active(struct file **f)
{
	struct file *file = *f;

	harness_sched_point("get_file_active");
	if (!file)
		return NULL;
	/* atomic_long_inc_not_zero(&file->f_count); -EAGAIN is NULL here */
	if (file->f_count <= 0)
		return NULL;
	harness_kcsan_rmw(&file->f_count);
	file->f_count++;
	/* another task may store to *f between the load and the reload */
	harness_sched_point("get_file_active reload");
	if (*f == file)
		return file;
	fput(file);
	return NULL;
}
