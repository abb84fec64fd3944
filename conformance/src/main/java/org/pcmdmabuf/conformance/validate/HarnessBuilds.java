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
import org.pcmdmabuf.conformance.harness.ArtefactCache;

/**
 * Harness builds kept by what they were built from, so that validating a revision again (or the same revision
 * in another test, or a mutant met before) skips its compile. The key is a SHA-256 of every file of the series
 * folder and of kernel-patch/harness/ (build.sh, harness.c, the shims; a link by its target and the file it names),
 * the variant, and the versions of the compiler, the linker, git and the C library; a file that changes, appears or
 * goes is a new key. build.sh runs with no git configuration and in the root folder, so that the user's settings
 * and working folder do not reach the build. Only the products build.sh made in the sandbox are kept, and only by
 * this trusted side, after the build passed, and only through folders that are no links: the revision's compile
 * cannot write here, and a build that failed is never kept, so it fails again. A build made without the sandbox is
 * not kept ({@link Validation}).
 *
 * <p>gcov's builds are not kept: their notes file and the counts their processes write are tied to the folder
 * they were built in. A kept build reports the scratch folder of its first build in UBSan's locations, which
 * {@link SanitizerReport} leaves out as it leaves out its own (build.sh maps the folder away everywhere else).
 *
 * <p>{@link #rebuilding} compiles every build and replaces what was kept. At most {@link #KEEP} builds are kept;
 * a look-up that finds one makes it the newest, and storing one more removes the oldest. Entries come and go by an
 * atomic rename (published from a staging folder, removed into one before they are deleted), so two validations
 * storing, reading or pruning the same key at once each see a whole entry or none; an entry missing a product is
 * replaced by the next build of its key. The cache is an optimisation: any failure of it means a compile.
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

    /** The builds kept under {@code root}. */
    public HarnessBuilds(Path root) {
        this(root, KEEP, false);
    }

    /** The builds validate and mutate keep: {@link #CACHE} of the artefact cache. */
    public static HarnessBuilds inArtefactCache() throws IOException {
        return new HarnessBuilds(ArtefactCache.dir(CACHE));
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
        if (!whole(entry, products)) {
            return false;
        }
        for (String p : products) {
            // the plain build, run before, may have left links where the ASan wrapper goes
            if (!noLinkOnTheWay(out, p)) {
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
        if (!whole(out, products)) {
            return;
        }
        Files.createDirectories(root);
        boolean kept = Files.isDirectory(root.resolve(key), LinkOption.NOFOLLOW_LINKS);
        if (kept && !rebuilding && whole(root.resolve(key), products)) {
            return;
        }
        Path staging = Files.createTempDirectory(root, ".staging-");
        try {
            for (String p : products) {
                Path to = staging.resolve(p);
                Files.createDirectories(to.getParent());
                Files.copy(out.resolve(p), to, StandardCopyOption.COPY_ATTRIBUTES);
            }
            if (kept) {
                // replaced (--rebuild, or an entry missing a product): a rename does not replace a folder with files
                remove(root.resolve(key));
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

    /** Every product a regular file in {@code dir}, reached through no link. */
    private static boolean whole(Path dir, List<String> products) {
        for (String p : products) {
            if (!noLinkOnTheWay(dir, p) || !Files.isRegularFile(dir.resolve(p), LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
        }
        return true;
    }

    /** No folder on the way from {@code dir} to its {@code product}, nor the product, is a symbolic link. */
    private static boolean noLinkOnTheWay(Path dir, String product) {
        Path at = dir;
        for (Path part : Path.of(product)) {
            at = at.resolve(part);
            if (Files.isSymbolicLink(at)) {
                return false;
            }
        }
        return true;
    }

    /** Takes {@code entry} out of the cache at once (a rename), then deletes it. */
    private void remove(Path entry) throws IOException {
        Path away = Files.createTempDirectory(root, ".removed-");
        try {
            Files.move(entry, away.resolve("entry"), StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            // another validation removed it first
        } finally {
            delete(away);
        }
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
            remove(old);
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
        try {
            FileTrees.delete(p);
        } catch (NoSuchFileException | UncheckedIOException e) {
            // removed by another validation's pruning meanwhile
        }
    }

    /**
     * The versions of the tools build.sh runs, asked once: the compiler ({@code cc} of the same PATH) and linker,
     * git, which applies the series, and the C library, whose headers the shims include.
     */
    private synchronized String compiler() throws IOException, InterruptedException {
        if (compiler == null) {
            compiler = version("cc") + version("ld") + version("git") + version("ldd");
        }
        return compiler;
    }

    private static String version(String tool) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
        // a few lines, which the pipe holds: read once the tool ended, so that the timeout holds
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(tool + " --version did not end");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(tool + " --version failed: " + out.strip());
        }
        return out;
    }

    /**
     * Every file under {@code dir} (the folder a link names, if it is one) by its path and content; a link by its
     * target and, when that is a file, the file's content, which is what git apply and the compiler read.
     */
    private static void tree(MessageDigest all, String name, Path given) throws IOException {
        Path dir = given.toRealPath();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        for (Path f : files) {
            text(all, name + "/" + dir.relativize(f) + "\0");
            if (Files.isSymbolicLink(f)) {
                text(all, "link " + Files.readSymbolicLink(f) + "\0");
            }
            if (Files.isRegularFile(f)) {
                MessageDigest one = sha256();
                one.update(Files.readAllBytes(f));
                all.update(one.digest());
            } else {
                text(all, "not a file\0");
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
