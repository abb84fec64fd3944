// SPDX-License-Identifier: GPL-2.0
/*
 * The harness's stand-in for fs/file.c and fs/file_table.c: fd reservation
 * and install (the fd tables are the simulator's), get_file_active() and
 * fput(). Included by harness.c (one translation unit: it shares the
 * harness's buffers, dma-bufs and fd state); one file per kernel file, so
 * that platform modelling (IOMMU, swiotlb, buffer types) goes where the
 * kernel has it.
 */

int get_unused_fd_flags(unsigned int flags)
{
	/* revision 1 always asks for O_CLOEXEC; revision 2 as the caller says */
	if (HARNESS_UAPI_REV < 2 && !(flags & O_CLOEXEC))
		harness_bug("dma-buf fd reserved without O_CLOEXEC");
	reserved_fd = 1000;
	return reserved_fd;
}

void put_unused_fd(unsigned int fd)
{
	if ((int)fd != reserved_fd)
		harness_bug("put_unused_fd(%u) of an fd never reserved", fd);
	reserved_fd = -1;
}

void fd_install(unsigned int fd, struct file *file)
{
	harness_sched_point("fd_install");
	if ((int)fd != reserved_fd)
		harness_bug("fd_install(%u) of an fd never reserved", fd);
	reserved_fd = -1;
	installed = file;
}

struct file *get_file_active(struct file **f)
{
	struct file *file = *f;

	harness_sched_point("get_file_active");
	if (!file || file->f_count <= 0)
		return NULL;
	file->f_count++;
	return file;
}

void fput(struct file *file)
{
	harness_sched_point("fput");
	if (file->f_count <= 0) {
		harness_bug("fput of a released file");
		return;
	}
	if (--file->f_count == 0)
		dma_buf_release(file->private_data);
}
