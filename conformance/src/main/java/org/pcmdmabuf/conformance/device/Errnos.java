package org.pcmdmabuf.conformance.device;

/** errno numbers (x86_64 Linux) to the names op scripts use. */
final class Errnos {
    private Errnos() {
    }

    static String name(int e) {
        return switch (e) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 4 -> "EINTR";
            case 5 -> "EIO";
            case 6 -> "ENXIO";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 19 -> "ENODEV";
            case 22 -> "EINVAL";
            case 25 -> "ENOTTY";
            case 32 -> "EPIPE";
            case 38 -> "ENOSYS";
            case 77 -> "EBADFD";
            case 86 -> "ESTRPIPE";
            case 95 -> "EOPNOTSUPP";
            case 524 -> "ENOTSUPP";
            default -> "E" + e;
        };
    }
}
