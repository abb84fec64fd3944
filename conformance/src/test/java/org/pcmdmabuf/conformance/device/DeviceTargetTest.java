package org.pcmdmabuf.conformance.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.startsWith;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;
import org.mockito.invocation.Invocation;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.model.DmabufArg;
import org.pcmdmabuf.model.Errno;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptRunner;

/**
 * The device target on a Mockito double of its {@link SystemCalls}, on any machine: every op of the op-script
 * language issues the system call the 6.12 uAPI defines for it, with the request number and the struct bytes
 * at the offsets kernel-patch/tests/uapi-layout.c prints for the host's headers ({@link UapiLayout}, never the
 * device target's own layouts), and every errno of every call comes back as the op's result.
 */
class DeviceTargetTest {
    private static final UapiLayout C = UapiLayout.host();
    /** Every kind of card, numbered as no real machine needs to have them: the double has no /dev/snd. */
    private static final Cards CARDS = new Cards(Map.of("dummy", 0, "hda", 3, "aloop", 1, "pcmtest", 2), true);
    private static final String PCM0 = "/dev/snd/pcmC0D0p";
    private static final String DECLARE = "device pcm0 playback\nproc a\nproc b\n";
    private static final String OPEN = "a open pcm0 as p\n";
    private static final String HW_PARAMS =
            "a hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4\n";
    private static final int FD = 5;

    private SystemCalls sys;
    /** The SNDRV_PCM_STATE_* the double's SYNC_PTR reports. */
    private int state;
    /** What the double answers to an ioctl request, after writing what the kernel would write to its argument. */
    private final Map<Long, ToIntFunction<MemorySegment>> replies = new HashMap<>();
    /** Every ioctl issued, its argument's bytes as the target sent them (null for a NULL argument). */
    private final List<Ioctl> ioctls = new ArrayList<>();

    record Ioctl(int fd, long request, MemorySegment sent) {
    }

    private static long c(String name) {
        return C.get(name);
    }

    private static int ci(String name) {
        return Math.toIntExact(C.get(name));
    }

    @BeforeEach
    void kernel() {
        sys = mock(SystemCalls.class);
        state = ci("SNDRV_PCM_STATE_OPEN");
        when(sys.open(anyString(), anyInt())).thenReturn(FD);
        when(sys.fcntl(eq(FD), eq(ci("F_GETFL")), anyInt())).thenReturn(ci("O_RDWR") | ci("O_NONBLOCK"));
        when(sys.fcntl(anyInt(), eq(ci("F_GETFD")), anyInt())).thenReturn(ci("FD_CLOEXEC"));
        when(sys.ioctl(anyInt(), anyLong(), any(MemorySegment.class))).thenAnswer(inv -> {
            MemorySegment arg = inv.getArgument(2);
            long request = inv.getArgument(1);
            // a pointer into the first page (arg=fault) is kept as it is: nothing there to copy
            ioctls.add(new Ioctl(inv.getArgument(0), request,
                    arg.address() == 0 ? null : arg.address() < 4096 ? arg : copy(arg)));
            if (request == c("SNDRV_PCM_IOCTL_SYNC_PTR")) {
                arg.set(JAVA_INT, C.offset("snd_pcm_sync_ptr.s.status.state"), state);
            }
            return replies.getOrDefault(request, a -> 0).applyAsInt(arg);
        });
    }

    private static MemorySegment copy(MemorySegment s) {
        return Arena.ofAuto().allocate(s.byteSize(), 8).copyFrom(s);
    }

    private List<ScriptRunner.Step> run(String script) {
        return run(sys, script);
    }

    private static List<ScriptRunner.Step> run(SystemCalls sys, String script) {
        try (DeviceTarget t = new DeviceTarget(CARDS, sys)) {
            return ScriptRunner.run(parse(script), t);
        }
    }

    private static Script parse(String script) {
        try {
            return ScriptParser.parse(script);
        } catch (ScriptException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Outcome last(List<ScriptRunner.Step> steps) {
        return steps.getLast().outcome();
    }

    /** The ioctls of {@code request}, in order. */
    private List<Ioctl> issued(String request) {
        return ioctls.stream().filter(i -> i.request() == c(request)).toList();
    }

    private Ioctl only(String request) {
        List<Ioctl> l = issued(request);
        assertEquals(1, l.size(), request + " issued " + l.size() + " times");
        return l.getFirst();
    }

    /** _IOC_SIZE (include/uapi/asm-generic/ioctl.h): the size of the argument a request number declares. */
    private static long iocSize(long request) {
        return (request >> 16) & 0x3fff;
    }

    /** The struct a request carries has the size the uAPI gives it, and the number encodes that size. */
    private static void carries(Ioctl i, String struct) {
        assertEquals(C.sizeOfStruct(struct), i.sent().byteSize(), struct);
        assertEquals(C.sizeOfStruct(struct), iocSize(i.request()), struct);
    }

    private static int intAt(MemorySegment s, String field) {
        assertEquals(4, C.size(field), field);
        return s.get(JAVA_INT, C.offset(field));
    }

    private static long longAt(MemorySegment s, String field) {
        assertEquals(8, C.size(field), field);
        return s.get(JAVA_LONG, C.offset(field));
    }

    private static void assertZero(MemorySegment s, String field) {
        MemorySegment zeros = MemorySegment.ofArray(new byte[(int) C.size(field)]);
        assertEquals(-1, s.asSlice(C.offset(field), C.size(field)).mismatch(zeros),
                field + " (offset " + C.offset(field) + ") is not all zero");
    }

    /** The int at {@code field}'s offset; a failure names the field and its offset. */
    private static void assertInt(long expected, MemorySegment s, String field) {
        assertEquals(expected, intAt(s, field), field + " at offset " + C.offset(field));
    }

    private static void assertLong(long expected, MemorySegment s, String field) {
        assertEquals(expected, longAt(s, field), field + " at offset " + C.offset(field));
    }

    // ---- open --------------------------------------------------------------------------------------------

    @Test
    void openIsANonBlockingOpenOfTheBoundPcmThenBlockingAgain() {
        state = ci("SNDRV_PCM_STATE_OPEN");
        List<ScriptRunner.Step> s = run(DECLARE + OPEN);
        int flags = ci("O_RDWR") | ci("O_CLOEXEC") | ci("O_NONBLOCK");
        InOrder order = inOrder(sys);
        order.verify(sys).open(PCM0, flags);
        order.verify(sys).fcntl(FD, ci("F_GETFL"), 0);
        order.verify(sys).fcntl(FD, ci("F_SETFL"), ci("O_RDWR"));
        assertEquals(Outcome.ok(FD, "OPEN"), last(s));
    }

    @Test
    void openPassesTheScriptsFlagsAndStaysNonBlockingWhenAsked() {
        run(DECLARE + "a open pcm0 append nonblock rdonly as p\n");
        verify(sys).open(PCM0, ci("O_RDONLY") | ci("O_CLOEXEC") | ci("O_APPEND") | ci("O_NONBLOCK"));
        verify(sys, never()).fcntl(anyInt(), eq(ci("F_SETFL")), anyInt());
    }

    // ---- hw_params, sw_params ----------------------------------------------------------------------------

    @Test
    void hwParamsNarrowsEveryParameterOfTheScriptToOneValue() {
        state = ci("SNDRV_PCM_STATE_SETUP");
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + HW_PARAMS);
        assertEquals(Outcome.ok(0, "SETUP"), last(steps));
        Ioctl hw = only("SNDRV_PCM_IOCTL_HW_PARAMS");
        assertEquals(FD, hw.fd());
        carries(hw, "snd_pcm_hw_params");
        MemorySegment s = hw.sent();
        assertInt(0, s, "snd_pcm_hw_params.flags");
        assertOnly(s, "ACCESS", ci("SNDRV_PCM_ACCESS_MMAP_INTERLEAVED"));
        assertOnly(s, "FORMAT", ci("SNDRV_PCM_FORMAT_S16_LE"));
        assertOnly(s, "SUBFORMAT", ci("SNDRV_PCM_SUBFORMAT_STD"));
        assertZero(s, "snd_pcm_hw_params.mres");
        Map<Long, Long> exact = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        Map.of("CHANNELS", 2L, "RATE", 48000L, "PERIOD_SIZE", 1024L, "PERIODS", 4L).forEach((p, v) -> {
            String field = "snd_pcm_hw_params.intervals[" + p + "]";
            exact.put(C.offset(field), v);
            names.put(C.offset(field), field);
        });
        long base = C.offset("snd_pcm_hw_params.intervals");
        long size = C.sizeOfStruct("snd_interval");
        assertEquals(12, C.size("snd_pcm_hw_params.intervals") / size);
        for (long at = base; at < base + C.size("snd_pcm_hw_params.intervals"); at += size) {
            MemorySegment i = s.asSlice(at, size);
            String name = names.getOrDefault(at, "snd_pcm_hw_params.intervals[" + (at - base) / size + "]") + " at offset "
                    + at;
            int bits = i.get(JAVA_INT, C.offset("snd_interval.integer"));
            if (exact.containsKey(at)) {
                assertEquals(exact.get(at), (long) intAt(i, "snd_interval.min"), name + ": min");
                assertEquals(exact.get(at), (long) intAt(i, "snd_interval.max"), name + ": max");
                assertEquals(c("mask(snd_interval.integer)"), bits, name + ": integer and nothing else");
            } else {
                assertEquals(0, intAt(i, "snd_interval.min"), name + " is open: min");
                assertEquals(-1, intAt(i, "snd_interval.max"), name + " is open: max");
                assertEquals(0, bits, name + " is open: no flag");
            }
        }
        assertZero(s, "snd_pcm_hw_params.ires");
        assertInt(-1, s, "snd_pcm_hw_params.rmask");
        assertInt(0, s, "snd_pcm_hw_params.cmask");
        assertInt(-1, s, "snd_pcm_hw_params.info");
        for (String f : List.of("msbits", "rate_num", "rate_den", "fifo_size", "sync", "reserved")) {
            assertZero(s, "snd_pcm_hw_params." + f);
        }
    }

    /** The mask of SNDRV_PCM_HW_PARAM_{@code param} has exactly bit {@code bit} set. */
    private static void assertOnly(MemorySegment s, String param, int bit) {
        String field = "snd_pcm_hw_params.masks[" + param + "]";
        assertEquals(C.sizeOfStruct("snd_mask"), C.size(field));
        MemorySegment mask = s.asSlice(C.offset(field) + C.offset("snd_mask.bits"), C.size("snd_mask.bits"));
        assertEquals(c("SNDRV_MASK_MAX") / 8, mask.byteSize());
        for (int b = 0; b < c("SNDRV_MASK_MAX"); b++) {
            boolean set = (mask.get(JAVA_INT, 4L * (b / 32)) & (1 << (b % 32))) != 0;
            assertEquals(b == bit, set, param + " bit " + b);
        }
    }

    @Test
    void swParamsSendsTheThresholdsAndKeepsTheBoundaryTheKernelAnswers() {
        long boundary = 0x4000000000000000L;
        replies.put(c("SNDRV_PCM_IOCTL_SW_PARAMS"), a -> {
            a.set(JAVA_LONG, C.offset("snd_pcm_sw_params.boundary"), boundary);
            return 0;
        });
        run(DECLARE + OPEN + HW_PARAMS + "a sw_params p start_threshold=4096 avail_min=512\n"
                + "a sw_params p stop_threshold=boundary\n");
        List<Ioctl> sw = issued("SNDRV_PCM_IOCTL_SW_PARAMS");
        assertEquals(2, sw.size(), "SNDRV_PCM_IOCTL_SW_PARAMS issued");
        for (Ioctl i : sw) {
            carries(i, "snd_pcm_sw_params");
            MemorySegment s = i.sent();
            assertInt(0, s, "snd_pcm_sw_params.tstamp_mode");
            assertInt(1, s, "snd_pcm_sw_params.period_step");
            assertInt(0, s, "snd_pcm_sw_params.sleep_min");
            assertLong(512, s, "snd_pcm_sw_params.avail_min");
            assertLong(1, s, "snd_pcm_sw_params.xfer_align");
            assertLong(4096, s, "snd_pcm_sw_params.start_threshold");
            assertLong(0, s, "snd_pcm_sw_params.silence_threshold");
            assertLong(0, s, "snd_pcm_sw_params.silence_size");
            assertLong(0, s, "snd_pcm_sw_params.boundary");
            assertInt(UapiStructs.PROTOCOL, s, "snd_pcm_sw_params.proto");
            assertInt(0, s, "snd_pcm_sw_params.tstamp_type");
            assertZero(s, "snd_pcm_sw_params.reserved");
        }
        // stop_threshold: the buffer (4 x 1024 frames) until the script asks for the boundary
        assertLong(4096, sw.get(0).sent(), "snd_pcm_sw_params.stop_threshold");
        assertLong(boundary, sw.get(1).sent(), "snd_pcm_sw_params.stop_threshold");
    }

    // ---- the argument-less ioctls, pause, sync_ptr, transfers ----------------------------------------------

    @Test
    void everyArgumentLessOpIsItsIoctlWithANullArgument() {
        Map<String, String> requests = new LinkedHashMap<>();
        for (String op : List.of("hw_free", "prepare", "start", "drop", "drain", "reset", "xrun", "hwsync",
                "resume")) {
            requests.put(op, "SNDRV_PCM_IOCTL_" + op.toUpperCase(java.util.Locale.ROOT));
        }
        for (Map.Entry<String, String> e : requests.entrySet()) {
            ioctls.clear();
            List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "a " + e.getKey() + " p\n");
            Ioctl i = only(e.getValue());
            assertEquals(FD, i.fd(), e.getKey());
            assertNull(i.sent(), e.getKey() + " passes NULL");
            assertEquals(0, iocSize(i.request()), e.getKey());
            assertEquals(Outcome.ok(0, "OPEN"), last(steps), e.getKey());
        }
    }

    @Test
    void delayAnswersTheFramesTheKernelWrote() {
        state = ci("SNDRV_PCM_STATE_RUNNING");
        replies.put(c("SNDRV_PCM_IOCTL_DELAY"), a -> {
            a.set(JAVA_LONG, 0, 3072);
            return 0;
        });
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "a delay p\n");
        Ioctl i = only("SNDRV_PCM_IOCTL_DELAY");
        assertEquals(iocSize(i.request()), i.sent().byteSize(), "snd_pcm_sframes_t");
        assertEquals(Outcome.ok(3072, "RUNNING"), last(steps));
    }

    /** The DMA overtook appl_ptr: a negative delay is a value (random sequence 407 on the real kernel: -320). */
    @Test
    void aNegativeDelayIsAValueNotAnErrno() {
        state = ci("SNDRV_PCM_STATE_RUNNING");
        replies.put(c("SNDRV_PCM_IOCTL_DELAY"), a -> {
            a.set(JAVA_LONG, 0, -320);
            return 0;
        });
        assertEquals(new Outcome(-320, null, "RUNNING", Map.of()), last(run(DECLARE + OPEN + "a delay p\n")));
    }

    @Test
    void pausePassesItsIntByValue() {
        run(DECLARE + OPEN + "a pause p on\na pause p off\n");
        InOrder order = inOrder(sys);
        order.verify(sys).ioctlValue(FD, c("SNDRV_PCM_IOCTL_PAUSE"), 1);
        order.verify(sys).ioctlValue(FD, c("SNDRV_PCM_IOCTL_PAUSE"), 0);
        assertEquals(4, iocSize(c("SNDRV_PCM_IOCTL_PAUSE")), "an int");
    }

    @Test
    void syncPtrReadsBothPointersOrWritesThem() {
        run(DECLARE + OPEN + HW_PARAMS + "a sync_ptr p\na sync_ptr p appl_ptr=4096\n");
        List<Ioctl> all = issued("SNDRV_PCM_IOCTL_SYNC_PTR");
        assertEquals(c("__SNDRV_PCM_IOCTL_SYNC_PTR64"), all.getFirst().request(), "the kernel's number on x86_64");
        for (Ioctl i : all) {
            carries(i, "snd_pcm_sync_ptr");
            assertEquals(C.sizeOfStruct("__snd_pcm_sync_ptr64"), i.sent().byteSize());
        }
        // the state reads after open and hw_params, then the two ops, each followed by a state read
        assertEquals(6, all.size(), "SNDRV_PCM_IOCTL_SYNC_PTR issued");
        MemorySegment read = all.get(2).sent();
        assertInt(c("SNDRV_PCM_SYNC_PTR_APPL") | c("SNDRV_PCM_SYNC_PTR_AVAIL_MIN"), read, "snd_pcm_sync_ptr.flags");
        MemorySegment write = all.get(4).sent();
        assertInt(0, write, "snd_pcm_sync_ptr.flags");
        assertLong(4096, write, "snd_pcm_sync_ptr.c.control.appl_ptr");
        assertLong(1024, write, "snd_pcm_sync_ptr.c.control.avail_min");
    }

    @Test
    void theStateComesFromSyncPtrAndADisconnectedCardIsDisconnected() {
        state = ci("SNDRV_PCM_STATE_PAUSED");
        assertEquals("PAUSED", last(run(DECLARE + OPEN)).state());
        for (Uapi.Errnum e : List.of(Uapi.Errnum.EBADFD, Uapi.Errnum.ENODEV)) {
            replies.put(c("SNDRV_PCM_IOCTL_SYNC_PTR"), a -> -e.number);
            assertEquals("DISCONNECTED", last(run(DECLARE + OPEN)).state(), e.name());
        }
        replies.put(c("SNDRV_PCM_IOCTL_SYNC_PTR"), a -> -Uapi.Errnum.ENOTTY.number);
        assertNull(last(run(DECLARE + OPEN)).state(), "not a PCM: no state");
    }

    @Test
    void writeiAndReadiCarryAnXferiAndAnswerItsResult() {
        replies.put(c("SNDRV_PCM_IOCTL_WRITEI_FRAMES"), a -> {
            a.set(JAVA_LONG, C.offset("snd_xferi.result"), 256);
            return 0;
        });
        replies.put(c("SNDRV_PCM_IOCTL_READI_FRAMES"), a -> {
            a.set(JAVA_LONG, C.offset("snd_xferi.result"), 128);
            return 0;
        });
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + HW_PARAMS + "a writei p frames=256\na readi p frames=512\n");
        assertEquals(256, steps.get(2).outcome().ret());
        assertEquals(128, steps.get(3).outcome().ret());
        for (String request : List.of("SNDRV_PCM_IOCTL_WRITEI_FRAMES", "SNDRV_PCM_IOCTL_READI_FRAMES")) {
            Ioctl i = only(request);
            carries(i, "snd_xferi");
            assertLong(0, i.sent(), "snd_xferi.result");
            assertNotEquals(0, longAt(i.sent(), "snd_xferi.buf"), "snd_xferi.buf");
        }
        assertLong(256, only("SNDRV_PCM_IOCTL_WRITEI_FRAMES").sent(), "snd_xferi.frames");
        assertLong(512, only("SNDRV_PCM_IOCTL_READI_FRAMES").sent(), "snd_xferi.frames");
    }

    // ---- mappings ---------------------------------------------------------------------------------------

    @Test
    void mmapAndMunmapPassTheScriptsRangeAndFillAndCheckOnlyProbe() {
        long addr = 0x10000000L;
        when(sys.mmap(anyLong(), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(addr);
        pipe(sys, 30, 31);
        List<List<String>> calls = callsPerStep(DECLARE + OPEN + "a mmap p off=4096 len=16384 prot=rw as m\n"
                + "a fill m off=0 len=64 stamp\na check m off=0 len=64\na munmap m\na mmap p len=4096 prot=r as r\n");
        int rw = ci("PROT_READ") | ci("PROT_WRITE");
        assertEquals(List.of("mmap(16384, " + rw + ", " + ci("MAP_SHARED") + ", 5, 4096)", "ioctl(5, SNDRV_PCM_IOCTL_SYNC_PTR)"), calls.get(1));
        // the range is handed to write(2), never touched from Java: one byte of its one page, read back
        assertEquals(List.of("pipe2(" + (ci("O_CLOEXEC") | ci("O_NONBLOCK")) + ")", "write(31, " + addr + ", 1)",
                "read(30, 1)"), calls.get(2).stream().map(c -> c.replaceFirst("^read\\(30, -?\\d+, ", "read(30, "))
                .toList(), "fill");
        assertEquals(List.of("write(31, " + addr + ", 1)", "read(30, 1)"), calls.get(3).stream()
                .map(c -> c.replaceFirst("^read\\(30, -?\\d+, ", "read(30, ")).toList(), "check");
        assertEquals(List.of("munmap(" + addr + ", 16384)"), calls.get(4));
        assertEquals(List.of("mmap(4096, " + ci("PROT_READ") + ", " + ci("MAP_SHARED") + ", 5, 0)", "ioctl(5, SNDRV_PCM_IOCTL_SYNC_PTR)"),
                calls.get(5));
        assertTrue(calls.get(6).containsAll(List.of("close(30)", "close(31)")), "the probe's pipe is closed: "
                + calls.get(6));
    }

    /** pipe2(2) of the double answers {@code read} and {@code write} as its two ends. */
    private static void pipe(SystemCalls sys, int read, int write) {
        when(sys.pipe2(any(MemorySegment.class), anyInt())).thenAnswer(inv -> {
            MemorySegment fds = inv.getArgument(0);
            fds.setAtIndex(JAVA_INT, 0, read);
            fds.setAtIndex(JAVA_INT, 1, write);
            return 0;
        });
    }

    // ---- SIGBUS: fill and check through a mapping the kernel zapped (LIFETIME-REVOKE-ZAP) -----------------

    /**
     * Where write(2) of a page of the range answers EFAULT, the access would have raised SIGBUS: the op's
     * result is SIGBUS (ret -1, no state), as the model gives it, and nothing is touched from Java.
     */
    @Test
    void aFillOrCheckWhosePageFaultsInWriteIsSigbus() {
        long addr = 0x20000000L;
        when(sys.mmap(anyLong(), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(addr);
        pipe(sys, 30, 31);
        // the third page of the mapping is gone: its fault handler answers VM_FAULT_SIGBUS
        when(sys.write(eq(31), anyLong(), eq(1L))).thenAnswer(inv -> {
            long a = inv.getArgument(1);
            return a >= addr + 8192 && a < addr + 12288 ? (long) -Uapi.Errnum.EFAULT.number : 1L;
        });
        when(sys.read(eq(30), anyLong(), anyLong())).thenAnswer(inv -> inv.getArgument(2));
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "a mmap p len=16384 prot=rw as m\n"
                + "a fill m off=0 len=8192 stamp\na fill m off=4096 len=8192 stamp\na check m off=8188 len=8\n"
                + "a check m off=12288 len=4096\na check m off=0 len=0\n");
        Outcome fine = steps.get(2).outcome();
        assertEquals(0, fine.ret());
        assertNull(fine.errno());
        assertTrue(fine.extra().containsKey("unobserved"), "the stamps' counts are not observed: " + fine);
        for (int i : new int[] {3, 4}) {
            Outcome o = steps.get(i).outcome();
            assertEquals(-1, o.ret(), o.toString());
            assertEquals("SIGBUS", o.errno(), o.toString());
            assertNull(o.state());
            assertTrue(String.valueOf(o.extra().get("probe")).contains("EFAULT"), o.toString());
        }
        assertNull(steps.get(5).outcome().errno(), "the page after the zapped one is there");
        assertNull(steps.get(6).outcome().errno(), "an empty range touches no page");
        // every page of a range, each once: 2 + 2 (stopping at the third) + 2 (8188 and 8192) + 1
        verify(sys, org.mockito.Mockito.times(7)).write(eq(31), anyLong(), eq(1L));
        for (long page : new long[] {0, 4096, 8188, 8192, 12288}) {
            verify(sys, org.mockito.Mockito.atLeastOnce()).write(31, addr + page, 1);
        }
    }

    /** A fill or check the model refuses is refused the same way, without a probe. */
    @Test
    void aFillOrCheckOutsideAMappingOrFinerThanAWordIsRefusedWithoutAProbe() {
        when(sys.mmap(anyLong(), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(0x30000000L);
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "a mmap p len=4096 prot=rw as m\n"
                + "a fill m off=4092 len=8 stamp\na check m off=2 len=4\na munmap m\na fill m off=0 len=4 stamp\n");
        assertEquals(Outcome.error("EFAULT", null), steps.get(2).outcome(), "beyond the mapping");
        assertEquals(Outcome.error("EINVAL", null), steps.get(3).outcome(), "finer than a word");
        assertEquals(Outcome.error("EFAULT", null), steps.get(5).outcome(), "an unmapped mapping");
        verify(sys, never()).pipe2(any(MemorySegment.class), anyInt());
        verify(sys, never()).write(anyInt(), anyLong(), anyLong());
    }

    /**
     * A fill through a mapping made without PROT_WRITE is the SIGSEGV of a store to a read-only page, EFAULT as
     * the model answers, though the probe (which only reads the pages) would find them there (e2e random
     * sequence 538); a check through a readable one is probed.
     */
    @Test
    void aFillThroughAReadOnlyMappingIsRefusedWithoutAProbe() {
        when(sys.mmap(anyLong(), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(0x30000000L);
        pipe(sys, 30, 31);
        when(sys.write(eq(31), anyLong(), eq(1L))).thenReturn(1L);
        when(sys.read(eq(30), anyLong(), anyLong())).thenAnswer(inv -> inv.getArgument(2));
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "a mmap p len=4096 prot=r as m\n"
                + "a fill m off=192 len=1576 stamp\na check m off=192 len=1576\n");
        assertEquals(Outcome.error("EFAULT", null), steps.get(2).outcome(), "a store to a read-only mapping");
        assertNull(steps.get(3).outcome().errno(), "a read of it: " + steps.get(3).outcome());
        verify(sys, org.mockito.Mockito.times(1)).write(eq(31), anyLong(), eq(1L));
    }

    /** A probe that fails for another reason than EFAULT is the target's error, never a result. */
    @Test
    void aProbeThatFailsOtherwiseIsATargetError() {
        when(sys.mmap(anyLong(), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(0x30000000L);
        when(sys.pipe2(any(MemorySegment.class), anyInt())).thenReturn(-Uapi.Errnum.EMFILE.number);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> run(DECLARE + OPEN + "a mmap p len=4096 prot=rw as m\na check m off=0 len=4\n"));
        assertEquals("check: probe: EMFILE", e.getMessage());
    }

    @Test
    void munmapOfAMappingAlreadyUnmappedSucceedsWithoutACallAndOfANameNeverMappedIsEinval() {
        // munmap(2) of a range nothing maps is 0, as the model answers (random sequence 4 on the real kernel)
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "a mmap p len=4096 prot=rw as m\na munmap m\na munmap m\n");
        assertEquals(Outcome.ok(0, null), last(steps));
        verify(sys).munmap(anyLong(), anyLong());
        when(sys.mmap(anyLong(), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(-(long) Uapi.Errnum.EINVAL.number);
        steps = run(DECLARE + OPEN + "a mmap p off=100 len=4096 prot=rw as m\na munmap m\n");
        assertEquals("EINVAL", last(steps).errno());
    }

    // ---- dma-buf --------------------------------------------------------------------------------------------

    @Test
    void exportAttachDetachAndSyncCarryTheirStructsAndFlags() {
        int dmabuf = 7;
        replies.put(c("SNDRV_PCM_IOCTL_DMABUF_EXPORT"), a -> {
            a.set(JAVA_INT, C.offset("snd_pcm_dmabuf_export.fd"), dmabuf);
            return 0;
        });
        state = ci("SNDRV_PCM_STATE_SETUP");
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + HW_PARAMS + "a dmabuf_export p as d\na dmabuf_attach p d\n"
                + "a sync d start,write\na sync d end,read\na dmabuf_detach p\n");
        assertEquals(Outcome.ok(dmabuf, "SETUP").with("cloexec", true), steps.get(2).outcome());
        Ioctl export = only("SNDRV_PCM_IOCTL_DMABUF_EXPORT");
        assertEquals(FD, export.fd());
        carries(export, "snd_pcm_dmabuf_export");
        assertInt(ci("O_RDWR") | ci("O_CLOEXEC"), export.sent(), "snd_pcm_dmabuf_export.flags");
        assertInt(-1, export.sent(), "snd_pcm_dmabuf_export.fd");
        assertZero(export.sent(), "snd_pcm_dmabuf_export.reserved");
        Ioctl attach = only("SNDRV_PCM_IOCTL_DMABUF_ATTACH");
        assertEquals(FD, attach.fd());
        carries(attach, "snd_pcm_dmabuf_attach");
        assertInt(dmabuf, attach.sent(), "snd_pcm_dmabuf_attach.fd");
        assertInt(0, attach.sent(), "snd_pcm_dmabuf_attach.flags");
        assertZero(attach.sent(), "snd_pcm_dmabuf_attach.reserved");
        List<Ioctl> syncs = issued("DMA_BUF_IOCTL_SYNC");
        assertEquals(2, syncs.size(), "DMA_BUF_IOCTL_SYNC issued");
        for (Ioctl s : syncs) {
            assertEquals(dmabuf, s.fd());
            carries(s, "dma_buf_sync");
        }
        assertLong(c("DMA_BUF_SYNC_START") | c("DMA_BUF_SYNC_WRITE"), syncs.get(0).sent(), "dma_buf_sync.flags");
        assertLong(c("DMA_BUF_SYNC_END") | c("DMA_BUF_SYNC_READ"), syncs.get(1).sent(), "dma_buf_sync.flags");
        Ioctl detach = only("SNDRV_PCM_IOCTL_DMABUF_DETACH");
        assertEquals(FD, detach.fd());
        assertNull(detach.sent());
        assertEquals(0, iocSize(detach.request()));
    }

    /**
     * The bytes of each argument, whole: revision 2's EXPORT of an O_RDONLY export and of an O_RDWR one (both
     * O_CLOEXEC, which a script cannot observe: it has no exec), ATTACH of the fd EXPORT wrote back.
     */
    @Test
    void revisionTwoArgumentsAreTheseBytes() {
        replies.put(c("SNDRV_PCM_IOCTL_DMABUF_EXPORT"), a -> {
            a.set(JAVA_INT, C.offset("snd_pcm_dmabuf_export.fd"), 9);
            return 0;
        });
        run(DECLARE + "a open pcm0 rdonly as p\n" + HW_PARAMS + "a dmabuf_export p rdonly as r\n"
                + "a dmabuf_export p as w\na dmabuf_attach p r\n");
        verify(sys).open(PCM0, ci("O_RDONLY") | ci("O_CLOEXEC") | ci("O_NONBLOCK"));
        List<Ioctl> exports = issued("SNDRV_PCM_IOCTL_DMABUF_EXPORT");
        assertEquals(2, exports.size());
        // little-endian words: flags, fd (-1: the kernel writes it), six reserved zeros
        int cloexec = ci("O_CLOEXEC");
        assertEquals(List.of(ci("O_RDONLY") | cloexec, -1, 0, 0, 0, 0, 0, 0), words(exports.get(0).sent()), "rdonly");
        assertEquals(List.of(ci("O_RDWR") | cloexec, -1, 0, 0, 0, 0, 0, 0), words(exports.get(1).sent()), "rdwr");
        assertEquals(0x80000, cloexec, "O_CLOEXEC of x86_64 and arm64");
        // fd, flags 0, six reserved zeros
        assertEquals(List.of(9, 0, 0, 0, 0, 0, 0, 0), words(only("SNDRV_PCM_IOCTL_DMABUF_ATTACH").sent()));
    }

    /**
     * A script's own argument (UAPI-ARG-FIRST): the flags word and a reserved word as written, a faulting pointer
     * into the first page; the new fd's close-on-exec as fcntl(F_GETFD) tells it (UAPI-EXPORT-FLAGS).
     */
    @Test
    void rawArgumentsReachTheIoctlAsWritten() {
        int dmabuf = 12;
        replies.put(c("SNDRV_PCM_IOCTL_DMABUF_EXPORT"), a -> {
            if (a.address() < 4096) {
                return -Errno.EFAULT.number;
            }
            a.set(JAVA_INT, C.offset("snd_pcm_dmabuf_export.fd"), dmabuf);
            return 0;
        });
        when(sys.fcntl(eq(dmabuf), eq(ci("F_GETFD")), anyInt())).thenReturn(0);
        state = ci("SNDRV_PCM_STATE_SETUP");
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + HW_PARAMS
                + "a dmabuf_export p flags=0x2 as d\n"
                + "a dmabuf_export p flags=0x40000002 reserved=7 reserved_word=5 as x\n"
                + "a dmabuf_export p arg=fault as y\n"
                + "a dmabuf_attach p d flags=1 reserved=0x80000000 reserved_word=2\n"
                + "a dmabuf_attach p d arg=fault\n");
        assertEquals(DmabufArg.O_CLOEXEC, ci("O_CLOEXEC"), "the model's O_CLOEXEC");
        assertEquals(Outcome.ok(dmabuf, "SETUP").with("cloexec", false), steps.get(2).outcome());
        assertEquals(Outcome.error("EFAULT", "SETUP"), steps.get(4).outcome());
        List<Ioctl> exports = issued("SNDRV_PCM_IOCTL_DMABUF_EXPORT");
        assertEquals(List.of(ci("O_RDWR"), -1, 0, 0, 0, 0, 0, 0), words(exports.get(0).sent()), "no O_CLOEXEC");
        assertEquals(List.of(0x40000002, -1, 0, 0, 0, 0, 0, 7), words(exports.get(1).sent()), "reserved[5]");
        assertEquals(1, exports.get(2).sent().address(), "a pointer into the first page");
        List<Ioctl> attaches = issued("SNDRV_PCM_IOCTL_DMABUF_ATTACH");
        assertEquals(List.of(dmabuf, 1, 0, 0, 0x80000000, 0, 0, 0), words(attaches.get(0).sent()), "reserved[2]");
        assertEquals(1, attaches.get(1).sent().address());
    }

    /**
     * A read-only argument (UAPI-EXPORT-WRITEBACK): the struct copied into a page of /dev/zero that mprotect()
     * made read-only before the ioctl, which gets that page; the page unmapped after, the fd of /dev/zero closed.
     */
    @Test
    void aReadOnlyArgumentIsACopyInAPageMadeReadOnly() {
        int zero = 40;
        int dmabuf = 12;
        MemorySegment page = Arena.ofAuto().allocate(4096, 4096);
        when(sys.open(eq("/dev/zero"), anyInt())).thenReturn(zero);
        when(sys.mmap(4096, UapiStructs.PROT_READ | UapiStructs.PROT_WRITE, UapiStructs.MAP_SHARED, zero, 0)).thenReturn(page.address());
        replies.put(c("SNDRV_PCM_IOCTL_DMABUF_EXPORT"), a -> {
            if (a.address() == page.address()) {
                return -Errno.EFAULT.number;
            }
            a.set(JAVA_INT, C.offset("snd_pcm_dmabuf_export.fd"), dmabuf);
            return 0;
        });
        state = ci("SNDRV_PCM_STATE_SETUP");
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + HW_PARAMS
                + "a dmabuf_export p arg=readonly as x\n"
                + "a dmabuf_export p as d\n"
                + "a dmabuf_attach p d arg=readonly\n");
        assertEquals(Outcome.error("EFAULT", "SETUP"), steps.get(2).outcome());
        assertEquals("SETUP", steps.get(4).outcome().state());
        assertNull(steps.get(4).outcome().errno());
        List<Ioctl> exports = issued("SNDRV_PCM_IOCTL_DMABUF_EXPORT");
        assertEquals(List.of(ci("O_RDWR") | ci("O_CLOEXEC"), -1, 0, 0, 0, 0, 0, 0), words(exports.get(0).sent()));
        assertEquals(List.of(dmabuf, 0, 0, 0, 0, 0, 0, 0), words(only("SNDRV_PCM_IOCTL_DMABUF_ATTACH").sent()));
        var order = inOrder(sys);
        for (int i = 0; i < 2; i++) {
            order.verify(sys).mmap(4096, UapiStructs.PROT_READ | UapiStructs.PROT_WRITE, UapiStructs.MAP_SHARED, zero, 0);
            order.verify(sys).close(zero);
            order.verify(sys).mprotect(page.address(), 4096, UapiStructs.PROT_READ);
            order.verify(sys).ioctl(eq(FD), anyLong(), any(MemorySegment.class));
            order.verify(sys).munmap(page.address(), 4096);
        }
    }

    private static List<Integer> words(MemorySegment s) {
        List<Integer> w = new ArrayList<>();
        for (long i = 0; i < s.byteSize() / 4; i++) {
            w.add(s.getAtIndex(JAVA_INT, i));
        }
        return w;
    }

    /**
     * {@code --uapi 1}: revision 1's numbers and bare ints (UAPI-V1), the fd read back from the int; a script
     * with an {@code rdonly} export does not apply, since revision 1 has no access mode.
     */
    @Test
    void revisionOneIssuesTheBareIntIoctls() {
        replies.put(c("SNDRV_PCM_IOCTL_DMABUF_EXPORT_V1"), a -> {
            assertEquals(-1, a.get(JAVA_INT, 0), "the int the kernel writes the fd to");
            a.set(JAVA_INT, 0, 11);
            return 0;
        });
        state = ci("SNDRV_PCM_STATE_SETUP");
        List<ScriptRunner.Step> steps;
        try (DeviceTarget t = new DeviceTarget(CARDS, sys, Uapi.Revision.V1)) {
            assertEquals(Uapi.Revision.V1, t.uapi());
            steps = ScriptRunner.run(parse(DECLARE + OPEN + HW_PARAMS + "a dmabuf_export p as d\n"
                    + "a dmabuf_attach p d\na dmabuf_detach p\n"), t);
        }
        assertEquals(Outcome.ok(11, "SETUP").with("cloexec", true), steps.get(2).outcome());
        Ioctl export = only("SNDRV_PCM_IOCTL_DMABUF_EXPORT_V1");
        assertEquals(4, export.sent().byteSize());
        assertEquals(4, iocSize(export.request()));
        Ioctl attach = only("SNDRV_PCM_IOCTL_DMABUF_ATTACH_V1");
        assertEquals(List.of(11), words(attach.sent()));
        assertEquals(4, iocSize(attach.request()));
        assertNull(only("SNDRV_PCM_IOCTL_DMABUF_DETACH").sent());
        assertEquals(List.of(), issued("SNDRV_PCM_IOCTL_DMABUF_EXPORT"), "no revision-2 ioctl");
        assertEquals(List.of(), issued("SNDRV_PCM_IOCTL_DMABUF_ATTACH"), "no revision-2 ioctl");

        Script rdonly = parse(DECLARE + OPEN + HW_PARAMS + "a dmabuf_export p rdonly as d\n");
        assertEquals("line 6: dmabuf_export rdonly (uAPI revision 1 has no access mode: every export is O_RDWR)",
                DeviceTarget.notApplicable(rdonly, CARDS, Uapi.Revision.V1));
        assertNull(DeviceTarget.notApplicable(rdonly, CARDS, Uapi.Revision.V2));
        assertNull(DeviceTarget.notApplicable(rdonly, CARDS), "revision 2 unless told otherwise");
        Script raw = parse(DECLARE + OPEN + HW_PARAMS + "a dmabuf_export p as d\na dmabuf_attach p d reserved=1\n");
        assertEquals("line 7: dmabuf_attach with flags=, reserved= or arg=: --target device speaks uAPI revision"
                + " 1, whose argument is a bare int (UAPI-V1)", DeviceTarget.notApplicable(raw, CARDS, Uapi.Revision.V1));
        assertNull(DeviceTarget.notApplicable(raw, CARDS, Uapi.Revision.V2));
    }

    /** Without a revision named, the target issues revision 2's ioctls, the series': it never probes. */
    @Test
    void revisionTwoIsTheDefaultAndNothingIsProbed() {
        try (DeviceTarget t = new DeviceTarget(CARDS, sys)) {
            assertEquals(Uapi.Revision.V2, t.uapi());
        }
        replies.put(c("SNDRV_PCM_IOCTL_DMABUF_EXPORT"), a -> -Uapi.Errnum.ENOTTY.number);
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + HW_PARAMS + "a dmabuf_export p as d\n");
        // a kernel without revision 2 answers ENOTTY, and that is the result: no fallback to revision 1
        assertEquals("ENOTTY", last(steps).errno());
        assertEquals(1, issued("SNDRV_PCM_IOCTL_DMABUF_EXPORT").size());
        assertEquals(List.of(), issued("SNDRV_PCM_IOCTL_DMABUF_EXPORT_V1"));
    }

    // ---- fds and processes ----------------------------------------------------------------------------------

    @Test
    void closeClosesOnceAndAClosedNameIsEbadfWithoutACall() {
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "a close p\na close p\n");
        assertEquals(0, steps.get(1).outcome().ret());
        assertEquals("EBADF", last(steps).errno());
        verify(sys).close(FD);
    }

    @Test
    void dupGivesTheProcessTheNewFd() {
        when(sys.dup(FD)).thenReturn(9);
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "a dup p as q\na close q\n");
        assertEquals(9, steps.get(1).outcome().ret());
        verify(sys).close(9);
    }

    @Test
    void sendPassesTheFdWithScmRightsOverASocketPair() {
        int sender = 20;
        int receiver = 21;
        int received = 11;
        when(sys.socketpair(anyInt(), anyInt(), anyInt(), any(MemorySegment.class))).thenAnswer(inv -> {
            MemorySegment sv = inv.getArgument(3);
            sv.setAtIndex(JAVA_INT, 0, sender);
            sv.setAtIndex(JAVA_INT, 1, receiver);
            return 0;
        });
        AtomicReference<String> sent = new AtomicReference<>();
        when(sys.sendmsg(eq(sender), any(MemorySegment.class), eq(0))).thenAnswer(inv -> {
            sent.set(scmRights(inv.getArgument(1)));
            return 1L;
        });
        when(sys.recvmsg(eq(receiver), any(MemorySegment.class), anyInt())).thenAnswer(inv -> {
            MemorySegment control = pointee(inv.getArgument(1), "msghdr.msg_control", C.get("CMSG_SPACE(sizeof(int))"));
            control.set(JAVA_LONG, C.offset("cmsghdr.cmsg_len"), c("CMSG_LEN(sizeof(int))"));
            control.set(JAVA_INT, C.offset("cmsghdr.cmsg_level"), ci("SOL_SOCKET"));
            control.set(JAVA_INT, C.offset("cmsghdr.cmsg_type"), ci("SCM_RIGHTS"));
            control.set(JAVA_INT, C.offset("cmsghdr.data"), received);
            return 1L;
        });
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "a send p b as q\nb close q\n");
        verify(sys).socketpair(eq(ci("AF_UNIX")), eq(ci("SOCK_STREAM") | ci("SOCK_CLOEXEC")), eq(0),
                any(MemorySegment.class));
        verify(sys).recvmsg(eq(receiver), any(MemorySegment.class), eq(ci("MSG_CMSG_CLOEXEC")));
        assertEquals("1 byte, cmsg len " + c("CMSG_LEN(sizeof(int))") + " level " + c("SOL_SOCKET") + " type "
                + c("SCM_RIGHTS") + " fd " + FD + ", controllen " + c("CMSG_SPACE(sizeof(int))"), sent.get());
        assertEquals(received, steps.get(1).outcome().ret());
        assertEquals("OPEN", steps.get(1).outcome().state(), "the receiver holds the PCM");
        verify(sys).close(sender);
        verify(sys).close(receiver);
        verify(sys).close(received);
    }

    /** A sent msghdr as the kernel's ___sys_sendmsg() reads it, at the offsets of the host's struct msghdr. */
    private static String scmRights(MemorySegment msg) {
        assertEquals(C.sizeOfStruct("msghdr"), msg.byteSize());
        assertLong(0, msg, "msghdr.msg_name");
        assertInt(0, msg, "msghdr.msg_namelen");
        assertLong(1, msg, "msghdr.msg_iovlen");
        assertInt(0, msg, "msghdr.msg_flags");
        MemorySegment iov = pointee(msg, "msghdr.msg_iov", C.sizeOfStruct("iovec"));
        assertNotEquals(0, longAt(iov, "iovec.iov_base"));
        MemorySegment control = pointee(msg, "msghdr.msg_control", longAt(msg, "msghdr.msg_controllen"));
        return longAt(iov, "iovec.iov_len") + " byte, cmsg len " + longAt(control, "cmsghdr.cmsg_len") + " level "
                + intAt(control, "cmsghdr.cmsg_level") + " type " + intAt(control, "cmsghdr.cmsg_type") + " fd "
                + intAt(control, "cmsghdr.data") + ", controllen " + longAt(msg, "msghdr.msg_controllen");
    }

    @SuppressWarnings("restricted") // reads the memory a pointer field of the target's own struct points to
    private static MemorySegment pointee(MemorySegment s, String field, long size) {
        assertEquals(ADDRESS.byteSize(), C.size(field), field);
        return s.get(ADDRESS, C.offset(field)).reinterpret(size);
    }

    @Test
    void exitUnmapsAndClosesWhatTheProcessHoldsAndNothingElse() {
        long addr = 0x10000000L;
        when(sys.mmap(anyLong(), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(addr);
        when(sys.open(anyString(), anyInt())).thenReturn(FD, 6);
        List<List<String>> calls = callsPerStep(DECLARE + OPEN + "b open pcm0 nonblock as p\n"
                + "a mmap p len=4096 prot=rw as m\na exit\n");
        assertEquals(List.of("munmap(" + addr + ", 4096)", "close(5)"), calls.get(3));
        assertEquals(List.of("close(6)"), calls.getLast(), "b's fd, when the target closes after the script");
    }

    // ---- card events, time, leaks ---------------------------------------------------------------------------

    @Test
    void disconnectUnbindsTheDriverInAThreadThatWaitsForTheLastFileAndBindsItAgainAtTheEnd() throws Exception {
        String driver = "/sys/bus/platform/drivers/snd_dummy/";
        AtomicBoolean node = new AtomicBoolean(true);
        CountDownLatch lastFileClosed = new CountDownLatch(1);
        AtomicReference<String> unbinder = new AtomicReference<>();
        when(sys.exists(PCM0)).thenAnswer(inv -> node.get());
        when(sys.writeAttribute(driver + "unbind", "snd_dummy.0")).thenAnswer(inv -> {
            unbinder.set(Thread.currentThread().getName());
            node.set(false); // snd_card_disconnect(): the device nodes go at once
            return lastFileClosed.await(10, TimeUnit.SECONDS) ? 0 : -Uapi.Errnum.ETIMEDOUT.number;
        });
        when(sys.writeAttribute(driver + "bind", "snd_dummy.0")).thenAnswer(inv -> {
            node.set(true);
            return 0;
        });
        when(sys.close(FD)).thenAnswer(inv -> {
            lastFileClosed.countDown();
            return 0;
        });
        replies.put(c("SNDRV_PCM_IOCTL_HW_PARAMS"), a -> -Uapi.Errnum.ENODEV.number);
        replies.put(c("SNDRV_PCM_IOCTL_SYNC_PTR"), a -> -Uapi.Errnum.ENODEV.number);
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "disconnect pcm0\n" + HW_PARAMS);
        assertEquals(Outcome.ok(0, null), steps.get(1).outcome(), "the disconnect returns while the unbind waits");
        assertEquals(Outcome.error("ENODEV", "DISCONNECTED"), steps.get(2).outcome());
        assertEquals("unbind snd_dummy.0", unbinder.get());
        InOrder order = inOrder(sys);
        order.verify(sys).writeAttribute(driver + "unbind", "snd_dummy.0");
        order.verify(sys).close(FD);
        order.verify(sys).writeAttribute(driver + "bind", "snd_dummy.0");
        assertTrue(node.get(), "bound again");
    }

    @Test
    void anUnbindThatFailsAtOnceIsTheDisconnectsErrnoAndNothingIsBoundAgain() {
        when(sys.exists(PCM0)).thenReturn(true);
        when(sys.writeAttribute(anyString(), anyString())).thenReturn(-Uapi.Errnum.EACCES.number);
        List<ScriptRunner.Step> steps = run(DECLARE + OPEN + "disconnect pcm0\n");
        assertEquals(Outcome.error("EACCES", null), last(steps));
        verify(sys).writeAttribute("/sys/bus/platform/drivers/snd_dummy/unbind", "snd_dummy.0");
        verify(sys, never()).writeAttribute(eq("/sys/bus/platform/drivers/snd_dummy/bind"), anyString());
    }

    /** dma_debug is not observed on a real kernel: it says so, with why, and calls nothing. */
    @Test
    void dmaDebugIsSkippedSayingWhyAndCallsNothing() {
        Outcome o = last(run(DECLARE + "dma_debug\n"));
        assertEquals(0, o.ret());
        assertNull(o.errno());
        assertTrue(String.valueOf(o.extra().get("skipped")).startsWith("dma_debug: not observed: "), o.toString());
        assertNull(o.extra().get("mappings"), "no counts the kernel was not asked for");
        assertNull(o.extra().get("overlaps"), "no counts the kernel was not asked for");
        assertEquals(List.of(), mockingDetails(sys).getInvocations());
    }

    @Test
    void suspendAdvanceAndLeaksCallNothing() {
        List<ScriptRunner.Step> steps = run(DECLARE + "suspend pcm0\nadvance 1ms\nleaks\na leaks\n");
        assertEquals(Outcome.error("ENOSYS", null), steps.get(0).outcome(), "no per-card suspend from user space");
        assertTrue(steps.get(1).outcome().extra().containsKey("timed"));
        assertTrue(steps.get(2).outcome().extra().containsKey("skipped"));
        assertTrue(steps.get(3).outcome().extra().containsKey("skipped"));
        assertEquals(List.of(), mockingDetails(sys).getInvocations());
    }

    /**
     * The calls each op made, as {@code name(args)} with ioctl requests by their C name; one more list at the
     * end for what the target's close did.
     */
    private List<List<String>> callsPerStep(String script) {
        List<List<String>> per = new ArrayList<>();
        int[] seen = {0};
        try (DeviceTarget t = new DeviceTarget(CARDS, sys)) {
            ScriptRunner.run(parse(script), t, step -> {
                List<String> all = calls();
                per.add(all.subList(seen[0], all.size()));
                seen[0] = all.size();
            });
        }
        List<String> all = calls();
        per.add(all.subList(seen[0], all.size()));
        return per;
    }

    private List<String> calls() {
        List<String> out = new ArrayList<>();
        for (Invocation i : mockingDetails(sys).getInvocations()) {
            List<String> args = new ArrayList<>();
            for (Object a : i.getArguments()) {
                args.add(a instanceof MemorySegment ? null : String.valueOf(a));
            }
            if (i.getMethod().getName().startsWith("ioctl")) {
                long request = (Long) i.getArguments()[1];
                args.set(1, C.entries.entrySet().stream().filter(e -> e.getKey().startsWith("SNDRV_PCM_IOCTL_")
                        && e.getValue() == request).map(Map.Entry::getKey).findFirst().orElse(args.get(1)));
            }
            args.removeIf(a -> a == null);
            out.add(i.getMethod().getName() + "(" + String.join(", ", args) + ")");
        }
        return out;
    }

    // ---- every errno of every call, every op of the language -----------------------------------------------

    /** One op of the language: a script ending with it, and how to make its system call fail (null: it makes none). */
    record OpCase(String name, String script, Failure failure) {
    }

    interface Failure {
        void stub(SystemCalls sys, int errno);
    }

    private static Failure ioctl(String request) {
        return (sys, e) -> when(sys.ioctl(anyInt(), eq(c(request)), any(MemorySegment.class))).thenReturn(-e);
    }

    static List<OpCase> ops() {
        String pcm = DECLARE + OPEN;
        String mapped = pcm + "a mmap p len=4096 prot=rw as m\n";
        String exported = pcm + "a dmabuf_export p as d\n";
        List<OpCase> l = new ArrayList<>();
        l.add(new OpCase("open", DECLARE + OPEN, (sys, e) -> when(sys.open(anyString(), anyInt())).thenReturn(-e)));
        l.add(new OpCase("hw_params", pcm + HW_PARAMS, ioctl("SNDRV_PCM_IOCTL_HW_PARAMS")));
        l.add(new OpCase("sw_params", pcm + "a sw_params p avail_min=1\n", ioctl("SNDRV_PCM_IOCTL_SW_PARAMS")));
        for (String op : List.of("hw_free", "prepare", "start", "drop", "drain", "reset", "xrun", "hwsync", "delay",
                "resume")) {
            l.add(new OpCase(op, pcm + "a " + op + " p\n",
                    ioctl("SNDRV_PCM_IOCTL_" + op.toUpperCase(java.util.Locale.ROOT))));
        }
        l.add(new OpCase("pause", pcm + "a pause p on\n",
                (sys, e) -> when(sys.ioctlValue(anyInt(), eq(c("SNDRV_PCM_IOCTL_PAUSE")), anyLong())).thenReturn(-e)));
        l.add(new OpCase("sync_ptr", pcm + "a sync_ptr p appl_ptr=1\n", ioctl("SNDRV_PCM_IOCTL_SYNC_PTR")));
        l.add(new OpCase("writei", pcm + "a writei p frames=1\n", ioctl("SNDRV_PCM_IOCTL_WRITEI_FRAMES")));
        l.add(new OpCase("readi", pcm + "a readi p frames=1\n", ioctl("SNDRV_PCM_IOCTL_READI_FRAMES")));
        l.add(new OpCase("mmap", mapped,
                (sys, e) -> when(sys.mmap(anyLong(), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn((long) -e)));
        l.add(new OpCase("munmap", mapped + "a munmap m\n",
                (sys, e) -> when(sys.munmap(anyLong(), anyLong())).thenReturn(-e)));
        l.add(new OpCase("fill", mapped + "a fill m off=0 len=64 stamp\n", null));
        l.add(new OpCase("check", mapped + "a check m off=0 len=64\n", null));
        l.add(new OpCase("sync", exported + "a sync d start,write\n", ioctl("DMA_BUF_IOCTL_SYNC")));
        l.add(new OpCase("dmabuf_export", exported, ioctl("SNDRV_PCM_IOCTL_DMABUF_EXPORT")));
        l.add(new OpCase("dmabuf_attach", exported + "a dmabuf_attach p d\n", ioctl("SNDRV_PCM_IOCTL_DMABUF_ATTACH")));
        l.add(new OpCase("dmabuf_detach", pcm + "a dmabuf_detach p\n", ioctl("SNDRV_PCM_IOCTL_DMABUF_DETACH")));
        // snd_pcm_link() takes the other fd as the argument's value
        l.add(new OpCase("link", pcm + "a link p p\n",
                (sys, e) -> when(sys.ioctlValue(anyInt(), eq(c("SNDRV_PCM_IOCTL_LINK")), anyLong())).thenReturn(-e)));
        l.add(new OpCase("unlink", pcm + "a unlink p\n", ioctl("SNDRV_PCM_IOCTL_UNLINK")));
        l.add(new OpCase("close", pcm + "a close p\n", (sys, e) -> when(sys.close(anyInt())).thenReturn(-e)));
        l.add(new OpCase("dup", pcm + "a dup p as q\n", (sys, e) -> when(sys.dup(anyInt())).thenReturn(-e)));
        l.add(new OpCase("open_path", pcm + "a open_path p as o\n",
                (sys, e) -> when(sys.open(startsWith("/proc/self/fd/"), anyInt())).thenReturn(-e)));
        l.add(new OpCase("send", pcm + "a send p b as q\n", (sys, e) -> when(sys.socketpair(anyInt(), anyInt(),
                anyInt(), any(MemorySegment.class))).thenReturn(-e)));
        l.add(new OpCase("send", pcm + "a send p b as q\n",
                (sys, e) -> when(sys.sendmsg(anyInt(), any(MemorySegment.class), anyInt())).thenReturn((long) -e)));
        l.add(new OpCase("send", pcm + "a send p b as q\n",
                (sys, e) -> when(sys.recvmsg(anyInt(), any(MemorySegment.class), anyInt())).thenReturn((long) -e)));
        l.add(new OpCase("exit", mapped + "a exit\n", null));
        l.add(new OpCase("leaks", pcm + "leaks\n", null));
        l.add(new OpCase("dma_debug", pcm + "dma_debug\n", null));
        l.add(new OpCase("suspend", pcm + "suspend pcm0\n", null));
        l.add(new OpCase("disconnect", pcm + "disconnect pcm0\n", (sys, e) -> {
            when(sys.exists(anyString())).thenReturn(true);
            when(sys.writeAttribute(anyString(), anyString())).thenReturn(-e);
        }));
        l.add(new OpCase("advance", pcm + "advance 1us\n", null));
        return l;
    }

    /**
     * Every errno the headers define, a kernel-internal one (ENOTSUPP) and a number no header defines, returned by
     * each op's system call, is that op's result, by the headers' name: the device target's errno mapping.
     */
    @Test
    void everyErrnoOfEveryCallIsTheOpsResult() {
        Map<Integer, String> errnos = new LinkedHashMap<>();
        C.errnos.forEach((name, number) -> errnos.put(number, name));
        errnos.put(Uapi.Errnum.ENOTSUPP.number, "ENOTSUPP");
        errnos.put(41, "E41");
        int calls = 0;
        for (OpCase op : ops()) {
            if (op.failure() == null) {
                continue;
            }
            for (Map.Entry<Integer, String> e : errnos.entrySet()) {
                SystemCalls failing = mock(SystemCalls.class);
                op.failure().stub(failing, e.getKey());
                Outcome o = last(run(failing, op.script()));
                assertEquals(e.getValue(), o.errno(), op.name() + " failing with " + e.getKey());
                assertEquals(-1, o.ret(), op.name());
            }
            calls++;
        }
        assertEquals(32, calls, "system calls made to fail, each with " + errnos.size() + " errnos");
    }

    /**
     * The ops above are the language: every op name of docs/op-scripts.md and every kind of {@link Op}, but the
     * model-only ops of docs/designs.md, which the device target refuses ({@link #aModelOnlyOpIsRefusedInOneLine}),
     * fail_nth, which only the harness injects ({@link #aFaultIsRefusedInOneLine}), and the pins and other
     * drivers' imports it does not make yet ({@link #aPinIsRefusedInOneLine}, {@link #anImportIsRefusedInOneLine}).
     */
    @Test
    void theOpsCoveredAreEveryOpOfTheLanguage() throws IOException {
        Set<String> covered = new TreeSet<>();
        Set<Class<?>> kinds = new LinkedHashSet<>();
        for (OpCase op : ops()) {
            Op last = parse(op.script()).ops().getLast();
            assertEquals(op.name(), last.name(), op.script());
            covered.add(last.name());
            kinds.add(last.getClass());
        }
        Set<String> language = new TreeSet<>(grammar());
        language.removeAll(Set.of("restrict", "buffer_fd", "fail_nth", "gup", "unpin", "import"));
        assertEquals(language, covered);
        Set<Class<?>> allKinds = new LinkedHashSet<>(Set.of(Op.class.getPermittedSubclasses()));
        allKinds.removeAll(Set.of(Op.Restrict.class, Op.BufferFd.class, Op.FailNth.class, Op.Gup.class,
                Op.Unpin.class, Op.Import.class));
        assertEquals(allKinds, kinds);
        assertEquals(37, covered.size());
    }

    /**
     * open_path opens the fd's magic link with O_PATH (PLAT-FILE-LIFETIME): the kernel's O_PATH file holds the
     * path, so the dma-buf's dentry, of the fd; its fd is the script process's, closed by its exit.
     */
    @Test
    void openPathOpensTheMagicLinkWithOPath() {
        SystemCalls sys = mock(SystemCalls.class);
        when(sys.open(startsWith("/proc/self/fd/"), anyInt())).thenReturn(7);
        Outcome o = last(run(sys, DECLARE + OPEN + "a open_path p as o\n"));
        assertEquals(7, o.ret());
        assertEquals(null, o.errno());
        verify(sys).open("/proc/self/fd/0", UapiStructs.O_PATH | UapiStructs.O_CLOEXEC);
        verify(sys).close(7);
    }

    @Test
    void aModelOnlyOpIsRefusedInOneLine() {
        for (String op : List.of("restrict p producer", "buffer_fd p as b")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> run(mock(SystemCalls.class), DECLARE + OPEN + "a " + op + "\n"));
            assertEquals("line 5: op " + op.split(" ")[0] + " is model-only (docs/designs.md); --target device does"
                    + " not implement it", e.getMessage());
        }
    }

    @Test
    void aFaultIsRefusedInOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(mock(SystemCalls.class), DECLARE + "fail_nth 1\n" + OPEN));
        assertEquals("line 4: fail_nth: --target device cannot inject faults into the kernel code (--target harness"
                + " does)", e.getMessage());
    }

    @Test
    void aPinIsRefusedInOneLine() {
        for (String op : List.of("gup m", "unpin m")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(
                    mock(SystemCalls.class), DECLARE + OPEN + "a mmap p len=4096 prot=rw as m\na " + op + "\n"));
            assertEquals("line 6: " + op.split(" ")[0] + ": --target device does not pin pages yet (the model and"
                    + " --target harness do)", e.getMessage());
        }
    }

    @Test
    void anImportIsRefusedInOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(
                mock(SystemCalls.class), DECLARE + OPEN + "a import p\n"));
        assertEquals("line 5: import: --target device has no importer of another driver to drive yet (the model and"
                + " --target harness do)", e.getMessage());
    }

    @Test
    void aPrivateMappingIsAskedWithMapPrivate() {
        when(sys.mmap(anyLong(), anyInt(), anyInt(), anyInt(), anyLong())).thenReturn(-(long) Uapi.Errnum.EINVAL.number);
        pipe(sys, 30, 31);
        List<List<String>> calls = callsPerStep(DECLARE + OPEN + "a hw_params p access=MMAP_INTERLEAVED format=S16_LE"
                + " channels=2 rate=48000 period_frames=1024 periods=4\na dmabuf_export p as d\n"
                + "a mmap d len=4096 prot=rw private as m\n");
        String asked = "mmap(4096, " + (ci("PROT_READ") | ci("PROT_WRITE")) + ", " + ci("MAP_PRIVATE") + ", ";
        assertTrue(calls.get(3).stream().anyMatch(c -> c.startsWith(asked) && c.endsWith(", 0)")),
                calls.get(3).toString());
    }

    /** The op names of the grammar block of docs/op-scripts.md. */
    private static Set<String> grammar() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "op-scripts.md"), StandardCharsets.UTF_8);
        int start = doc.indexOf("```\n") + 4;
        Set<String> names = new TreeSet<>();
        for (String line : doc.substring(start, doc.indexOf("```", start)).split("\n")) {
            String l = line.replaceFirst("#.*", "").strip();
            // declarations, the device line's continuations, and a concurrent group's brackets around its ops
            if (l.isEmpty() || l.startsWith("device ") || l.startsWith("proc ") || l.startsWith("[")
                    || l.equals("concurrently") || l.equals("end") || l.startsWith("OP ")) {
                continue;
            }
            for (String alternative : l.replaceFirst("^PROC ", "").split(" \\| ")) {
                names.addAll(List.of(alternative.strip().split(" ")[0].split("\\|")));
            }
        }
        return names;
    }
}
