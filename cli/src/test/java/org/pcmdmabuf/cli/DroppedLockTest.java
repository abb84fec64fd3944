package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every lock the patch takes, dropped one at a time (PLAT-CONCURRENCY, PLAT-DATA-RACE): the variants are generated
 * from patch 0002's pcm_dmabuf.c, one per {@code guard()}, {@code scoped_guard()} and {@code spin_lock_irqsave()},
 * so a lock the series adds is a variant this test must name. Each is either killed by the race stage's scenario
 * named here (its 200 PCT schedules from seed 1, depth 3, as validate runs them) or listed with why no scenario
 * can kill it on the harness. Most kills are the data race detector's (shim/src/kernel/kcsan/core.c): a lock
 * dropped around accesses with no scheduling point inside changes no schedule.
 */
class DroppedLockTest {
    static final Path SERIES = BrokenVariantsTest.KERNEL_PATCH.resolve("series");
    static final Path RACES = RaceKernelTest.RACES;

    /** The variant that kills it: the scenario whose race-stage run fails. */
    static final Map<String, String> KILLED_BY = new LinkedHashMap<>();
    /** Why no run of the harness kills it. */
    static final Map<String, String> NOT_KILLED = new LinkedHashMap<>();

    static {
        KILLED_BY.put("snd_pcm_dmabuf_sync_mapped without &buf->sync_lock", "sync-detach");
        KILLED_BY.put("snd_pcm_dmabuf_map without &buf->lock", "sync-detach");
        KILLED_BY.put("snd_pcm_dmabuf_unmap without &buf->sync_lock", "sync-detach");
        KILLED_BY.put("snd_pcm_dmabuf_unmap without &buf->lock", "sync-detach");
        KILLED_BY.put("snd_pcm_dmabuf_cpu_access without &buf->lock", "sync-detach");
        KILLED_BY.put("snd_pcm_dmabuf_mmap without &buf->lock", "mmap-revoke");
        KILLED_BY.put("snd_pcm_dmabuf_vmap_for without &buf->lock", "sync-detach");
        KILLED_BY.put("snd_pcm_dmabuf_vunmap without &buf->lock", "sync-detach");
        KILLED_BY.put("snd_pcm_dmabuf_import_list without &buf->lock", "attach-close");
        KILLED_BY.put("snd_pcm_dmabuf_detach without the stream lock", "sync-detach");
        KILLED_BY.put("snd_pcm_dmabuf_drop_revoked without the stream lock", "revoke-prepare");
        KILLED_BY.put("snd_pcm_dmabuf_stop_importer without the stream lock", "revoke-prepare");
        KILLED_BY.put("snd_pcm_dmabuf_revoke_finish without &buf->lock", "mmap-revoke");
        KILLED_BY.put("snd_pcm_dmabuf_let_go without &buf->lock", "export-hw-free");
        KILLED_BY.put("snd_pcm_dmabuf_let_go without &snd_pcm_dmabuf_list_lock", "mmap-revoke");
        KILLED_BY.put("snd_pcm_dmabuf_disconnect_one without &buf->lock", "release-export");
        KILLED_BY.put("snd_pcm_dmabuf_disconnect without &own->lock", "mmap-disconnect");
        // not release-export any more: the host's disconnect takes each substream's stream lock before the hook,
        // as snd_pcm_dev_disconnect() (sound/core/pcm.c) does, which orders that scenario's accesses
        KILLED_BY.put("snd_pcm_dmabuf_disconnect without the stream lock", "hw-free-disconnect");
        KILLED_BY.put("snd_pcm_dmabuf_finish_revoked without &found->lock", "mmap-disconnect-typed");
        KILLED_BY.put("snd_pcm_dmabuf_let_go without &snd_pcm_dmabuf_list_lock (2)", "hw-free-release");
        KILLED_BY.put("snd_pcm_dmabuf_get without the stream lock", "release-export");
        KILLED_BY.put("snd_pcm_dmabuf_vm_fault without &buf->lock", "fault-revoke");
        KILLED_BY.put("snd_pcm_dmabuf_vm_close without &buf->lock", "munmap-revoke");
        KILLED_BY.put("snd_pcm_dmabuf_publish without the stream lock", "disconnect-attach-export");
        KILLED_BY.put("snd_pcm_dmabuf_hw_free without the stream lock (2)", "hw-free-disconnect");
        // revision 7 walks the list only for a substream with entries queued: the walk then races the queueing
        // of another card's disconnect, not that of its own
        KILLED_BY.put("snd_pcm_dmabuf_finish_revoked without &snd_pcm_dmabuf_list_lock",
                "hw-free-revoke-other-disconnect");
        KILLED_BY.put("snd_pcm_dmabuf_release without &snd_pcm_dmabuf_list_lock", "hw-free-release");
        KILLED_BY.put("snd_pcm_dmabuf_import_free without &buf->lock", "attach-revoke");
        // lockdep_assert_held() of the list lock in snd_pcm_dmabuf_queue_revoked(), at the first schedule
        KILLED_BY.put("snd_pcm_dmabuf_disconnect without &snd_pcm_dmabuf_list_lock", "mmap-disconnect");
        KILLED_BY.put("snd_pcm_dmabuf_map without &buf->sync_lock", "write-attach");
        KILLED_BY.put("snd_pcm_dmabuf_next_mapping without &buf->sync_lock", "revoke-reused-write");
        KILLED_BY.put("snd_pcm_dmabuf_import without &buf->lock", "attach-attach-reused");
        // the PCM core's state changes under the stream lock are checked accesses (harness_set_state()), and START
        // runs under the stream lock alone, beside the ioctl that holds runtime->buffer_mutex (decision 64)
        KILLED_BY.put("snd_pcm_dmabuf_check_state without the stream lock", "export-start");
        KILLED_BY.put("snd_pcm_dmabuf_disconnected without the stream lock", "hw-free-disconnect");
        // the host's transfer raises runtime->buffer_accessing under the stream lock and reads runtime->dma_area
        // after dropping it, as __snd_pcm_lib_xfer() does (decision 71): the unpublish that skipped the lock races it
        KILLED_BY.put("snd_pcm_dmabuf_drop_revoked without the stream lock (2)", "linked-prepare-revoke-write");
        // revision 7: the exporter's buffer synced for the core's writes while its runtime uses it; the importer's
        // transfer reads the mark the exporter's hw_free clears when it revokes the reused memory
        KILLED_BY.put("snd_pcm_dmabuf_sync_exporter without &buf->sync_lock", "revoke-reused-write");
        KILLED_BY.put("snd_pcm_dmabuf_exporter_done without &buf->sync_lock", "revoke-reused-write");
        // vm_ops->open runs only where mm copies a mapping: here the split of a munmap of its tail (__split_vma())
        KILLED_BY.put("snd_pcm_dmabuf_vm_open without &buf->lock", "munmap-tail-revoke");

        NOT_KILLED.put("snd_pcm_dmabuf_hw_free without the stream lock", "the stream lock orders the unpublish"
                + " against the PCM core's reads of runtime->dma_area in atomic context (the silence of"
                + " snd_pcm_post_start(), the period interrupt's); snd_pcm_hw_free() (sound/core/pcm_native.c) checks"
                + " the state under the stream lock and sets OPEN after do_hw_free(), so only a linked START that"
                + " slips between the two runs beside the hook: a hole of the 6.12 core (a START of a stream whose"
                + " buffer is being freed) that no sequential order explains, so a scenario of it fails the right"
                + " revisions as well (docs/decisions.md, decision 64)");
        NOT_KILLED.put("snd_pcm_dmabuf_next_mm without &buf->lock", "the mm list is written by the mmap under"
                + " &buf->lock until the revocation sets buf->revoked under it, then only by the finisher that"
                + " dequeued the export from the revoking list under snd_pcm_dmabuf_list_lock"
                + " (snd_pcm_dmabuf_finish_revoked()); two finishers of one export need it queued twice, which takes"
                + " let_go's hand-over listing an export whose runtime's revocation by the disconnect was finished"
                + " already: a window no scenario opened (200 schedules of hw-free-revoke-disconnect on typed memory"
                + " pass this variant); docs/decisions.md, decision 60");
    }

    /** One lock the patch takes: the line of patch 0002 that takes it. */
    record Dropped(String name, int line, String from, String to) {
    }

    private static final Pattern TAKE = Pattern.compile(
            "^\\+(\\t+)(?:guard\\((\\w+)\\)\\((.+)\\);|scoped_guard\\((\\w+), (.+?)\\)( \\{)?|"
                    + "spin_lock_irqsave\\((.+), flags\\);)$");
    private static final Pattern DEFINITION = Pattern.compile("^\\+(?:[a-z][^(]*?[\\s*])?(\\w+)\\(");

    /** Patch 0002's lines and every lock its pcm_dmabuf.c takes, each with the edit that drops it. */
    static List<Dropped> dropped(List<String> patch) {
        List<Dropped> out = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        boolean inFile = false;
        String function = "?";
        for (int i = 0; i < patch.size(); i++) {
            String l = patch.get(i);
            if (l.startsWith("+++ ")) {
                inFile = l.endsWith("/sound/core/pcm_dmabuf.c");
                continue;
            }
            if (!inFile) {
                continue;
            }
            Matcher d = DEFINITION.matcher(l);
            if (d.find() && isDefinition(patch, i)) {
                function = d.group(1);
            }
            Matcher m = TAKE.matcher(l);
            if (!m.matches()) {
                continue;
            }
            String tabs = m.group(1);
            String kind = m.group(2) != null ? m.group(2) : m.group(4) != null ? m.group(4) : "spinlock_irqsave";
            String lock = m.group(3) != null ? m.group(3) : m.group(5) != null ? m.group(5) : m.group(7);
            String what = kind.startsWith("pcm_stream_lock") ? "the stream lock" : lock;
            String name = function + " without " + what;
            int n = seen.merge(name, 1, Integer::sum);
            // the lock expression stays evaluated, so that no variable goes unused (-Werror)
            String to = m.group(2) != null ? "(void)(" + lock + ");"
                    : m.group(4) != null ? "if ((void)(" + lock + "), 1)" + (m.group(6) != null ? " {" : "")
                    : "(void)(" + lock + "); flags = 0;";
            out.add(new Dropped(n == 1 ? name : name + " (" + n + ")", i, l, "+" + tabs + to));
            if (m.group(7) != null) {
                // its unlock goes with it
                int u = i + 1;
                while (!patch.get(u).contains("spin_unlock_irqrestore(" + lock)) {
                    u++;
                }
                out.add(new Dropped(null, u, patch.get(u), "+" + tabs + "(void)flags;"));
            }
        }
        return out;
    }

    /** A line starting a function's definition, not a prototype: "{" comes before any ";". */
    private static boolean isDefinition(List<String> patch, int i) {
        for (int j = i; j < patch.size(); j++) {
            String l = patch.get(j);
            if (l.equals("+{")) {
                return true;
            }
            if (l.stripTrailing().endsWith(";") || !l.startsWith("+")) {
                return false;
            }
        }
        return false;
    }

    private static Path patch0002() throws IOException {
        try (Stream<Path> s = Files.list(SERIES)) {
            return s.filter(p -> p.getFileName().toString().startsWith("0002-")).findFirst().orElseThrow();
        }
    }

    private static List<Dropped> named() throws IOException {
        return dropped(Files.readAllLines(patch0002(), StandardCharsets.UTF_8)).stream()
                .filter(d -> d.name() != null).toList();
    }

    @Test
    void everyLockThePatchTakesIsNamedHere() throws IOException {
        TreeSet<String> generated = new TreeSet<>(named().stream().map(Dropped::name).toList());
        TreeSet<String> listed = new TreeSet<>(KILLED_BY.keySet());
        listed.addAll(NOT_KILLED.keySet());
        assertEquals(listed, generated, "the locks of patch 0002 and the variants named here differ");
        assertTrue(generated.size() >= 30, "fewer locks than the series takes: " + generated);
    }

    @TempDir
    Path tmp;

    /** Built and raced two at a time (TwoAtATime). */
    @TestFactory
    Stream<DynamicTest> everyDroppedLockIsKilledByTheRaceStage() throws IOException {
        List<String> patch = Files.readAllLines(patch0002(), StandardCharsets.UTF_8);
        List<Dropped> all = dropped(patch);
        return TwoAtATime.tests(List.copyOf(KILLED_BY.entrySet()), e -> e.getKey() + " -> " + e.getValue(), e -> {
            int k = 0;
            while (!e.getKey().equals(all.get(k).name())) {
                k++;
            }
            List<String> edited = new ArrayList<>(patch);
            edited.set(all.get(k).line(), all.get(k).to());
            if (k + 1 < all.size() && all.get(k + 1).name() == null) {
                edited.set(all.get(k + 1).line(), all.get(k + 1).to());
            }
            return raceKernel(build(e.getKey(), edited), e.getValue(), e.getKey());
        }, (e, out) -> {
            String scenario = e.getValue();
            assertTrue(out.matches("(?s).*" + scenario + "\\.ops: 200 schedule\\(s\\), PCT depth 3 seeds"
                    + " [^,]*, [1-9]\\d* failed.*"), e.getKey() + " survives " + scenario + ":\n" + out);
        });
    }

    /** Validate's race-stage run of {@code scenario} on {@code lib}; it must fail (exit 1). */
    private static String raceKernel(Path lib, String scenario, String variant) throws IOException, InterruptedException {
        // a process of its own: a variant whose race ends in a use after free must not take this JVM down
        Process pr = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                Pcmsim.class.getName(), "race-kernel", "--library", lib.toString(), "--schedules", "200",
                "--seed", "1", "--depth", "3", "--no-shrink", RACES.resolve(scenario + ".ops").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, pr.waitFor(), variant + "\n" + out);
        return out;
    }

    /**
     * A revision that counts on the mm's mmap_lock to wait for faults: its mmap records the mm of a mapping of
     * plain pages too, so that the revocation's second half takes that mm's mmap_lock, and its fault handler
     * inserts the page after it let go of the export's lock. mmap_lock is a rw_semaphore and both sides take it
     * for reading (handle_mm_fault(), snd_pcm_dmabuf_revoke_finish()): they overlap, the last zap can come
     * before the insert, and fault-revoke leaves a mapping of the revoked dma-buf reaching its memory. A
     * mmap_lock whose readers excluded each other would make the revocation wait for the fault, and the variant
     * would pass (1000 schedules of it did, when the shims had one).
     */
    @Test
    void aRevocationThatCountsOnMmapLockToWaitForFaultsIsKilledByFaultRevoke() throws Exception {
        String patch = Files.readString(patch0002(), StandardCharsets.UTF_8);
        String fault = """
                +	guard(mutex)(&buf->lock);
                +	if (buf->revoked || !snd_pcm_dmabuf_plain_pages(&buf->dmab) ||
                +	    offset >= (size_t)buf->npages << PAGE_SHIFT)
                +		return VM_FAULT_SIGBUS;
                +	page = snd_sgbuf_get_page(&buf->dmab, offset);
                """;
        String mmap = """
                +	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
                +	if (!snd_pcm_dmabuf_plain_pages(&buf->dmab)) {
                """;
        assertTrue(patch.contains(fault) && patch.contains(mmap), "patch 0002's fault handler or mmap changed");
        // line for line, so that the hunks still apply
        String edited = patch.replace(fault, """
                +	mutex_lock(&buf->lock);
                +	if (buf->revoked || !snd_pcm_dmabuf_plain_pages(&buf->dmab) ||
                +	    offset >= (size_t)buf->npages << PAGE_SHIFT)
                +		return mutex_unlock(&buf->lock), VM_FAULT_SIGBUS;
                +	page = snd_sgbuf_get_page(&buf->dmab, offset); mutex_unlock(&buf->lock);
                """).replace(mmap, """
                +	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
                +	err = snd_pcm_dmabuf_add_mm(buf, vma->vm_mm); if (err) return err; if (!snd_pcm_dmabuf_plain_pages(&buf->dmab)) {
                """);
        Path lib = build("mmap-lock-readers", edited.lines().toList());
        String out = raceKernel(lib, "fault-revoke", "the variant inserting after its lock");
        assertTrue(out.contains("LIFETIME-REVOKE-ZAP"), out);
    }

    private Path build(String name, List<String> patch) throws IOException, InterruptedException {
        Path dir = tmp.resolve(name.replaceAll("\\W+", "-"));
        Path series = dir.resolve("series");
        Files.createDirectories(series);
        Path p0002 = patch0002();
        try (Stream<Path> patches = Files.list(SERIES)) {
            for (Path p : patches.sorted().toList()) {
                if (p.equals(p0002)) {
                    Files.write(series.resolve(p.getFileName()), patch, StandardCharsets.UTF_8);
                } else {
                    Files.copy(p, series.resolve(p.getFileName()));
                }
            }
        }
        return HarnessLibrary.build(name, series, Files.createDirectories(dir.resolve("out")));
    }
}
