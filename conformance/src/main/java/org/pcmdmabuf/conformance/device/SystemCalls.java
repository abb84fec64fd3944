package org.pcmdmabuf.conformance.device;

import java.lang.foreign.MemorySegment;

/**
 * Everything the device target asks of the kernel, one method per system call, as libc declares it. A call
 * returns what the system call returns, or {@code -errno} when it failed; the structs an argument points to
 * are marshalled by the caller ({@link UapiStructs}, {@link FdPassing}), so that a host test can check their
 * bytes on a double of this interface. {@link Native} is the real one.
 */
interface SystemCalls {
    int open(String path, int flags);

    int close(int fd);

    int dup(int fd);

    /** fcntl(2) with an int argument (F_GETFL, F_SETFL). */
    int fcntl(int fd, int cmd, int arg);

    /** ioctl(2) whose argument points to memory, or is {@link MemorySegment#NULL}. */
    int ioctl(int fd, long request, MemorySegment arg);

    /** ioctl(2) whose argument is passed by value (SNDRV_PCM_IOCTL_PAUSE takes its int so). */
    int ioctlValue(int fd, long request, long arg);

    /** mmap(NULL, len, prot, flags, fd, offset), flags MAP_SHARED or MAP_PRIVATE: the address, or -errno. */
    long mmap(long len, int prot, int flags, int fd, long offset);

    int munmap(long addr, long len);

    /** mprotect(2) of {@code len} bytes at {@code addr}: 0, or -errno. */
    int mprotect(long addr, long len, int prot);

    /** socketpair(2): the two fds are written to {@code sv}, two ints. */
    int socketpair(int domain, int type, int protocol, MemorySegment sv);

    /** sendmsg(2) of a struct msghdr: the bytes sent, or -errno. */
    long sendmsg(int sock, MemorySegment msghdr, int flags);

    /** recvmsg(2) into a struct msghdr: the bytes received, or -errno. */
    long recvmsg(int sock, MemorySegment msghdr, int flags);

    /** pipe2(2): the read and the write end are written to {@code fds}, two ints. */
    int pipe2(MemorySegment fds, int flags);

    /**
     * write(2) of {@code len} bytes at address {@code addr}, which may be a mapping of a device file: the bytes
     * written, or -errno. The kernel reads them with copy_from_user(); a page whose fault handler answers
     * VM_FAULT_SIGBUS gives EFAULT here where the same access from user space raises SIGBUS.
     */
    long write(int fd, long addr, long len);

    /** read(2) of at most {@code len} bytes to address {@code addr}: the bytes read, or -errno. */
    long read(int fd, long addr, long len);

    /**
     * write(2) of {@code text} to a sysfs attribute, opened and closed around it: 0, or -errno. Writing a
     * driver's {@code unbind} blocks until the card's last file is closed (snd_card_free()).
     */
    int writeAttribute(String path, String text);

    /** Whether {@code path} exists (a device node that a disconnect removes, or that a bind brings back). */
    boolean exists(String path);
}
