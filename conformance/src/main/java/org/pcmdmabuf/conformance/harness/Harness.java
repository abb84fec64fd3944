package org.pcmdmabuf.conformance.harness;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

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

    final Path path;
    private final SymbolLookup lookup;
    private final Map<String, MethodHandle> handles = new HashMap<>();
    /** By function name: its handle taking its arguments as an Object[] and answering an Object. */
    private final Map<String, MethodHandle> spreaders = new HashMap<>();
    private HarnessDriver owner;

    private Harness(Path path) {
        this.path = path;
        this.lookup = SymbolLookup.libraryLookup(path, Arena.global());
        try {
            MethodHandle sync = MethodHandles.lookup().findVirtual(Harness.class, "sync",
                    MethodType.methodType(void.class, int.class, int.class, int.class, int.class)).bindTo(this);
            MemorySegment stub = LINKER.upcallStub(sync, FunctionDescriptor.ofVoid(I, I, I, I), Arena.global());
            handle("harness_set_sync", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS)).invokeExact(stub);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot set up " + path + ": " + t, t);
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
        callVoid("harness_reset");
    }

    /** Upcall of every DMA sync the C code does. */
    private void sync(int buffer, int device, int forDevice, int dir) {
        owner.dmaSync(buffer, device, forDevice != 0, dir);
    }

    private MethodHandle handle(String name, FunctionDescriptor fd) {
        return handles.computeIfAbsent(name, n -> LINKER.downcallHandle(lookup.find(n)
                .orElseThrow(() -> new IllegalStateException(path + " has no symbol " + n)), fd));
    }

    /**
     * Calls {@code name} with int/long arguments (a Long is a C long, anything else an int), its result
     * {@code result} (null: void); returns its int or long result, 0 for void. A function is always called
     * with the same types, so its handle, made at the first call, is kept spread over an Object[]: the
     * differential test calls here several times per op, and invokeWithArguments adapts the handle every time.
     */
    private long call(String name, ValueLayout result, Object[] args) {
        MethodHandle h = spreaders.get(name);
        if (h == null) {
            ValueLayout[] layouts = new ValueLayout[args.length];
            for (int i = 0; i < args.length; i++) {
                layouts[i] = args[i] instanceof Long ? J : I;
            }
            FunctionDescriptor fd = result == null ? FunctionDescriptor.ofVoid(layouts)
                    : FunctionDescriptor.of(result, layouts);
            h = handle(name, fd).asSpreader(Object[].class, args.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
            spreaders.put(name, h);
        }
        try {
            Object r = (Object) h.invokeExact(args);
            return r == null ? 0 : ((Number) r).longValue();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(name + ": " + t, t);
        }
    }

    int callInt(String name, Object... args) {
        return (int) call(name, I, args);
    }

    long callLong(String name, Object... args) {
        return call(name, J, args);
    }

    void callVoid(String name, Object... args) {
        call(name, null, args);
    }

    String lastBug() {
        MemorySegment s = (MemorySegment) callAddress("harness_last_bug");
        return s.reinterpret(512).getString(0);
    }

    private Object callAddress(String name) {
        try {
            return handle(name, FunctionDescriptor.of(ValueLayout.ADDRESS)).invoke();
        } catch (Throwable t) {
            throw new IllegalStateException(name + ": " + t, t);
        }
    }
}
