package org.pcmdmabuf.conformance.validate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Harness builds kept by what they were built from, so that validating a revision again (or the same revision
 * in another test, or a mutant met before) skips its compile. The key is a SHA-256 of everything build.sh and the
 * compiler read: every file of the series folder and of kernel-patch/harness/ (build.sh, harness.c, the shims),
 * the variant, and the versions of the compiler, git and the C library; a file that changes, appears or goes is
 * a new key. Only the
 * products build.sh made in the sandbox are kept, and only by this trusted side, after the build passed: the
 * revision's compile cannot write here, and a build that failed is never kept, so it fails again.
 *
 * <p>gcov's builds are not kept: their notes file and the counts their processes write are tied to the folder
 * they were built in. A kept build reports the scratch folder of its first build in UBSan's locations, which
 * {@link SanitizerReport} leaves out as it leaves out its own (build.sh maps the folder away everywhere else).
 *
 * <p>{@link #rebuilding} compiles every build and replaces what was kept. At most {@link #KEEP} builds are kept; a look-up that finds one makes it the newest, and storing one more
 * removes the oldest. Entries are published by an atomic rename, so two validations storing or reading the same
 * key at once each see a whole entry or none.
 */
public final class HarnessBuilds {
    /** Builds kept; a full mutation campaign of the shipped series makes some 500 (about 0.5 MB each). */
    static final int KEEP = 1_000;
    /** The artefact cache's folder of them. */
    public static final String CACHE = "harness-builds";
    private static final String LIB = "libpcmdmabuf-harness";
    private static final String ASAN_JAVA = "asan-jvm/bin/java";

    private final Path root;
    private final int keep;
    /** Restores nothing and replaces what it stores: validate's {@code --rebuild}. */
    private final boolean rebuilding;
    private String compiler;

    /** The builds kept under {@code root} (validate's: {@code harness-builds} of the artefact cache). */
    public HarnessBuilds(Path root) {
        this(root, KEEP, false);
    }

    HarnessBuilds(Path root, int keep, boolean rebuilding) {
        this.root = root;
        this.keep = keep;
        this.rebuilding = rebuilding;
    }

    /** The same cache, but every build is compiled and replaces the one kept under its key. */
    public HarnessBuilds rebuilding() {
        return new HarnessBuilds(root, keep, true);
    }

    /** Whether build.sh's {@code variant} (null: the plain one) is kept at all. */
    static boolean keeps(String variant) {
        return variant == null || !variant.contains("coverage");
    }

    /** The library build.sh names for {@code variant} in its output folder. */
    public static String library(String variant) {
        return LIB + (variant == null ? "" : "-" + variant) + ".so";
    }

    /** The key of {@code variant}'s build of {@code series} with the harness of {@code harness}. */
    public String key(Path series, Path harness, String variant) throws IOException, InterruptedException {
        MessageDigest all = sha256();
        text(all, "pcm-dmabuf harness build 1\n" + (variant == null ? "plain" : variant) + "\n" + compiler() + "\n");
        tree(all, "series", series);
        tree(all, "harness", harness);
        return HexFormat.of().formatHex(all.digest(), 0, 16);
    }

    /** Copies the build kept under {@code key} into {@code out} as build.sh leaves it; false when none is kept. */
    public boolean restore(String key, String variant, Path out) throws IOException {
        if (rebuilding) {
            return false;
        }
        Path entry = root.resolve(key);
        List<String> products = products(variant);
        for (String p : products) {
            if (!Files.isRegularFile(entry.resolve(p), LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
        }
        try {
            for (String p : products) {
                Path to = out.resolve(p);
                Files.createDirectories(to.getParent());
                Files.copy(entry.resolve(p), to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            }
            Files.setLastModifiedTime(entry, FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // removed by another validation's pruning meanwhile: build it
            return false;
        }
        return true;
    }

    /** Keeps what build.sh made in {@code out} under {@code key}; nothing when a product is missing. */
    public void store(String key, String variant, Path out) throws IOException {
        List<String> products = products(variant);
        for (String p : products) {
            if (!Files.isRegularFile(out.resolve(p), LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
        }
        Files.createDirectories(root);
        if (Files.isDirectory(root.resolve(key)) && !rebuilding) {
            return;
        }
        Path staging = Files.createTempDirectory(root, ".staging-");
        try {
            for (String p : products) {
                Path to = staging.resolve(p);
                Files.createDirectories(to.getParent());
                Files.copy(out.resolve(p), to, StandardCopyOption.COPY_ATTRIBUTES);
            }
            if (rebuilding) {
                // out of the way first: a rename does not replace a folder that has files
                Path old = Files.createTempDirectory(root, ".replaced-");
                try {
                    Files.move(root.resolve(key), old.resolve(key), StandardCopyOption.ATOMIC_MOVE);
                } catch (NoSuchFileException e) {
                    // nothing kept under the key
                } finally {
                    delete(old);
                }
            }
            try {
                Files.move(staging, root.resolve(key), StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                // another validation kept the same build first
            }
        } finally {
            delete(staging);
        }
        prune();
    }

    private static List<String> products(String variant) {
        return variant != null && variant.contains("asan") ? List.of(library(variant), ASAN_JAVA)
                : List.of(library(variant));
    }

    /**
     * Removes all but the {@link #keep} newest entries, and what a validation that was killed while it stored one
     * left staged a day ago or more.
     */
    private void prune() throws IOException {
        List<Path> entries = new ArrayList<>();
        FileTime dayAgo = FileTime.fromMillis(System.currentTimeMillis() - TimeUnit.DAYS.toMillis(1));
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().startsWith(".")) {
                    entries.add(p);
                } else if (modified(p).compareTo(dayAgo) < 0) {
                    delete(p);
                }
            }
        }
        if (entries.size() <= keep) {
            return;
        }
        entries.sort(Comparator.comparing(HarnessBuilds::modified).reversed());
        for (Path old : entries.subList(keep, entries.size())) {
            delete(old);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (UncheckedIOException e) {
            // an entry removed by another validation's pruning meanwhile
        }
    }

    /**
     * The versions of the tools build.sh runs, asked once: the compiler ({@code cc} of the same PATH), git, which
     * applies the series, and the C library, whose headers the shims include.
     */
    private synchronized String compiler() throws IOException, InterruptedException {
        if (compiler == null) {
            compiler = version("cc") + version("git") + version("ldd");
        }
        return compiler;
    }

    private static String version(String tool) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(tool + " --version failed: " + new String(out, StandardCharsets.UTF_8).strip());
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Every file under {@code dir} by its path, a link by its target, in one order. */
    private static void tree(MessageDigest all, String name, Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        for (Path f : files) {
            text(all, name + "/" + dir.relativize(f) + "\0");
            if (Files.isSymbolicLink(f)) {
                text(all, "link " + Files.readSymbolicLink(f) + "\0");
            } else {
                MessageDigest one = sha256();
                one.update(Files.readAllBytes(f));
                all.update(one.digest());
            }
        }
    }

    private static void text(MessageDigest d, String s) {
        d.update(s.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }
}
