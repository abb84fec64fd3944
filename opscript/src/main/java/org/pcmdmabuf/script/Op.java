package org.pcmdmabuf.script;

import org.pcmdmabuf.model.DmabufArg;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.PcmRole;
import org.pcmdmabuf.model.SwParams;

/**
 * One line of an op script (docs/spec.md section 4, docs/op-scripts.md), parsed and checked: names are the script's own (fd and
 * map names are bound per process with {@code as NAME}); a target resolves them through {@link Names}.
 * {@code proc} is null for card events and {@code advance}.
 */
public sealed interface Op {
    int line();

    String proc();

    /** The op's name as written in scripts and in the JSON output. */
    String name();

    record Open(int line, String proc, String device, boolean append, boolean nonblock, boolean readOnly,
                String as) implements Op {
        public String name() {
            return "open";
        }
    }

    record HwParamsOp(int line, String proc, String fd, HwParams params) implements Op {
        public String name() {
            return "hw_params";
        }
    }

    record SwParamsOp(int line, String proc, String fd, SwParams params) implements Op {
        public String name() {
            return "sw_params";
        }
    }

    /** The argument-less PCM ioctls: hw_free prepare start drop drain reset xrun hwsync delay resume. */
    record Simple(int line, String proc, String name, String fd) implements Op {
    }

    record Pause(int line, String proc, String fd, boolean push) implements Op {
        public String name() {
            return "pause";
        }
    }

    record SyncPtr(int line, String proc, String fd, Long applPtr) implements Op {
        public String name() {
            return "sync_ptr";
        }
    }

    /** writei or readi. */
    record Xfer(int line, String proc, String name, String fd, long frames) implements Op {
    }

    /** {@code shared}: MAP_SHARED; MAP_PRIVATE otherwise, of a dma-buf fd only (PERM-MMAP-SHARED). */
    record Mmap(int line, String proc, String fd, long offset, long length, boolean read, boolean write,
                boolean shared, String as) implements Op {
        /** A MAP_SHARED mapping, what a line asks unless it says {@code private}. */
        public Mmap(int line, String proc, String fd, long offset, long length, boolean read, boolean write,
                    String as) {
            this(line, proc, fd, offset, length, read, write, true, as);
        }

        public String name() {
            return "mmap";
        }
    }

    /**
     * munmap(2) of a mapping: the whole of it, or with {@code keep} (bytes) everything from that offset on, so that
     * its first {@code keep} bytes stay mapped (the kernel splits the mapping: vm_ops->open of the part that stays,
     * vm_ops->close of the part that goes).
     */
    record Munmap(int line, String proc, String map, Long keep) implements Op {
        public Munmap(int line, String proc, String map) {
            this(line, proc, map, null);
        }

        public String name() {
            return "munmap";
        }
    }

    /**
     * get_user_pages() of every page of a mapping, as vmsplice(2) or O_DIRECT take them ({@code write}:
     * FOLL_WRITE); the pins outlive the mapping until {@link Unpin} or the process's exit (PERM-GUP-EFAULT).
     */
    record Gup(int line, String proc, String map, boolean write) implements Op {
        public String name() {
            return "gup";
        }
    }

    /** The release of the pins taken through a mapping. */
    record Unpin(int line, String proc, String map) implements Op {
        public String name() {
            return "unpin";
        }
    }

    /** fill or check. */
    record MapAccess(int line, String proc, String name, String map, long offset, long length) implements Op {
    }

    record Sync(int line, String proc, String fd, long flags) implements Op {
        public String name() {
            return "sync";
        }
    }

    /**
     * {@code arg}: revision 2's argument as passed (UAPI-ARG-FIRST); a line without {@code flags=},
     * {@code reserved=} or {@code arg=fault} passes O_CLOEXEC and the access mode {@code rdonly} asks.
     */
    record DmabufExport(int line, String proc, String fd, DmabufArg arg, String as) implements Op {
        /** An O_RDWR export, what both revisions give. */
        public DmabufExport(int line, String proc, String fd, String as) {
            this(line, proc, fd, false, as);
        }

        /** {@code readOnly}: revision 2's O_RDONLY export; otherwise O_RDWR, the only mode of revision 1 (UAPI-V1). */
        public DmabufExport(int line, String proc, String fd, boolean readOnly, String as) {
            this(line, proc, fd, DmabufArg.export(readOnly), as);
        }

        public boolean readOnly() {
            return arg.readOnly();
        }

        /** The line passes what only revision 2's struct carries: other flags, a reserved word, a bad pointer. */
        public boolean rawArg() {
            return !arg.equals(DmabufArg.export(arg.readOnly()));
        }

        public String name() {
            return "dmabuf_export";
        }
    }

    record DmabufAttach(int line, String proc, String fd, String dmabufFd, DmabufArg arg) implements Op {
        public DmabufAttach(int line, String proc, String fd, String dmabufFd) {
            this(line, proc, fd, dmabufFd, DmabufArg.ATTACH);
        }

        /** As {@link DmabufExport#rawArg()}: flags, a reserved word or a bad pointer. */
        public boolean rawArg() {
            return !arg.equals(DmabufArg.ATTACH);
        }

        public String name() {
            return "dmabuf_attach";
        }
    }

    /**
     * Another driver's import of a dma-buf (a DRM PRIME import, a V4L2 DMABUF queue): its device attaches, maps
     * the dma-buf for its DMA, then unmaps and detaches (IMPORT-*). {@code dmaMask}: the device has a DMA mask.
     */
    record Import(int line, String proc, String fd, boolean dmaMask) implements Op {
        public String name() {
            return "import";
        }
    }

    record DmabufDetach(int line, String proc, String fd) implements Op {
        public String name() {
            return "dmabuf_detach";
        }
    }

    /** SNDRV_PCM_IOCTL_LINK on {@code fd} naming the PCM fd {@code other} (LINUX-LINK). */
    record Link(int line, String proc, String fd, String other) implements Op {
        public String name() {
            return "link";
        }
    }

    /** SNDRV_PCM_IOCTL_UNLINK. */
    record Unlink(int line, String proc, String fd) implements Op {
        public String name() {
            return "unlink";
        }
    }

    /**
     * The hypothetical SNDRV_PCM_IOCTL_RESTRICT (docs/spec.md DESIGN-RESTRICT-*): model only, as {@link BufferFd}
     * and unlike every other op; {@link #modelOnly} names them.
     */
    record Restrict(int line, String proc, String fd, PcmRole role) implements Op {
        public String name() {
            return "restrict";
        }
    }

    /** The vendors' SNDRV_PCM_IOCTL_MMAP_DATA_FD (docs/spec.md DESIGN-BUFFER-FD-*): model only. */
    record BufferFd(int line, String proc, String fd, String as) implements Op {
        public String name() {
            return "buffer_fd";
        }
    }

    /**
     * Whether only the model target answers this op: the designs docs/designs.md compares with the dma-buf
     * one exist in no kernel patch, harness or device.
     */
    static boolean modelOnly(Op op) {
        return op instanceof Restrict || op instanceof BufferFd;
    }

    record Close(int line, String proc, String fd) implements Op {
        public String name() {
            return "close";
        }
    }

    /**
     * open("/proc/self/fd/FD", O_PATH): a new fd whose file holds a path reference to FD's dentry, which keeps a
     * dma-buf after its file was freed (docs/spec.md PLAT-FILE-LIFETIME).
     */
    record OpenPath(int line, String proc, String fd, String as) implements Op {
        public String name() {
            return "open_path";
        }
    }

    record Dup(int line, String proc, String fd, String as) implements Op {
        public String name() {
            return "dup";
        }
    }

    record Send(int line, String proc, String fd, String to, String as) implements Op {
        public String name() {
            return "send";
        }
    }

    record Exit(int line, String proc) implements Op {
        public String name() {
            return "exit";
        }
    }

    /** suspend or disconnect of a device. */
    record CardEvent(int line, String name, String device) implements Op {
        public String proc() {
            return null;
        }
    }

    /** Virtual time passes: {@code nanos}, or {@code frames} at each stream's rate when nanos is null. */
    record Advance(int line, Long nanos, Long frames) implements Op {
        public String proc() {
            return null;
        }

        public String name() {
            return "advance";
        }
    }

    record LeaksOp(int line, String proc) implements Op {
        public String name() {
            return "leaks";
        }
    }

    /** What CONFIG_DMA_API_DEBUG (kernel/dma/debug.c) would list of the streaming mappings ATTACH made. */
    record DmaDebug(int line) implements Op {
        public String proc() {
            return null;
        }

        public String name() {
            return "dma_debug";
        }
    }

    /**
     * Fault injection, as a write of N to the task's {@code /proc/thread-self/fail-nth} before its next system
     * call: the {@code nth} fallible call the code under test makes in the next op (a process's) fails, once.
     * Only a target that runs the kernel code under test with fault injection answers it.
     */
    record FailNth(int line, int nth) implements Op {
        public String proc() {
            return null;
        }

        public String name() {
            return "fail_nth";
        }
    }
}
