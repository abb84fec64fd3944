package org.pcmdmabuf.conformance.harness;

import static java.lang.foreign.FunctionDescriptor.of;
import static java.lang.foreign.FunctionDescriptor.ofVoid;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.pcmdmabuf.model.DmabufArg;

/**
 * The C harness of the patch's pcm_dmabuf.c (kernel-patch/harness/harness.h), loaded with FFM. One library
 * holds one kernel's worth of global state, so one {@link HarnessDriver} at a time uses it: {@link #claim}
 * resets the C side and routes its DMA-sync upcalls to that driver.
 */
public final class Harness {
    /** The system property naming the library; the Maven build sets it for the tests. */
    public static final String LIBRARY_PROPERTY = "pcmdmabuf.harness.lib";

    private static final Map<Path, Harness> LOADED = new HashMap<>();
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong J = ValueLayout.JAVA_LONG;
    private static final AddressLayout A = ValueLayout.ADDRESS;

    /** harness_sync_fn, the DMA-sync upcall. */
    static final FunctionDescriptor SYNC_FN = ofVoid(I, I, I, I);
    /** harness_bounce_fn, the swiotlb upcall. */
    static final FunctionDescriptor BOUNCE_FN = ofVoid(I, I, I, I);
    static final int BOUNCE_MAP = 0;
    static final int BOUNCE_TO_SLOT = 1;
    static final int BOUNCE_FROM_SLOT = 2;
    static final int BOUNCE_UNMAP = 3;
    /** What a {@link Function} may do, as far as the host's bookkeeping of the C side goes. */
    enum Kind {
        /** Anything: change the C side's state, run the code under test, call back, wait for another task. */
        CHANGES,
        /**
         * Reads through the code under test: changes nothing of the C side's state, but may wait or call back, so
         * it is linked as any call.
         */
        READS_THROUGH_CODE_UNDER_TEST,
        /**
         * Reads the harness's own records only: changes nothing, runs no code under test, takes no lock, calls
         * nothing back, so it is linked critical (no thread state change, Java arrays passed as they are).
         */
        READS
    }

    /**
     * Every function harness.h declares, with its C signature (int: JAVA_INT, long: JAVA_LONG, a pointer:
     * ADDRESS), in the header's order. The typed methods below call each one with invokeExact, so a Java
     * argument of the wrong type fails at the first call rather than passing the C code a wrong value;
     * HarnessHeaderTest holds this list and the header equal.
     */
    enum Function {
        SET_SYNC(ofVoid(A)),
        SET_BOUNCE(ofVoid(A)),
        RESET(ofVoid()),
        REVISION(of(I), Kind.READS),
        STATUS(of(A), Kind.READS),
        LAST_BUG(of(A), Kind.READS),
        GLOBAL_LOCKS(of(A)),
        ADD_SUBSTREAM(of(I, I, I, I, I, I, I, I, I)),
        SET_RUNTIME(of(I, I, I, I, I, I, J, I, I, J, I)),
        STATE(of(I, I), Kind.READS),
        ACCESSES_BLOCKED(of(I, I), Kind.READS),
        RUNTIME_BUFFER(of(I, I), Kind.READS),
        DMA_TARGET(of(I, I), Kind.READS),
        DRIVER_PREPARE(of(I, I)),
        ATTACHED(of(I, I), Kind.READS_THROUGH_CODE_UNDER_TEST),
        PCM_MMAP(of(I, I)),
        PCM_MUNMAP(ofVoid(I)),
        XFER_COPY(of(I, I, I)),
        BUFFER_ACCESS(of(I, I, I)),
        EXPORT(of(I, I, I, I, I, I, I)),
        INSTALLED_CLOEXEC(of(I), Kind.READS),
        ATTACH(of(I, I, I, I, I, I, I, I)),
        DETACH(of(I, I)),
        FOREIGN_IMPORT(of(I, I, I, I)),
        HW_FREE(ofVoid(I)),
        PREPARE(of(I, I)),
        POST_PREPARE_REVOKED(of(I, I)),
        DISCONNECT(ofVoid(I)),
        DATA_SYNC(ofVoid(I, I)),
        PROCESS(of(I, I)),
        PROCESS_EXIT(of(I, I)),
        MMAP(of(I, I, J, J, I, I)),
        MUNMAP(of(I, I)),
        MUNMAP_TAIL(of(I, I, J)),
        MAPPED_PAGE(of(J, I, J), Kind.READS),
        TOUCH_PAGE(of(J, I, J)),
        GUP(of(J, I, I)),
        UNPIN(of(I, I)),
        MAPPINGS(of(I, I), Kind.READS),
        SIGBUS(of(I, I)),
        CPU_ACCESS(of(I, I, I, I)),
        FILE_REF(of(I, I, I)),
        FILE_COUNT(of(J, I), Kind.READS),
        FILE_WRITABLE(of(I, I), Kind.READS),
        PATH_GET(of(I, I)),
        PATH_PUT(of(I, I)),
        REVOKED(of(I, I), Kind.READS),
        ORPHANED(of(I, I), Kind.READS),
        ATTACHMENTS(of(I, I), Kind.READS),
        DMA_MAPPINGS(of(I), Kind.READS),
        DMA_OVERLAPS(of(I), Kind.READS),
        LIVE_DMABUFS(of(I), Kind.READS),
        LIVE_BUFFERS(of(I), Kind.READS),
        DEVICE_REFS(of(I), Kind.READS),
        RUNTIMES(ofVoid(I, A), Kind.READS_THROUGH_CODE_UNDER_TEST),
        DMABUFS(of(I, I, A, A), Kind.READS),
        FAIL_NTH(ofVoid(I)),
        FAILED_KIND(of(A), Kind.READS),
        FAILED_SITE(of(A)),
        ACCOUNT_CHECK(of(I)),
        SCHED_START(ofVoid(I, I, J, I, I)),
        SCHED_PREFIX(ofVoid(I, I)),
        TASK_BEGIN(ofVoid(I)),
        TASK_END(ofVoid()),
        SCHED_FINISH(of(I)),
        SCHED_DECISIONS(of(I)),
        SCHED_CHOICE(of(I, I)),
        SCHED_RUNNABLE(of(I, I)),
        SCHED_STEPS(of(I)),
        SCHED_REPORT(of(A)),
        KCSAN_REPORT(of(A)),
        PCM_LOCK(ofVoid(I)),
        PCM_UNLOCK(ofVoid(I)),
        GROUP_LOCK(of(I, I, I)),
        STREAM_LOCK(of(I, I, I, I)),
        BUFFER_LOCK(of(I, I, I, I)),
        SET_STATE(of(I, I, I)),
        LOCKDEP_REPORTS(of(I)),
        LOCKDEP_REPORT(of(A, I)),
        LOCKDEP_RESET(ofVoid());

        final FunctionDescriptor descriptor;
        final Kind kind;

        Function(FunctionDescriptor descriptor) {
            this(descriptor, Kind.CHANGES);
        }

        Function(FunctionDescriptor descriptor, Kind kind) {
            this.descriptor = descriptor;
            this.kind = kind;
        }

        String symbol() {
            return "harness_" + name().toLowerCase(Locale.ROOT);
        }
    }

    final Path path;
    /** By {@link Function#ordinal()}: linked when the library loads, so a missing symbol fails there. */
    private final MethodHandle[] handles;
    /** The library's struct harness_status. */
    private final MemorySegment status;
    /** Where {@link #runtimes} has the C side write. */
    private MemorySegment runtimes = MemorySegment.NULL;
    /** Calls made so far of functions that may change the C side's state (all but those that only read). */
    private long changes;
    private HarnessDriver owner;

    private Harness(Path path) {
        this.path = path;
        SymbolLookup lookup = SymbolLookup.libraryLookup(path, Arena.global());
        Function[] functions = Function.values();
        handles = new MethodHandle[functions.length];
        for (Function f : functions) {
            handles[f.ordinal()] = LINKER.downcallHandle(lookup.find(f.symbol())
                    .orElseThrow(() -> new IllegalStateException(path + " has no symbol " + f.symbol())), f.descriptor,
                    f.kind == Kind.READS ? new Linker.Option[] {Linker.Option.critical(true)} : new Linker.Option[0]);
        }
        MemorySegment stub;
        MemorySegment bounceStub;
        try {
            MethodType fourInts = MethodType.methodType(void.class, int.class, int.class, int.class, int.class);
            MethodHandle sync = MethodHandles.lookup().findVirtual(Harness.class, "sync", fourInts).bindTo(this);
            stub = LINKER.upcallStub(sync, SYNC_FN, Arena.global());
            MethodHandle bounce = MethodHandles.lookup().findVirtual(Harness.class, "bounce", fourInts).bindTo(this);
            bounceStub = LINKER.upcallStub(bounce, BOUNCE_FN, Arena.global());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot set up " + path + ": " + e, e);
        }
        try {
            h(Function.SET_SYNC).invokeExact(stub);
        } catch (Throwable t) {
            throw failed(Function.SET_SYNC, t);
        }
        try {
            h(Function.SET_BOUNCE).invokeExact(bounceStub);
        } catch (Throwable t) {
            throw failed(Function.SET_BOUNCE, t);
        }
        try {
            status = ((MemorySegment) h(Function.STATUS).invokeExact()).reinterpret(STATUS.byteSize());
        } catch (Throwable t) {
            throw failed(Function.STATUS, t);
        }
    }

    /** The library at {@code path}, loaded once per JVM. */
    public static synchronized Harness load(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("harness library " + p + " not found");
        }
        return LOADED.computeIfAbsent(p, Harness::new);
    }

    /**
     * An instance of the library at {@code path} of its own: its C state (one kernel's worth) apart from every
     * other's, for lockstep workers that run at once, one per core. The dynamic loader loads one file once per
     * process, so this loads a copy, kept until the JVM exits: the race detector names the code under test's
     * lines from the library's file (addr2line).
     */
    public static Harness loadPrivate(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("harness library " + p + " not found");
        }
        try {
            Path copy = Files.createTempFile(ArtefactCache.dir("harness"), "private-", ".so");
            copy.toFile().deleteOnExit();
            Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
            return new Harness(copy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the harness library " + p + ": " + e.getMessage(), e);
        }
    }

    /** The library {@value #LIBRARY_PROPERTY} names. */
    public static Harness fromProperty() {
        String lib = System.getProperty(LIBRARY_PROPERTY);
        if (lib == null) {
            throw new IllegalArgumentException("no harness library: set -D" + LIBRARY_PROPERTY + "=PATH");
        }
        return load(Path.of(lib));
    }

    /**
     * The library for the CLI and the benchmarks: {@value #LIBRARY_PROPERTY}, else $PCMDMABUF_HARNESS_LIB, else the
     * shipped series' build that this module's jar carries ({@value #BUNDLED}), unpacked once into a file named
     * after its content, so that two versions of the jar never load each other's library.
     */
    public static Path defaultLibrary() {
        String lib = System.getProperty(LIBRARY_PROPERTY, System.getenv("PCMDMABUF_HARNESS_LIB"));
        return lib != null ? Path.of(lib) : unpackBundled();
    }

    /** Where the Maven build of this module puts the shipped series' library in its jar. */
    static final String BUNDLED = "/native/libpcmdmabuf-harness.so";

    private static synchronized Path unpackBundled() {
        byte[] bytes;
        try (InputStream in = Harness.class.getResourceAsStream(BUNDLED)) {
            if (in == null) {
                throw new IllegalStateException("this build carries no harness library (" + BUNDLED
                        + "): build it with ./pcmsim or ./mvnw package");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled harness library: " + e.getMessage(), e);
        }
        try {
            Path dir = ArtefactCache.dir("harness");
            Path lib = dir.resolve("libpcmdmabuf-harness-" + ArtefactCache.key(bytes) + ".so");
            if (!Files.isRegularFile(lib) || Files.size(lib) != bytes.length) {
                Path tmp = Files.createTempFile(dir, "lib", ".so.tmp");
                Files.write(tmp, bytes);
                Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return lib;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the harness library: " + e.getMessage(), e);
        }
    }

    synchronized void claim(HarnessDriver driver) {
        owner = driver;
        reset();
    }

    /**
     * {@code driver} is done: the C side forgets its objects, and this library its world, which would otherwise
     * stay reachable (buffers and all) until the next claim.
     */
    synchronized void release(HarnessDriver driver) {
        if (owner == driver) {
            owner = null;
            reset();
        }
    }

    /** Upcall of every DMA sync the C code does. */
    private void sync(int buffer, int device, int forDevice, int dir) {
        owner.dmaSync(buffer, device, forDevice != 0, dir);
    }

    /** Upcall of every swiotlb slot operation (a BOUNCE_* op) of the C's kernel. */
    private void bounce(int slot, int buffer, int device, int op) {
        owner.dmaBounce(slot, buffer, device, op);
    }

    private MethodHandle h(Function f) {
        if (f.kind == Kind.CHANGES) {
            changes++;
        }
        return handles[f.ordinal()];
    }

    /**
     * Nothing checked comes out of a downcall: a WrongMethodTypeException (a call that does not fit its
     * descriptor) is passed on as it is.
     */
    private static RuntimeException failed(Function f, Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException(f.symbol() + ": " + t, t);
    }

    /** A process number the C side has no mm for: the host's bug, never the revision's. */
    private static void refused(Function f, int errno, int proc) {
        if (errno != 0) {
            throw new IllegalStateException(f.symbol() + "(" + proc + ") answered " + errno);
        }
    }

    private static int flag(boolean b) {
        return b ? 1 : 0;
    }

    // ---- harness.h, one method per function ------------------------------------------------------------

    void reset() {
        try {
            h(Function.RESET).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.RESET, t);
        }
    }

    /** The uAPI revision the library's series implements (build.sh's HARNESS_UAPI_REV). */
    public int revision() {
        try {
            return (int) h(Function.REVISION).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.REVISION, t);
        }
    }

    /**
     * harness.h's struct harness_status, every member an int in the header's order (HarnessHeaderTest): read
     * after every hook and op, so a load where a call would cost more than the hook.
     */
    static final StructLayout STATUS = MemoryLayout.structLayout(I.withName("bugs"), I.withName("global_locks"),
            I.withName("fallible_calls"), I.withName("failed_errno"));
    private static final long BUGS = STATUS.byteOffset(MemoryLayout.PathElement.groupElement("bugs"));
    private static final long GLOBAL_LOCKS = STATUS.byteOffset(MemoryLayout.PathElement.groupElement("global_locks"));
    private static final long FALLIBLE_CALLS = STATUS.byteOffset(
            MemoryLayout.PathElement.groupElement("fallible_calls"));
    private static final long FAILED_ERRNO = STATUS.byteOffset(MemoryLayout.PathElement.groupElement("failed_errno"));

    /**
     * A count that moves with every call that may have changed the C side's state: equal at two moments, the C
     * state is what it was, whatever was only read in between.
     */
    long changes() {
        return changes;
    }

    /** Bugs the C code reported so far (WARNs, lock errors, use after free). */
    int bugs() {
        return status.get(I, BUGS);
    }

    String lastBug() {
        return string(Function.LAST_BUG, 512);
    }

    /**
     * The global locks of the C code (its static ones) that the hooks of a substream that never shared its buffer
     * took since the last call: empty for none (LIFETIME-NEVER-BLOCKED).
     */
    String globalLocks() {
        return status.get(I, GLOBAL_LOCKS) == 0 ? "" : string(Function.GLOBAL_LOCKS, 256);
    }

    /** The NUL-terminated text a harness function without arguments returns, read from at most maxBytes. */
    private String string(Function f, int maxBytes) {
        MemorySegment s;
        try {
            s = (MemorySegment) h(f).invokeExact();
        } catch (Throwable t) {
            throw failed(f, t);
        }
        return s.reinterpret(maxBytes).getString(0);
    }

    /** harness.h's HARNESS_DRIVER_*, HARNESS_CAP_* and HARNESS_BUFFER_FAKE. */
    static final int DRIVER_MANAGED = 0;
    static final int DRIVER_PREALLOC = 1;
    static final int DRIVER_FIXED = 2;
    static final int DRIVER_KEEPS_ADDR = 3;
    static final int DRIVER_DESCRIPTORS = 4;
    static final int DRIVER_PAGE = 5;
    static final int DRIVER_OWN_MMAP = 6;
    static final int CAP_EXPORT = 0x1;
    static final int CAP_ATTACH = 0x2;
    /**
     * The device's platform, carried in {@code caps}: IOVAs of an IOMMU, swiotlb bouncing, a driver whose CPU moves
     * the data of a device with a DMA mask.
     */
    static final int PLATFORM_IOMMU = 0x4;
    static final int PLATFORM_BOUNCE = 0x8;
    static final int PLATFORM_CPU_MOVES = 0x10;
    static final int BUFFER_FAKE = 0;

    /**
     * {@code stream}: SNDRV_PCM_STREAM_PLAYBACK (0) or _CAPTURE (1); {@code bufferType} an SNDRV_DMA_TYPE_* or
     * {@link #BUFFER_FAKE}; {@code driver} a DRIVER_*; {@code caps} CAP_* and PLATFORM_* bits.
     */
    int addSubstream(int sid, int device, int stream, boolean contiguous, boolean coherent, int bufferType,
            int driver, int caps) {
        try {
            return (int) h(Function.ADD_SUBSTREAM).invokeExact(sid, device, stream, flag(contiguous), flag(coherent),
                    bufferType, driver, caps);
        } catch (Throwable t) {
            throw failed(Function.ADD_SUBSTREAM, t);
        }
    }

    /** {@code state}, {@code access} and {@code info} as include/uapi/sound/asound.h numbers them. */
    int setRuntime(int sid, boolean hasRuntime, int state, int access, int info, long dmaBytes, int mmapCount,
            int bufferId, long bufferBytes, boolean contiguous) {
        try {
            return (int) h(Function.SET_RUNTIME).invokeExact(sid, flag(hasRuntime), state, access, info, dmaBytes,
                    mmapCount, bufferId, bufferBytes, flag(contiguous));
        } catch (Throwable t) {
            throw failed(Function.SET_RUNTIME, t);
        }
    }

    /** The C runtime's state, -1 without a runtime. */
    int state(int sid) {
        try {
            return (int) h(Function.STATE).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.STATE, t);
        }
    }

    int accessesBlocked(int sid) {
        try {
            return (int) h(Function.ACCESSES_BLOCKED).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.ACCESSES_BLOCKED, t);
        }
    }

    int runtimeBuffer(int sid) {
        try {
            return (int) h(Function.RUNTIME_BUFFER).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.RUNTIME_BUFFER, t);
        }
    }

    /**
     * Runs the simulated driver's prepare, which reprograms its DMA if its opt-in promised to: 0, or -EINVAL for a
     * substream without a runtime (nothing to program).
     */
    int driverPrepare(int sid) {
        try {
            return (int) h(Function.DRIVER_PREPARE).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.DRIVER_PREPARE, t);
        }
    }

    /** The buffer the simulated driver's DMA runs on, where it programmed it: an id, 0 for none, -1 unknown. */
    int dmaTarget(int sid) {
        try {
            return (int) h(Function.DMA_TARGET).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.DMA_TARGET, t);
        }
    }

    boolean attached(int sid) {
        try {
            return (int) h(Function.ATTACHED).invokeExact(sid) != 0;
        } catch (Throwable t) {
            throw failed(Function.ATTACHED, t);
        }
    }

    /** An mmap of the substream's PCM data through the series' hook: 0 or -EBUSY. */
    int pcmMmap(int sid) {
        try {
            return (int) h(Function.PCM_MMAP).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.PCM_MMAP, t);
        }
    }

    /**
     * A transfer's copy of one chunk, {@code begin} and end: runtime->buffer_accessing raised (0, or -EBUSY while
     * a buffer operation holds the accesses blocked) and lowered.
     */
    int xferCopy(int sid, boolean begin) {
        try {
            return (int) h(Function.XFER_COPY).invokeExact(sid, flag(begin));
        } catch (Throwable t) {
            throw failed(Function.XFER_COPY, t);
        }
    }

    /** The PCM core's own snd_pcm_buffer_access_lock(), {@code lock} and unlock: 0, or -EBUSY while a transfer copies. */
    int bufferAccess(int sid, boolean lock) {
        try {
            return (int) h(Function.BUFFER_ACCESS).invokeExact(sid, flag(lock));
        } catch (Throwable t) {
            throw failed(Function.BUFFER_ACCESS, t);
        }
    }

    void pcmMunmap(int sid) {
        try {
            h(Function.PCM_MUNMAP).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.PCM_MUNMAP, t);
        }
    }

    /**
     * EXPORT on a PCM file open for writing ({@code pcmWritable}) or read-only, with {@code arg} (revision 2;
     * revision 1 takes none): the dma-buf's id, or -errno.
     */
    int export(int sid, DmabufArg arg, boolean pcmWritable) {
        try {
            return (int) h(Function.EXPORT).invokeExact(sid, arg.flags(), arg.reservedWord(), arg.reserved(),
                    argPointer(arg), flag(pcmWritable));
        } catch (Throwable t) {
            throw failed(Function.EXPORT, t);
        }
    }

    /** harness.h's HARNESS_ARG_*: what an EXPORT's or ATTACH's argument pointer reaches. */
    static final int ARG_MAPPED = 0;
    static final int ARG_UNMAPPED = 1;
    static final int ARG_READONLY = 2;

    private static int argPointer(DmabufArg arg) {
        return switch (arg.pointer()) {
            case MAPPED -> ARG_MAPPED;
            case UNMAPPED -> ARG_UNMAPPED;
            case READ_ONLY -> ARG_READONLY;
        };
    }

    /** Whether the fd the last EXPORT installed was reserved with O_CLOEXEC. */
    boolean installedCloexec() {
        try {
            return (int) h(Function.INSTALLED_CLOEXEC).invokeExact() != 0;
        } catch (Throwable t) {
            throw failed(Function.INSTALLED_CLOEXEC, t);
        }
    }

    /**
     * {@code target}: what {@code fd} is, a dma-buf id or harness.h's HARNESS_FD_NONE or HARNESS_FD_OTHER;
     * {@code arg}: the rest of revision 2's argument.
     */
    int attach(int sid, int fd, int target, DmabufArg arg) {
        try {
            return (int) h(Function.ATTACH).invokeExact(sid, fd, target, arg.flags(), arg.reservedWord(),
                    arg.reserved(), argPointer(arg));
        } catch (Throwable t) {
            throw failed(Function.ATTACH, t);
        }
    }

    /**
     * Another driver's import of the dma-buf behind {@code fd} ({@code target} as {@link #attach} has it): its
     * device, with a DMA mask if {@code dmaMask}, attaches, maps and lets go.
     */
    int foreignImport(int fd, int target, boolean dmaMask) {
        try {
            return (int) h(Function.FOREIGN_IMPORT).invokeExact(fd, target, flag(dmaMask));
        } catch (Throwable t) {
            throw failed(Function.FOREIGN_IMPORT, t);
        }
    }

    int detach(int sid) {
        try {
            return (int) h(Function.DETACH).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.DETACH, t);
        }
    }

    void hwFree(int sid) {
        try {
            h(Function.HW_FREE).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.HW_FREE, t);
        }
    }

    int prepare(int sid) {
        try {
            return (int) h(Function.PREPARE).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.PREPARE, t);
        }
    }

    /** snd_pcm_dmabuf_revoked() as snd_pcm_post_prepare() asks it: 1 or 0, -ENOENT (-2) without the hook. */
    int postPrepareRevoked(int sid) {
        try {
            return (int) h(Function.POST_PREPARE_REVOKED).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.POST_PREPARE_REVOKED, t);
        }
    }

    void disconnect(int sid) {
        try {
            h(Function.DISCONNECT).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.DISCONNECT, t);
        }
    }

    /** A shared mapping, PROT_WRITE when {@code write}: 0 or -errno. */
    /** The PCM core's sync of the data it wrote ({@code forDevice}) or will read: snd_pcm_data_sync(). */
    void dataSync(int sid, boolean forDevice) {
        try {
            h(Function.DATA_SYNC).invokeExact(sid, flag(forDevice));
        } catch (Throwable t) {
            throw failed(Function.DATA_SYNC, t);
        }
    }

    /** A shared mapping of dma-buf {@code id}: its handle (positive), or -errno. */
    int mmap(int id, long pgoff, long pages, boolean write, boolean shared) {
        try {
            return (int) h(Function.MMAP).invokeExact(id, pgoff, pages, flag(write), flag(shared));
        } catch (Throwable t) {
            throw failed(Function.MMAP, t);
        }
    }

    /** Processes whose mm the C side keeps apart ({@link #process}). */
    static final int MAX_PROCS = 64;

    /**
     * The process of the next syscalls outside a group, 0 to {@link #MAX_PROCS} - 1: the mm their mappings are
     * made in and whose mmap_lock they take, which the C code records. A task of a group keeps its own.
     */
    void process(int proc) {
        try {
            refused(Function.PROCESS, (int) h(Function.PROCESS).invokeExact(proc), proc);
        } catch (Throwable t) {
            throw failed(Function.PROCESS, t);
        }
    }

    /** exit_mm() of process {@code proc}, whose mappings are gone: its mm has no users any more. */
    void processExit(int proc) {
        try {
            refused(Function.PROCESS_EXIT, (int) h(Function.PROCESS_EXIT).invokeExact(proc), proc);
        } catch (Throwable t) {
            throw failed(Function.PROCESS_EXIT, t);
        }
    }

    /** munmap of the mapping {@link #mmap} answered {@code handle} for: vm_ops->close, out of the file's i_mmap. */
    int munmap(int handle) {
        try {
            return (int) h(Function.MUNMAP).invokeExact(handle);
        } catch (Throwable t) {
            throw failed(Function.MUNMAP, t);
        }
    }

    /** munmap of mapping {@code handle} from page {@code keep} on: the split's vm_ops->open, the tail's close. */
    int munmapTail(int handle, long keep) {
        try {
            return (int) h(Function.MUNMAP_TAIL).invokeExact(handle, keep);
        } catch (Throwable t) {
            throw failed(Function.MUNMAP_TAIL, t);
        }
    }

    /**
     * What page {@code index} of mapping {@code handle} maps, without faulting: the C buffer id in the high 32
     * bits and the page of that buffer in the low ones; -ENOENT (-2) when its page table entry is empty, another
     * negative errno when the C side has no such page.
     */
    long mappedPage(int handle, long index) {
        try {
            return (long) h(Function.MAPPED_PAGE).invokeExact(handle, index);
        } catch (Throwable t) {
            throw failed(Function.MAPPED_PAGE, t);
        }
    }

    /** A CPU access to page {@code index} of mapping {@code handle}, faulting it in, then {@link #mappedPage}. */
    long touchPage(int handle, long index) {
        try {
            return (long) h(Function.TOUCH_PAGE).invokeExact(handle, index);
        } catch (Throwable t) {
            throw failed(Function.TOUCH_PAGE, t);
        }
    }

    /**
     * get_user_pages() of every page of mapping {@code handle} ({@code write}: FOLL_WRITE), as vmsplice(2) takes
     * them: the pages pinned, or -errno; the pins outlive the mapping until {@link #unpin}.
     */
    long gup(int handle, boolean write) {
        try {
            return (long) h(Function.GUP).invokeExact(handle, flag(write));
        } catch (Throwable t) {
            throw failed(Function.GUP, t);
        }
    }

    /** The release of every pin {@link #gup} took through mapping {@code handle}: how many, -EINVAL for none. */
    int unpin(int handle) {
        try {
            return (int) h(Function.UNPIN).invokeExact(handle);
        } catch (Throwable t) {
            throw failed(Function.UNPIN, t);
        }
    }

    /** The dma-buf file's mappings the C side knows (its i_mmap), -1 once the C code freed it. */
    int mappings(int id) {
        try {
            return (int) h(Function.MAPPINGS).invokeExact(id);
        } catch (Throwable t) {
            throw failed(Function.MAPPINGS, t);
        }
    }

    /** Of those, the ones a CPU access through would get SIGBUS (zapped, and the fault handler gives no page). */
    int sigbus(int id) {
        try {
            return (int) h(Function.SIGBUS).invokeExact(id);
        } catch (Throwable t) {
            throw failed(Function.SIGBUS, t);
        }
    }

    /** {@code dir}: enum dma_data_direction. */
    int cpuAccess(int id, boolean begin, int dir) {
        try {
            return (int) h(Function.CPU_ACCESS).invokeExact(id, flag(begin), dir);
        } catch (Throwable t) {
            throw failed(Function.CPU_ACCESS, t);
        }
    }

    int fileRef(int id, boolean get) {
        try {
            return (int) h(Function.FILE_REF).invokeExact(id, flag(get));
        } catch (Throwable t) {
            throw failed(Function.FILE_REF, t);
        }
    }

    /** The reference count of the dma-buf's file, -1 once the C code freed it. */
    long fileCount(int id) {
        try {
            return (long) h(Function.FILE_COUNT).invokeExact(id);
        } catch (Throwable t) {
            throw failed(Function.FILE_COUNT, t);
        }
    }

    /** Whether the dma-buf's file has FMODE_WRITE; -1 once the C code freed it. */
    int fileWritable(int id) {
        try {
            return (int) h(Function.FILE_WRITABLE).invokeExact(id);
        } catch (Throwable t) {
            throw failed(Function.FILE_WRITABLE, t);
        }
    }

    /**
     * A path reference to the dma-buf's dentry, as an O_PATH open of /proc/PID/fd/N holds: its handle, or
     * -errno.
     */
    int pathGet(int id) {
        try {
            return (int) h(Function.PATH_GET).invokeExact(id);
        } catch (Throwable t) {
            throw failed(Function.PATH_GET, t);
        }
    }

    /** Drops the path reference {@link #pathGet} gave: the dentry's dput(), d_release at the last. */
    int pathPut(int handle) {
        try {
            return (int) h(Function.PATH_PUT).invokeExact(handle);
        } catch (Throwable t) {
            throw failed(Function.PATH_PUT, t);
        }
    }

    /** The patch's revoked flag (revision 2; 0 on revision 1); -1 once the C code freed it. */
    int revoked(int id) {
        try {
            return (int) h(Function.REVOKED).invokeExact(id);
        } catch (Throwable t) {
            throw failed(Function.REVOKED, t);
        }
    }

    int orphaned(int id) {
        try {
            return (int) h(Function.ORPHANED).invokeExact(id);
        } catch (Throwable t) {
            throw failed(Function.ORPHANED, t);
        }
    }

    int attachments(int id) {
        try {
            return (int) h(Function.ATTACHMENTS).invokeExact(id);
        } catch (Throwable t) {
            throw failed(Function.ATTACHMENTS, t);
        }
    }

    /** Live streaming DMA mappings, as kernel/dma/debug.c counts them. */
    int dmaMappings() {
        try {
            return (int) h(Function.DMA_MAPPINGS).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.DMA_MAPPINGS, t);
        }
    }

    /** Of those, the ones of memory the device owns already (dma-debug's overlaps). */
    int dmaOverlaps() {
        try {
            return (int) h(Function.DMA_OVERLAPS).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.DMA_OVERLAPS, t);
        }
    }

    int liveDmabufs() {
        try {
            return (int) h(Function.LIVE_DMABUFS).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.LIVE_DMABUFS, t);
        }
    }

    /**
     * For every substream id below {@code out.length / 2}: {@code out[2 * id]} the buffer its runtime's DMA uses
     * ({@link #runtimeBuffer}), {@code out[2 * id + 1]} 1 if a dma-buf is attached ({@link #attached}).
     */
    void runtimes(int[] out) {
        // runs the code under test, so not critical: the answer comes through native memory, kept for the next
        if (runtimes.byteSize() < I.byteSize() * out.length) {
            runtimes = Arena.ofAuto().allocate(I, Math.max(out.length, 64));
        }
        try {
            h(Function.RUNTIMES).invokeExact(out.length / 2, runtimes);
        } catch (Throwable t) {
            throw failed(Function.RUNTIMES, t);
        }
        MemorySegment.copy(runtimes, I, 0, out, 0, out.length);
    }

    /**
     * For each dma-bufs of {@code ids}: {@code out[3 * i]} its file count ({@link #fileCount}), {@code out[3 * i + 1]}
     * orphaned ({@link #orphaned}), {@code out[3 * i + 2]} its attachments ({@link #attachments}); returns the live
     * dma-bufs ({@link #liveDmabufs}).
     */
    int dmabufs(int[] ids, long[] out) {
        try {
            return (int) h(Function.DMABUFS).invokeExact(ids.length, MemorySegment.ofArray(ids),
                    MemorySegment.ofArray(out));
        } catch (Throwable t) {
            throw failed(Function.DMABUFS, t);
        }
    }

    int liveBuffers() {
        try {
            return (int) h(Function.LIVE_BUFFERS).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.LIVE_BUFFERS, t);
        }
    }

    int deviceRefs() {
        try {
            return (int) h(Function.DEVICE_REFS).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.DEVICE_REFS, t);
        }
    }

    // ---- fault injection and accounting ------------------------------------------------------------

    /** Fail-nth: the {@code nth} fallible call of the code under test from now fails, once; 0 fails none. */
    void failNth(int nth) {
        try {
            h(Function.FAIL_NTH).invokeExact(nth);
        } catch (Throwable t) {
            throw failed(Function.FAIL_NTH, t);
        }
    }

    /** The fallible calls the code under test made since the last {@link #failNth}. */
    int fallibleCalls() {
        return status.get(I, FALLIBLE_CALLS);
    }

    /** The -errno the call made to fail means, 0 when none failed since the last {@link #failNth}. */
    int failedErrno() {
        return status.get(I, FAILED_ERRNO);
    }

    /** The kernel function made to fail, empty when none. */
    String failedKind() {
        return string(Function.FAILED_KIND, 256);
    }

    /** Where the code under test called it ({@code sound/core/pcm_dmabuf.c:325}), empty when none. */
    String failedSite() {
        return string(Function.FAILED_SITE, 256);
    }

    /** Reports every object the code under test still holds as a leak; how many. */
    int accountCheck() {
        try {
            return (int) h(Function.ACCOUNT_CHECK).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.ACCOUNT_CHECK, t);
        }
    }

    // ---- kernel tasks under the seeded scheduler, and the lock-order graph (harness.h's last block) ------

    /** harness.h's HARNESS_SCHED_* policies and harness_sched_finish() bits. */
    static final int SCHED_FIRST = 0;
    static final int SCHED_PCT = 1;
    static final int SCHED_DEADLOCK = 0x1;
    static final int SCHED_DIVERGED = 0x2;
    static final int SCHED_TRUNCATED = 0x4;
    static final int SCHED_RACE = 0x8;

    void schedStart(int tasks, int policy, long seed, int depth, int steps) {
        try {
            h(Function.SCHED_START).invokeExact(tasks, policy, seed, depth, steps);
        } catch (Throwable t) {
            throw failed(Function.SCHED_START, t);
        }
    }

    void schedPrefix(int decision, int task) {
        try {
            h(Function.SCHED_PREFIX).invokeExact(decision, task);
        } catch (Throwable t) {
            throw failed(Function.SCHED_PREFIX, t);
        }
    }

    /** Called by the thread of kernel task {@code task}: returns when the scheduler lets it run. */
    void taskBegin(int task) {
        try {
            h(Function.TASK_BEGIN).invokeExact(task);
        } catch (Throwable t) {
            throw failed(Function.TASK_BEGIN, t);
        }
    }

    void taskEnd() {
        try {
            h(Function.TASK_END).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.TASK_END, t);
        }
    }

    /** The group's end: SCHED_* bits of what went wrong, 0 for nothing. */
    int schedFinish() {
        try {
            return (int) h(Function.SCHED_FINISH).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.SCHED_FINISH, t);
        }
    }

    int schedDecisions() {
        try {
            return (int) h(Function.SCHED_DECISIONS).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.SCHED_DECISIONS, t);
        }
    }

    int schedChoice(int decision) {
        try {
            return (int) h(Function.SCHED_CHOICE).invokeExact(decision);
        } catch (Throwable t) {
            throw failed(Function.SCHED_CHOICE, t);
        }
    }

    /** The tasks that could run at a decision, one bit each. */
    int schedRunnable(int decision) {
        try {
            return (int) h(Function.SCHED_RUNNABLE).invokeExact(decision);
        } catch (Throwable t) {
            throw failed(Function.SCHED_RUNNABLE, t);
        }
    }

    /** Scheduling points of the group so far, decisions or not: PCT's number of steps. */
    int schedSteps() {
        try {
            return (int) h(Function.SCHED_STEPS).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.SCHED_STEPS, t);
        }
    }

    /** The deadlock's wait-for cycle, or why a schedule did not fit; empty for neither. */
    String schedReport() {
        return string(Function.SCHED_REPORT, 1024);
    }

    /** The group's first data race (shim/src/kernel/kcsan/core.c): both accesses, each task's and line. */
    String kcsanReport() {
        return string(Function.KCSAN_REPORT, 1536);
    }

    /** runtime->buffer_mutex of the substream: the PCM core's lock around what it calls the patch with. */
    void pcmLock(int sid) {
        try {
            h(Function.PCM_LOCK).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.PCM_LOCK, t);
        }
    }

    void pcmUnlock(int sid) {
        try {
            h(Function.PCM_UNLOCK).invokeExact(sid);
        } catch (Throwable t) {
            throw failed(Function.PCM_UNLOCK, t);
        }
    }

    /**
     * The locks of a linked trigger action (snd_pcm_action_group()): group {@code gid}'s lock, a substream's stream
     * lock or its runtime->buffer_mutex with lockdep subclass {@code subclass}, taken ({@code lock}) or released.
     */
    void groupLock(int gid, boolean lock) {
        int r;
        try {
            r = (int) h(Function.GROUP_LOCK).invokeExact(gid, lock ? 1 : 0);
        } catch (Throwable t) {
            throw failed(Function.GROUP_LOCK, t);
        }
        checked(Function.GROUP_LOCK, r);
    }

    void streamLock(int sid, int subclass, boolean lock) {
        int r;
        try {
            r = (int) h(Function.STREAM_LOCK).invokeExact(sid, subclass, lock ? 1 : 0);
        } catch (Throwable t) {
            throw failed(Function.STREAM_LOCK, t);
        }
        checked(Function.STREAM_LOCK, r);
    }

    void bufferLock(int sid, int subclass, boolean lock) {
        int r;
        try {
            r = (int) h(Function.BUFFER_LOCK).invokeExact(sid, subclass, lock ? 1 : 0);
        } catch (Throwable t) {
            throw failed(Function.BUFFER_LOCK, t);
        }
        checked(Function.BUFFER_LOCK, r);
    }

    /** The state a linked action's post-action gives the substream (__snd_pcm_set_state()). */
    void setState(int sid, int state) {
        int r;
        try {
            r = (int) h(Function.SET_STATE).invokeExact(sid, state);
        } catch (Throwable t) {
            throw failed(Function.SET_STATE, t);
        }
        checked(Function.SET_STATE, r);
    }

    /** A negative answer of a call the host makes only with ids it gave: a broken harness. */
    private static void checked(Function f, int r) {
        if (r < 0) {
            throw new IllegalStateException(f.symbol()
                    + " failed: errno " + -r);
        }
    }

    int lockdepReports() {
        try {
            return (int) h(Function.LOCKDEP_REPORTS).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.LOCKDEP_REPORTS, t);
        }
    }

    String lockdepReport(int i) {
        MemorySegment s;
        try {
            s = (MemorySegment) h(Function.LOCKDEP_REPORT).invokeExact(i);
        } catch (Throwable t) {
            throw failed(Function.LOCKDEP_REPORT, t);
        }
        return s.reinterpret(768).getString(0);
    }

    void lockdepReset() {
        try {
            h(Function.LOCKDEP_RESET).invokeExact();
        } catch (Throwable t) {
            throw failed(Function.LOCKDEP_RESET, t);
        }
    }
}
