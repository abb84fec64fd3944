package org.pcmdmabuf.model;

/**
 * The argument of a revision-2 EXPORT or ATTACH as the caller passed it (docs/spec.md UAPI-EXPORT-ENCODING,
 * UAPI-ATTACH-ENCODING): the {@code flags} word, reserved word {@code reservedWord} (0 to 5, the others are
 * zero) holding {@code reserved}, and what memory the pointer reaches ({@code pointer}). The values of the
 * flags are those of include/uapi/asm-generic/fcntl.h, which x86-64 and arm64 use.
 */
public record DmabufArg(int flags, int reservedWord, int reserved, Pointer pointer) {
    /** What the argument pointer reaches. */
    public enum Pointer {
        /** The caller's struct, readable and writable. */
        MAPPED,
        /** No mapping (the first page, mmap_min_addr): the kernel's first copy from it faults (UAPI-ARG-FIRST). */
        UNMAPPED,
        /**
         * A mapping without PROT_WRITE: the kernel reads the struct, and only EXPORT's write of the new fd back
         * faults, after its checks (UAPI-EXPORT-WRITEBACK).
         */
        READ_ONLY
    }

    /** The reserved words of both structs (include/uapi/sound/asound.h of patch 0001). */
    public static final int RESERVED_WORDS = 6;

    public static final int O_RDONLY = 0, O_RDWR = 2, O_ACCMODE = 3, O_CLOEXEC = 0x80000;

    /** What a client that asks for an access mode passes: that mode with O_CLOEXEC, nothing reserved. */
    public static DmabufArg export(boolean readOnly) {
        return new DmabufArg((readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC, 0, 0, Pointer.MAPPED);
    }

    /** An ATTACH argument with no flags and nothing reserved. */
    public static final DmabufArg ATTACH = new DmabufArg(0, 0, 0, Pointer.MAPPED);

    /** The access mode EXPORT asks for is O_RDONLY; meaningful once {@link #exportError()} found none. */
    public boolean readOnly() {
        return (flags & O_ACCMODE) == O_RDONLY;
    }

    public boolean closeOnExec() {
        return (flags & O_CLOEXEC) != 0;
    }

    /**
     * EXPORT's checks of its argument, before anything else (UAPI-ARG-FIRST): EFAULT, then a bit besides
     * O_CLOEXEC and the access mode or an access mode other than O_RDONLY and O_RDWR (UAPI-EXPORT-FLAGS,
     * UAPI-UNKNOWN-FLAGS), then a reserved word (UAPI-RESERVED-ZERO). Null when the argument is valid.
     */
    public Errno exportError() {
        int mode = flags & O_ACCMODE;
        return pointer == Pointer.UNMAPPED ? Errno.EFAULT
                : (flags & ~(O_CLOEXEC | O_ACCMODE)) != 0 || (mode != O_RDONLY && mode != O_RDWR) ? Errno.EINVAL
                : reserved != 0 ? Errno.EINVAL
                : null;
    }

    /** ATTACH's checks of its argument, as {@link #exportError()}: ATTACH defines no flag yet. */
    public Errno attachError() {
        return pointer == Pointer.UNMAPPED ? Errno.EFAULT : flags != 0 || reserved != 0 ? Errno.EINVAL : null;
    }
}
