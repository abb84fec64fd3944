package org.pcmdmabuf.conformance.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache of harness builds: what makes a new key, what is restored, what is never kept. */
class HarnessBuildsTest {
    @TempDir
    Path tmp;
    Path series;
    Path harness;
    HarnessBuilds builds;

    @BeforeEach
    void inputs() throws IOException {
        series = Files.createDirectories(tmp.resolve("series"));
        Files.writeString(series.resolve("0001-a.patch"), "diff --git a/x b/x\n");
        Files.writeString(series.resolve("0002-b.patch"), "diff --git a/y b/y\n");
        harness = Files.createDirectories(tmp.resolve("harness/shim/linux"));
        harness = tmp.resolve("harness");
        Files.writeString(harness.resolve("build.sh"), "#!/bin/sh\n");
        Files.writeString(harness.resolve("harness.c"), "int x;\n");
        Files.writeString(harness.resolve("shim/linux/slab.h"), "#define X 1\n");
        builds = new HarnessBuilds(tmp.resolve("cache"));
    }

    private String key(String variant) throws Exception {
        return builds.key(series, harness, variant);
    }

    @Test
    void everyInputMakesItsOwnKey() throws Exception {
        Set<String> keys = new HashSet<>();
        String first = key(null);
        assertEquals(first, key(null), "the same inputs, the same key");
        keys.add(first);
        keys.add(key("asan"));
        Files.writeString(series.resolve("0002-b.patch"), "diff --git a/y b/z\n");
        keys.add(key(null));
        Files.writeString(series.resolve("0003-c.patch"), "");
        keys.add(key(null));
        Files.move(series.resolve("0003-c.patch"), series.resolve("0004-c.patch"));
        keys.add(key(null));
        Files.writeString(harness.resolve("shim/linux/slab.h"), "#define X 2\n");
        keys.add(key(null));
        Files.writeString(harness.resolve("build.sh"), "#!/bin/sh -e\n");
        keys.add(key(null));
        Files.createSymbolicLink(harness.resolve("shim/linux/mm.h"), Path.of("/etc/passwd"));
        keys.add(key(null));
        Files.delete(harness.resolve("shim/linux/mm.h"));
        Files.createSymbolicLink(harness.resolve("shim/linux/mm.h"), Path.of("/etc/hosts"));
        keys.add(key(null));
        assertEquals(9, keys.size(), keys.toString());
    }

    /** git apply reads what a link names: so does the key. */
    @Test
    void aLinkedSeriesOrPatchCountsByWhatItNames() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("current"), series);
        assertEquals(key(null), builds.key(link, harness, null), "a link to the folder is the folder");
        Path elsewhere = Files.writeString(tmp.resolve("0003-c.patch"), "diff --git a/z b/z\n");
        Files.createSymbolicLink(series.resolve("0003-c.patch"), elsewhere);
        String before = key(null);
        Files.writeString(elsewhere, "diff --git a/z b/w\n");
        assertNotEquals(before, key(null), "the linked patch's content changed");
        assertNotEquals(before, builds.key(link, harness, null));
    }

    @Test
    void noProductIsKeptOrRestoredThroughALink() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.write(out.resolve(HarnessBuilds.library("asan")), new byte[] {1});
        Path real = Files.createDirectories(tmp.resolve("real/bin"));
        Files.writeString(real.resolve("java"), "#!/bin/sh\n");
        Files.createSymbolicLink(out.resolve("asan-jvm"), tmp.resolve("real"));
        String key = key("asan");
        builds.store(key, "asan", out);
        assertFalse(Files.exists(tmp.resolve("cache").resolve(key)), "a wrapper reached through a link");

        Files.delete(out.resolve("asan-jvm"));
        Files.createDirectories(out.resolve("asan-jvm/bin"));
        Files.writeString(out.resolve("asan-jvm/bin/java"), "#!/bin/sh\n");
        builds.store(key, "asan", out);
        Path again = Files.createDirectories(tmp.resolve("again"));
        Path target = Files.createDirectories(tmp.resolve("target"));
        Files.createSymbolicLink(again.resolve("asan-jvm"), target);
        assertFalse(builds.restore(key, "asan", again), "restoring would write through the link");
        assertFalse(Files.exists(target.resolve("bin/java")));
    }

    @Test
    void anEntryMissingAProductIsReplacedByTheNextBuild() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.write(out.resolve(HarnessBuilds.library(null)), new byte[] {3});
        String key = key(null);
        Files.createDirectories(tmp.resolve("cache").resolve(key)); // left half-removed
        builds.store(key, null, out);
        Path again = Files.createDirectories(tmp.resolve("again"));
        assertTrue(builds.restore(key, null, again));
        assertArrayEquals(new byte[] {3}, Files.readAllBytes(again.resolve(HarnessBuilds.library(null))));
    }

    @Test
    void aKeptBuildIsRestoredAsBuildShLeftIt() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.write(out.resolve(HarnessBuilds.library("asan")), new byte[] {1, 2, 3});
        Path java = Files.createDirectories(out.resolve("asan-jvm/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        String key = key("asan");
        assertFalse(builds.restore(key, "asan", tmp.resolve("elsewhere")), "nothing kept yet");
        builds.store(key, "asan", out);

        Path again = Files.createDirectories(tmp.resolve("again"));
        assertTrue(builds.restore(key, "asan", again));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(again.resolve(HarnessBuilds.library("asan"))));
        assertTrue(Files.isExecutable(again.resolve("asan-jvm/bin/java")), "the wrapper stays executable");
        assertFalse(builds.restore(key, null, Files.createDirectories(tmp.resolve("plain"))),
                "the plain build is another entry");
    }

    @Test
    void rebuildingRestoresNothingAndReplacesTheKeptBuild() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.write(out.resolve(HarnessBuilds.library(null)), new byte[] {1});
        String key = key(null);
        builds.store(key, null, out);
        HarnessBuilds rebuilding = builds.rebuilding();
        assertFalse(rebuilding.restore(key, null, Files.createDirectories(tmp.resolve("r1"))));
        Files.write(out.resolve(HarnessBuilds.library(null)), new byte[] {2});
        rebuilding.store(key, null, out);
        Path again = Files.createDirectories(tmp.resolve("r2"));
        assertTrue(builds.restore(key, null, again));
        assertArrayEquals(new byte[] {2}, Files.readAllBytes(again.resolve(HarnessBuilds.library(null))));
        try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
            assertEquals(List.of(key), s.map(p -> p.getFileName().toString()).toList(), "nothing left beside it");
        }
    }

    @Test
    void aBuildMissingAProductIsNotKept() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.write(out.resolve(HarnessBuilds.library("asan")), new byte[] {1});
        String key = key("asan");
        builds.store(key, "asan", out); // no ASan wrapper: build.sh did not finish, or a test's double ran
        assertFalse(builds.restore(key, "asan", Files.createDirectories(tmp.resolve("again"))));
    }

    @Test
    void gcovBuildsAreNeverKept() {
        assertTrue(HarnessBuilds.keeps(null));
        assertTrue(HarnessBuilds.keeps("asan"));
        assertFalse(HarnessBuilds.keeps("coverage"));
        assertFalse(HarnessBuilds.keeps("asan-coverage"));
    }

    @Test
    void theOldestBuildsGoFirst() throws Exception {
        HarnessBuilds two = new HarnessBuilds(tmp.resolve("cache"), 2, false);
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.write(out.resolve(HarnessBuilds.library(null)), new byte[] {7});
        List<String> keys = List.of("a".repeat(32), "b".repeat(32), "c".repeat(32));
        long t = System.currentTimeMillis() - 60_000;
        two.store(keys.get(0), null, out);
        Files.setLastModifiedTime(tmp.resolve("cache").resolve(keys.get(0)), FileTime.fromMillis(t));
        two.store(keys.get(1), null, out);
        Files.setLastModifiedTime(tmp.resolve("cache").resolve(keys.get(1)), FileTime.fromMillis(t + 1000));
        // a look-up makes the first the newest
        assertTrue(two.restore(keys.get(0), null, Files.createDirectories(tmp.resolve("r"))));
        // what a killed validation left staged: gone once a day old
        Path stale = Files.createDirectories(tmp.resolve("cache/.staging-1"));
        Files.setLastModifiedTime(stale, FileTime.fromMillis(t - 86_400_000L));
        Path fresh = Files.createDirectories(tmp.resolve("cache/.staging-2"));
        two.store(keys.get(2), null, out);
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh), "another validation's, still storing");
        Files.delete(fresh);
        try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
            assertEquals(Set.of(keys.get(0), keys.get(2)), Set.copyOf(s.map(p -> p.getFileName().toString()).toList()));
        }
        assertNotEquals(keys.get(0), keys.get(1));
    }
}
