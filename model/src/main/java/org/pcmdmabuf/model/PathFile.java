package org.pcmdmabuf.model;

/**
 * A struct file opened with O_PATH (FMODE_PATH, fs/open.c do_dentry_open()) through the magic link
 * /proc/PID/fd/N of another fd: fs/proc/fd.c, proc_fd_link(), gives that fd's file's f_path, and the new file
 * holds it (path_get(): a reference on its dentry), not the file. {@code target} is what the path names: a
 * dma-buf, whose release is its dentry's d_release (drivers/dma-buf/dma-buf.c, dma_buf_dentry_ops), so it is
 * delayed until the last path reference goes (PLAT-FILE-LIFETIME); or a PCM file, whose device node's dentry
 * outlives every script. An O_PATH fd answers no ioctl, mmap or dma_buf_get() (fdget() and fget() skip
 * FMODE_PATH files: EBADF); it can be closed, duplicated and sent.
 */
public record PathFile(FilePrivate target) implements FilePrivate {
}
