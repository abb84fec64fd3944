package org.pcmdmabuf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * An independent cross-check of the model's state x op table ({@link StateTable}): every one of the
 * 2 streams x 9 states x 20 ops = 360 cells is asserted (errno and state after) against a table derived
 * by hand from the Linux 6.12 sources and the rules of docs/spec.md, not from the model.
 *
 * <p>Cell syntax: {@code ok>STATE} = success, substream in STATE afterwards; {@code EXXX} = that errno, and
 * the state is unchanged (the row's state). Every errno cell in these tables leaves the state unchanged
 * (all checks fire in pre_action or before any state change).
 *
 * <p>Source references are to linux-6.12: {@code pcm_native.c} = sound/core/pcm_native.c,
 * {@code pcm_lib.c} = sound/core/pcm_lib.c, {@code pcm.h} = include/sound/pcm.h.
 *
 * <h2>Per column (both streams unless noted)</h2>
 * <ul>
 * <li><b>hw_params</b> — pcm_native.c:snd_pcm_hw_params: OPEN/SETUP/PREPARED allowed (no PCM-fd mmap exists
 *     in the recipe, so mmap_count == 0) → SETUP; every other state EBADFD. LIFETIME-NEVER-BLOCKED: exports and
 *     attachments never block HW_PARAMS (the own attachment is dropped implicitly).</li>
 * <li><b>hw_free</b> — pcm_native.c:snd_pcm_hw_free: SETUP/PREPARED → OPEN; everything else (OPEN too) EBADFD.
 *     LIFETIME-NEVER-BLOCKED: never blocked by exports/attachments.</li>
 * <li><b>sw_params</b> — pcm_native.c:snd_pcm_sw_params: only OPEN is EBADFD; avail_min=64 is valid. When
 *     snd_pcm_running() (RUNNING, playback DRAINING) it calls pcm_lib.c:snd_pcm_update_state, but with no
 *     virtual time elapsed avail is 0, so no xrun/drain_done: state unchanged.</li>
 * <li><b>prepare</b> — pcm_native.c:snd_pcm_prepare: PAUSED is released then stopped to SETUP, SUSPENDED
 *     stopped to SETUP, then snd_pcm_pre_prepare: OPEN EBADFD, snd_pcm_running() (RUNNING, playback
 *     DRAINING) EBUSY; capture DRAINING is not "running" (pcm.h:snd_pcm_running) so it prepares.</li>
 * <li><b>start</b> — pcm_native.c:snd_pcm_pre_start: only PREPARED; playback PREPARED has appl_ptr == hw_ptr
 *     so pcm.h:snd_pcm_playback_data() is false → EPIPE (stop_threshold = buffer_size &lt; boundary);
 *     capture PREPARED → RUNNING.</li>
 * <li><b>drop</b> — pcm_native.c:snd_pcm_drop: OPEN EBADFD; otherwise (PAUSED released first) snd_pcm_stop
 *     → SETUP, including SETUP itself (post_stop is a no-op) and SUSPENDED.</li>
 * <li><b>drain</b> (blocking fd) — pcm_native.c:snd_pcm_drain: OPEN EBADFD; PAUSED is released first;
 *     snd_pcm_pre_drain_init: SUSPENDED EBADFD. snd_pcm_do_drain_init, playback: PREPARED with empty buffer
 *     → SETUP, RUNNING → DRAINING then the wait loop runs until drained → SETUP, XRUN → SETUP, SETUP and
 *     DRAINING unchanged (DRAINING then waits → SETUP). Capture: only RUNNING is acted on — capture_avail
 *     is 0 (no time elapsed, hw_ptr not updated) → SETUP; PREPARED, XRUN, DRAINING are left as they are and
 *     the wait loop skips capture streams, so ret 0 with the state unchanged.</li>
 * <li><b>reset</b> — pcm_native.c:snd_pcm_pre_reset: RUNNING/PREPARED/PAUSED/SUSPENDED ok, state
 *     unchanged; else EBADFD.</li>
 * <li><b>xrun</b> — pcm_native.c:snd_pcm_xrun: XRUN ok (already there), RUNNING → XRUN, else EBADFD
 *     (playback DRAINING too).</li>
 * <li><b>hwsync / delay</b> — pcm_native.c:do_pcm_hwsync: RUNNING and playback DRAINING update hw_ptr (0,
 *     no time) ok; PREPARED/PAUSED ok; SUSPENDED ESTRPIPE; XRUN EPIPE; capture DRAINING, OPEN, SETUP
 *     EBADFD.</li>
 * <li><b>pause on/off</b> — pcm_native.c:snd_pcm_pre_pause checks runtime-&gt;info &amp; INFO_PAUSE
 *     <i>first</i>: runtime-&gt;info is only set in snd_pcm_hw_params (runtime is kzalloc'ed at open), so in
 *     OPEN it is 0 → ENOSYS. Otherwise push needs RUNNING, release needs PAUSED, else EBADFD.</li>
 * <li><b>resume</b> — pcm_native.c:snd_pcm_pre_resume: state check first (!= SUSPENDED → EBADFD, so OPEN is
 *     EBADFD, not ENOSYS), INFO_RESUME set; post_resume restores suspended_state = RUNNING.</li>
 * <li><b>sync_ptr</b> (flags 0, appl_ptr 0) — pcm_native.c:snd_pcm_sync_ptr has no state check;
 *     pcm_lib.c:pcm_lib_apply_appl_ptr: equal → 0, else 0 &lt; boundary is stored (snd-dummy has no
 *     NO_REWINDS, no ack). No snd_pcm_update_state is called, so the state never changes — even for running
 *     playback whose appl_ptr goes 4096 → 0 (the xrun is only noticed at the next hw_ptr update).</li>
 * <li><b>writei</b> (RW_INTERLEAVED, 16 frames, blocking; capture reads) — pcm_native.c:
 *     snd_pcm_xferi_frames_ioctl: OPEN EBADFD; pcm_lib.c:__snd_pcm_lib_xfer → pcm_accessible_state:
 *     PREPARED/RUNNING/PAUSED allowed, XRUN EPIPE, SUSPENDED ESTRPIPE, everything else (SETUP and DRAINING,
 *     capture DRAINING included) EBADFD. Playback PREPARED: 16 frames written, hw_avail ≥ start_threshold (1)
 *     → snd_pcm_start → RUNNING. Capture PREPARED: size ≥ start_threshold → start → RUNNING, then waits for
 *     16 frames. RUNNING: avail 0, pcm_lib.c:wait_for_avail lets the DMA run → ok. PAUSED: avail 0 and
 *     wait_for_avail would sleep forever (PAUSED → continue): the model answers as O_NONBLOCK → EAGAIN.</li>
 * <li><b>mmap</b> (data area, offset 0, whole buffer, rw) — pcm_native.c:snd_pcm_mmap_data: OPEN EBADFD;
 *     otherwise INFO_MMAP set, MMAP access, size/offset fit, so plain ALSA maps in every state. From SETUP on
 *     the recipe has attached a dma-buf, and the patch refuses a PCM data mapping of attached memory with
 *     EBUSY (kernel-patch/docs/decisions.md, decision 4), so every configured state gives EBUSY.</li>
 * <li><b>dmabuf_export</b> — EXPORT-STATE, EXPORT-ONE-DMABUF: SETUP/PREPARED ok (a second export returns another fd to the
 *     same dma-buf), everything else EBADFD.</li>
 * <li><b>dmabuf_attach</b> (foreign live dma-buf, same size) — ATTACH-STATE: SETUP only, else EBADFD; in
 *     SETUP the recipe already attached the own export → EBUSY (already attached).</li>
 * <li><b>dmabuf_detach</b> — DETACH-STATE, DETACH-BUSY: SETUP ok, PREPARED ok → SETUP, OPEN EBADFD, RUNNING/PAUSED/
 *     DRAINING EBUSY (capture DRAINING too: the rule names the state, not the stream). XRUN and SUSPENDED:
 *     the spec's DETACH-XRUN-SUSPENDED, docs/decisions.md 4 — EBADFD (not in the allowed set, and not among the states named as EBUSY;
 *     EBADFD is ALSA's generic wrong-state answer, cf. snd_pcm_hw_free in those states).</li>
 * <li><b>DISCONNECTED</b> row — after snd_card_disconnect the old fd's f_op is snd_shutdown_f_ops
 *     (sound/core/init.c: snd_disconnect_ioctl / snd_disconnect_mmap return -ENODEV) for every column,
 *     before any state check; the state stays DISCONNECTED.</li>
 * </ul>
 */
class StateTableTest {

    static final List<String> COLUMNS = List.of(
            "hw_params", "hw_free", "sw_params", "prepare", "start", "drop", "drain", "reset", "xrun", "hwsync",
            "delay", "pause on", "pause off", "resume", "sync_ptr", "writei", "mmap", "dmabuf_export",
            "dmabuf_attach", "dmabuf_detach");

    // Columns:
    //  hw_params  hw_free  sw_params  prepare  start  drop  drain  reset  xrun  hwsync  delay  pause_on
    //  pause_off  resume  sync_ptr  writei  mmap  dmabuf_export  dmabuf_attach  dmabuf_detach
    static final String PLAYBACK = """
            OPEN         ok>SETUP EBADFD   EBADFD       EBADFD      EBADFD  EBADFD   EBADFD   EBADFD       EBADFD   EBADFD      EBADFD      ENOSYS    ENOSYS     EBADFD     ok>OPEN      EBADFD     EBADFD       EBADFD      EBADFD  EBADFD
            SETUP ok>SETUP ok>OPEN ok>SETUP ok>PREPARED EBADFD ok>SETUP ok>SETUP EBADFD EBADFD EBADFD EBADFD EBADFD EBADFD EBADFD ok>SETUP EBADFD EBUSY ok>SETUP EBUSY ok>SETUP
            PREPARED ok>SETUP ok>OPEN ok>PREPARED ok>PREPARED EPIPE ok>SETUP ok>SETUP ok>PREPARED EBADFD ok>PREPARED ok>PREPARED EBADFD EBADFD EBADFD ok>PREPARED ok>RUNNING EBUSY ok>PREPARED EBADFD ok>SETUP
            RUNNING EBADFD EBADFD ok>RUNNING EBUSY EBADFD ok>SETUP ok>SETUP ok>RUNNING ok>XRUN ok>RUNNING ok>RUNNING ok>PAUSED EBADFD EBADFD ok>RUNNING ok>RUNNING EBUSY EBADFD EBADFD EBUSY
            XRUN EBADFD EBADFD ok>XRUN ok>PREPARED EBADFD ok>SETUP ok>SETUP EBADFD ok>XRUN EPIPE EPIPE EBADFD EBADFD EBADFD ok>XRUN EPIPE EBUSY EBADFD EBADFD EBADFD
            DRAINING EBADFD EBADFD ok>DRAINING EBUSY EBADFD ok>SETUP ok>SETUP EBADFD EBADFD ok>DRAINING ok>DRAINING EBADFD EBADFD EBADFD ok>DRAINING EBADFD EBUSY EBADFD EBADFD EBUSY
            PAUSED EBADFD EBADFD ok>PAUSED ok>PREPARED EBADFD ok>SETUP ok>SETUP ok>PAUSED EBADFD ok>PAUSED ok>PAUSED EBADFD ok>RUNNING EBADFD ok>PAUSED EAGAIN EBUSY EBADFD EBADFD EBUSY
            SUSPENDED EBADFD EBADFD ok>SUSPENDED ok>PREPARED EBADFD ok>SETUP EBADFD ok>SUSPENDED EBADFD ESTRPIPE ESTRPIPE EBADFD EBADFD ok>RUNNING ok>SUSPENDED ESTRPIPE EBUSY EBADFD EBADFD EBADFD
            DISCONNECTED ENODEV   ENODEV   ENODEV       ENODEV      ENODEV  ENODEV   ENODEV   ENODEV       ENODEV   ENODEV      ENODEV      ENODEV    ENODEV     ENODEV     ENODEV       ENODEV     ENODEV       ENODEV      ENODEV  ENODEV
            """;

    // Capture differs from playback in:
    //  PREPARED start  ok>RUNNING  (snd_pcm_pre_start: the EPIPE "no data" check is playback-only)
    //  PREPARED drain  ok>PREPARED (snd_pcm_do_drain_init: capture only stops a RUNNING stream)
    //  XRUN     drain  ok>XRUN     (same: XRUN capture is left alone, ret 0)
    //  DRAINING drain  ok>DRAINING (capture DRAINING is not acted on; the wait loop skips capture)
    //  DRAINING prepare ok>PREPARED (pcm.h:snd_pcm_running is false for capture DRAINING)
    //  DRAINING hwsync/delay EBADFD (pcm_native.c:do_pcm_hwsync: capture DRAINING → -EBADFD)
    //  DRAINING writei(read) EBADFD (pcm_lib.c:pcm_accessible_state has no DRAINING case in 6.12)
    //  PREPARED writei(read) ok>RUNNING: __snd_pcm_lib_xfer starts capture when size >= start_threshold
    static final String CAPTURE = """
            OPEN         ok>SETUP EBADFD   EBADFD       EBADFD      EBADFD     EBADFD   EBADFD      EBADFD       EBADFD   EBADFD      EBADFD      ENOSYS    ENOSYS     EBADFD     ok>OPEN      EBADFD     EBADFD       EBADFD      EBADFD  EBADFD
            SETUP ok>SETUP ok>OPEN ok>SETUP ok>PREPARED EBADFD ok>SETUP ok>SETUP EBADFD EBADFD EBADFD EBADFD EBADFD EBADFD EBADFD ok>SETUP EBADFD EBUSY ok>SETUP EBUSY ok>SETUP
            PREPARED ok>SETUP ok>OPEN ok>PREPARED ok>PREPARED ok>RUNNING ok>SETUP ok>PREPARED ok>PREPARED EBADFD ok>PREPARED ok>PREPARED EBADFD EBADFD EBADFD ok>PREPARED ok>RUNNING EBUSY ok>PREPARED EBADFD ok>SETUP
            RUNNING EBADFD EBADFD ok>RUNNING EBUSY EBADFD ok>SETUP ok>SETUP ok>RUNNING ok>XRUN ok>RUNNING ok>RUNNING ok>PAUSED EBADFD EBADFD ok>RUNNING ok>RUNNING EBUSY EBADFD EBADFD EBUSY
            XRUN EBADFD EBADFD ok>XRUN ok>PREPARED EBADFD ok>SETUP ok>XRUN EBADFD ok>XRUN EPIPE EPIPE EBADFD EBADFD EBADFD ok>XRUN EPIPE EBUSY EBADFD EBADFD EBADFD
            DRAINING EBADFD EBADFD ok>DRAINING ok>PREPARED EBADFD ok>SETUP ok>DRAINING EBADFD EBADFD EBADFD EBADFD EBADFD EBADFD EBADFD ok>DRAINING EBADFD EBUSY EBADFD EBADFD EBUSY
            PAUSED EBADFD EBADFD ok>PAUSED ok>PREPARED EBADFD ok>SETUP ok>SETUP ok>PAUSED EBADFD ok>PAUSED ok>PAUSED EBADFD ok>RUNNING EBADFD ok>PAUSED EAGAIN EBUSY EBADFD EBADFD EBUSY
            SUSPENDED EBADFD EBADFD ok>SUSPENDED ok>PREPARED EBADFD ok>SETUP EBADFD ok>SUSPENDED EBADFD ESTRPIPE ESTRPIPE EBADFD EBADFD ok>RUNNING ok>SUSPENDED ESTRPIPE EBUSY EBADFD EBADFD EBADFD
            DISCONNECTED ENODEV   ENODEV   ENODEV       ENODEV      ENODEV     ENODEV   ENODEV      ENODEV       ENODEV   ENODEV      ENODEV      ENODEV    ENODEV     ENODEV     ENODEV       ENODEV     ENODEV       ENODEV      ENODEV  ENODEV
            """;

    /** An expected cell: errno (null on success) and the state after. */
    record Expected(Errno errno, PcmState after) {
        String render() {
            return errno != null ? errno.name() + " (state " + after + ")" : "ok → " + after;
        }
    }

    static Map<PcmState, Map<String, Expected>> parse(String table) {
        Map<PcmState, Map<String, Expected>> t = new EnumMap<>(PcmState.class);
        for (String line : table.strip().split("\n")) {
            String[] tok = line.strip().split("\\s+");
            assertEquals(COLUMNS.size() + 1, tok.length, "malformed expected row: " + line);
            PcmState row = PcmState.valueOf(tok[0]);
            Map<String, Expected> cells = new LinkedHashMap<>();
            for (int i = 0; i < COLUMNS.size(); i++) {
                String c = tok[i + 1];
                Expected e = c.startsWith("ok>")
                        ? new Expected(null, PcmState.valueOf(c.substring(3)))
                        : new Expected(Errno.valueOf(c), row); // a failing op leaves the state as it was
                cells.put(COLUMNS.get(i), e);
            }
            t.put(row, cells);
        }
        assertEquals(PcmState.values().length, t.size(), "expected table must have one row per state");
        return t;
    }

    @TestFactory
    Stream<DynamicTest> everyCell() {
        assertEquals(COLUMNS, new ArrayList<>(StateTable.ops().keySet()),
                "StateTable's columns changed; update the expected tables");
        List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
        List<DynamicTest> tests = new ArrayList<>();
        for (PcmStream stream : PcmStream.values()) {
            Map<PcmState, Map<String, Expected>> expected =
                    parse(stream == PcmStream.PLAYBACK ? PLAYBACK : CAPTURE);
            for (PcmState state : PcmState.values()) {
                for (String op : COLUMNS) {
                    Expected e = expected.get(state).get(op);
                    String name = stream + " " + state + " " + op;
                    tests.add(dynamicTest(name + " → " + e.render(), () -> {
                        StateTable.Cell c;
                        try {
                            c = StateTable.cell(stream, state, op);
                        } catch (RuntimeException ex) {
                            mismatches.add(name + ": expected " + e.render() + ", model threw " + ex);
                            throw ex;
                        }
                        String got = c.errno() != null
                                ? c.errno().name() + " (state " + c.after() + ")"
                                : "ok → " + c.after();
                        boolean match = c.errno() == e.errno() && c.after() == e.after();
                        if (!match) {
                            mismatches.add(name + ": expected " + e.render() + ", model " + got);
                        }
                        assertTrue(match, name + ": expected " + e.render() + ", model " + got);
                    }));
                }
            }
        }
        int cells = tests.size();
        tests.add(dynamicTest("all " + cells + " cells agree", () -> {
            assertEquals(2 * 9 * 20, cells);
            assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + cells
                    + " cells disagree with the kernel-derived table:\n  " + String.join("\n  ", mismatches));
        }));
        return tests.stream();
    }
}
