package org.pcmdmabuf.model;

/** The errno values the model can answer with, numbered as on Linux x86_64 (include/uapi/asm-generic/errno*.h). */
public enum Errno {
    EPERM(1), ENOENT(2), EINTR(4), EIO(5), ENXIO(6), EBADF(9), EAGAIN(11), ENOMEM(12), EACCES(13),
    EFAULT(14), EBUSY(16), ENODEV(19), EINVAL(22), EMFILE(24), ENOTTY(25), EPIPE(32), ENOSYS(38),
    EBADFD(77), ESTRPIPE(86), EALREADY(114);

    public final int number;

    Errno(int number) {
        this.number = number;
    }

    public static Errno byName(String name) {
        for (Errno e : values()) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }
}
