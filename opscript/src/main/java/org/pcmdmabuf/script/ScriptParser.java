package org.pcmdmabuf.script;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.pcmdmabuf.model.Access;
import org.pcmdmabuf.model.BufferType;
import org.pcmdmabuf.model.DmaBufSync;
import org.pcmdmabuf.model.DmabufArg;
import org.pcmdmabuf.model.DmabufOptIn;
import org.pcmdmabuf.model.DriverProfile;
import org.pcmdmabuf.model.Format;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.model.PcmRole;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.model.SwParams;

/**
 * Parses and statically checks op scripts (docs/op-scripts.md). Every error names the line and the
 * offending token. Checks that need no target: known ops and keys, well-formed values, declared devices and
 * processes, names bound before use and of the right kind (fd or mapping), no op by a process after its exit,
 * and the {@link Limits} a script must keep so that no target runs out of time or memory on it.
 */
public final class ScriptParser {
    private static final Set<String> SIMPLE_OPS =
            Set.of("hw_free", "prepare", "start", "drop", "drain", "reset", "xrun", "hwsync", "delay", "resume");

    private enum Kind { FD, MAP }

    private final List<PcmHardware> devices = new ArrayList<>();
    private final Map<String, PcmHardware> deviceByName = new HashMap<>();
    private final Map<String, Map<String, Kind>> names = new LinkedHashMap<>();
    /**
     * "PROC NAME" of the fd names bound to a dma-buf (by dmabuf_export, or a dup or send of one): only those may
     * be mapped {@code private}.
     */
    private final Set<String> dmabufNames = new HashSet<>();
    private final Set<String> exited = new HashSet<>();
    private final List<Op> ops = new ArrayList<>();
    private final List<Script.Concurrent> concurrent = new ArrayList<>();
    /** The open {@code concurrently} block: its line and its first op; -1 outside one. */
    private int groupLine = -1;
    private int groupFirst;
    /** The names the ops of the open block use and bind, as "proc name": no op of it may use another's binding. */
    private final Set<String> groupUses = new HashSet<>();
    private final Set<String> groupBinds = new HashSet<>();
    private final Limits limits;
    private int line;
    /** fds and mappings the ops bind so far: every one is a live object the invariants walk after every op. */
    private int handles;
    private int exports;
    /** The largest buffer_bytes_max declared so far: no hw_params allocates more. */
    private long largestBuffer;
    /** The largest frame a device declared so far can have: a transfer's bytes are at most its frames times it. */
    private long largestFrame;
    /** What every hw_params so far may allocate, and the line where that sum first passed the limit. */
    private long requestedBytes;
    private int requestsPassedLimitAt;
    /** The line of a fail_nth whose process op is still to come, 0 when none. */
    private int failNthAt;

    private ScriptParser(Limits limits) {
        this.limits = limits;
    }

    public static Script parse(String text) throws ScriptException {
        return parse(text, Limits.DEFAULT);
    }

    public static Script parse(String text, Limits limits) throws ScriptException {
        ScriptParser p = new ScriptParser(limits);
        String[] lines = lines(text);
        for (int i = 0; i < lines.length; i++) {
            p.line = i + 1;
            String l = lines[i];
            int hash = l.indexOf('#');
            if (hash >= 0) {
                l = l.substring(0, hash);
            }
            l = l.strip();
            if (!l.isEmpty()) {
                p.parseLine(l.split("\\s+"));
            }
        }
        if (p.groupLine >= 0) {
            p.line = p.groupLine;
            throw p.error("concurrently", "the concurrent group is not closed with 'end'");
        }
        if (p.failNthAt > 0) {
            p.line = p.failNthAt;
            throw p.error("fail_nth", "no process op follows to inject the fault into");
        }
        p.checkBufferMemory();
        return new Script(p.devices, List.copyOf(p.names.keySet()), p.ops, p.concurrent);
    }

    /**
     * The lines of a script: each of CR LF, LF and a lone CR ends one (a file saved with old Mac line ends is
     * otherwise one line, or one comment). A byte-order mark before the first line is dropped, as editors
     * that write one expect; anywhere else it is a character like any other.
     */
    public static String[] lines(String text) {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        return body.split("\r\n|\r|\n", -1);
    }

    /**
     * Buffers live at once are at most one per substream (its runtime's) plus one per dma-buf (an export keeps
     * its memory after the runtime let go of it, docs/decisions.md item 1), each at most its device's
     * buffer_bytes_max; nor can they exceed what every hw_params asks for. The model keeps four bytes of state
     * per byte of buffer, so the smaller bound must stay within the limit.
     */
    private void checkBufferMemory() throws ScriptException {
        long held = (long) exports * largestBuffer;
        for (PcmHardware hw : devices) {
            held = saturatingAdd(held, hw.substreams() * hw.bufferBytesMax());
        }
        long bound = Math.min(held, requestedBytes);
        if (bound > limits.scriptBufferBytes()) {
            line = requestsPassedLimitAt;
            throw error("hw_params", Limits.exceeded("bytes of buffer the script may hold at once", bound,
                    limits.scriptBufferBytes()));
        }
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatingMultiply(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    private void addOp(Op op, String token) throws ScriptException {
        if (ops.size() >= limits.ops()) {
            throw error(token, Limits.exceeded("ops", ops.size() + 1L, limits.ops()));
        }
        if (failNthAt > 0 && op.proc() == null) {
            throw error(token, "fail_nth on line " + failNthAt + " injects into the next op, which must be a"
                    + " process's");
        }
        failNthAt = op instanceof Op.FailNth ? line : 0;
        ops.add(op);
    }

    private void parseLine(String[] t) throws ScriptException {
        if (groupLine >= 0) {
            checkConcurrent(t);
        }
        switch (t[0]) {
            case "concurrently" -> {
                expectCount(t, 1, "concurrently");
                if (groupLine >= 0) {
                    throw error(t[0], "concurrent groups do not nest (the open one began at line " + groupLine + ")");
                }
                if (concurrent.size() >= Limits.CONCURRENT_GROUPS) {
                    throw error(t[0], Limits.exceeded("concurrent groups", concurrent.size() + 1L,
                            Limits.CONCURRENT_GROUPS));
                }
                groupLine = line;
                groupFirst = ops.size();
                groupUses.clear();
                groupBinds.clear();
            }
            case "end" -> {
                expectCount(t, 1, "end");
                if (groupLine < 0) {
                    throw error(t[0], "'end' without 'concurrently'");
                }
                int size = ops.size() - groupFirst;
                if (size < 2) {
                    throw error(t[0], "a concurrent group needs at least two ops, this one has " + size);
                }
                concurrent.add(new Script.Concurrent(groupLine, groupFirst, size));
                groupLine = -1;
            }
            case "device" -> parseDevice(t);
            case "proc" -> {
                expectCount(t, 2, "proc NAME");
                checkName(t[1]);
                if (names.containsKey(t[1])) {
                    throw error(t[1], "process declared twice");
                }
                if (names.size() >= limits.processes()) {
                    throw error(t[1], Limits.exceeded("processes", names.size() + 1L, limits.processes()));
                }
                names.put(t[1], new HashMap<>());
            }
            case "suspend", "disconnect" -> {
                expectCount(t, 2, t[0] + " DEV");
                addOp(new Op.CardEvent(line, t[0], device(t[1]).name()), t[0]);
            }
            case "advance" -> {
                expectCount(t, 2, "advance Nns|Nus|Nms|Ns|frames=N");
                addOp(parseAdvance(t[1]), t[0]);
            }
            case "leaks" -> {
                expectCount(t, 1, "leaks");
                addOp(new Op.LeaksOp(line, null), t[0]);
            }
            case "fail_nth" -> {
                expectCount(t, 2, "fail_nth N");
                addOp(new Op.FailNth(line, (int) number(t[1], t[1], 1, 1_000_000)), t[0]);
            }
            case "dma_debug" -> {
                expectCount(t, 1, "dma_debug");
                addOp(new Op.DmaDebug(line), t[0]);
            }
            default -> {
                if (!names.containsKey(t[0])) {
                    throw error(t[0], "not an op, and no process of that name is declared");
                }
                if (t.length < 2) {
                    throw error(t[0], "missing op after the process name");
                }
                if (exited.contains(t[0])) {
                    throw error(t[1], "process '" + ScriptException.shown(t[0]) + "' has already exited");
                }
                addOp(parseProcOp(t[0], t[1], new Args(t, 2)), t[1]);
            }
        }
    }

    /**
     * What a line inside a {@code concurrently} block may be: an op of a process, or a suspend or disconnect
     * of a device, at most {@link Limits#CONCURRENT_OPS} of them. Declarations, the passing of time and the
     * observers ({@code leaks}, {@code dma_debug}) are not ops in flight; an {@code exit} would end its
     * process's other ops of the group in one order and not the other.
     */
    private void checkConcurrent(String[] t) throws ScriptException {
        switch (t[0]) {
            case "end", "concurrently" -> {
                return;
            }
            case "device", "proc", "advance", "leaks", "dma_debug", "fail_nth" -> throw error(t[0], "'" + t[0]
                    + "' cannot be in a concurrent group (only ops of processes, suspend and disconnect)");
            default -> {
                if (t.length > 1 && (t[1].equals("exit") || t[1].equals("leaks"))) {
                    throw error(t[1], "'" + t[1] + "' cannot be in a concurrent group");
                }
            }
        }
        if (ops.size() - groupFirst >= Limits.CONCURRENT_OPS) {
            throw error(t.length > 1 && names.containsKey(t[0]) ? t[1] : t[0], Limits.exceeded(
                    "ops of one concurrent group", ops.size() - groupFirst + 1L, Limits.CONCURRENT_OPS));
        }
    }

    // ---- declarations --------------------------------------------------------------------------------

    private void parseDevice(String[] t) throws ScriptException {
        if (t.length < 3) {
            throw error(t[0], "expected: device NAME playback|capture [key=value...]");
        }
        checkName(t[1]);
        if (deviceByName.containsKey(t[1])) {
            throw error(t[1], "device declared twice");
        }
        if (devices.size() >= limits.devices()) {
            throw error(t[1], Limits.exceeded("devices", devices.size() + 1L, limits.devices()));
        }
        PcmStream stream = switch (t[2]) {
            case "playback" -> PcmStream.PLAYBACK;
            case "capture" -> PcmStream.CAPTURE;
            default -> throw error(t[2], "expected playback or capture");
        };
        PcmHardware.Builder b = PcmHardware.dummy(t[1], stream).toBuilder();
        String contiguousToken = null;
        String optInToken = null;
        String moverToken = null;
        Set<String> given = new HashSet<>();
        for (int i = 3; i < t.length; i++) {
            String[] kv = keyValue(t[i]);
            switch (kv[0]) {
                case "coherent" -> b.coherent = bool(t[i], kv[1]);
                case "contiguous" -> {
                    b.contiguous = bool(t[i], kv[1]);
                    contiguousToken = t[i];
                }
                case "buffer" -> b.buffer = platformValue(BufferType.values(), BufferType::scriptName, t[i], kv[1]);
                case "iommu" -> b.iommu = bool(t[i], kv[1]);
                case "bounce" -> b.bounce = bool(t[i], kv[1]);
                case "mover" -> {
                    b.cpuMover = switch (kv[1]) {
                        case "cpu" -> true;
                        case "dma" -> false;
                        default -> throw error(t[i], "expected mover=cpu or mover=dma");
                    };
                    moverToken = t[i];
                }
                case "driver" -> b.driver = platformValue(DriverProfile.values(), DriverProfile::scriptName, t[i],
                        kv[1]);
                case "optin" -> {
                    b.optIn = platformValue(DmabufOptIn.values(), DmabufOptIn::scriptName, t[i], kv[1]);
                    optInToken = t[i];
                }
                case "substreams" -> b.substreams = (int) range(t[i], kv[1], 1, limits.substreams());
                case "pause" -> b.pause = bool(t[i], kv[1]);
                case "resume" -> b.resume = bool(t[i], kv[1]);
                case "mmap" -> b.mmap = bool(t[i], kv[1]);
                case "noninterleaved" -> b.nonInterleaved = bool(t[i], kv[1]);
                case "channels_max" -> b.channelsMax = (int) range(t[i], kv[1], 1, 256);
                case "rate_max" -> b.rateMax = (int) range(t[i], kv[1], b.rateMin, 768_000);
                case "buffer_bytes_max" -> b.bufferBytesMax = range(t[i], kv[1], 64, limits.bufferBytes());
                case "formats" -> {
                    Set<Format> f = EnumSet.noneOf(Format.class);
                    for (String s : kv[1].split(",")) {
                        f.add(enumValue(Format.class, t[i], s, "format"));
                    }
                    b.formats = f;
                }
                default -> throw error(t[i], "unknown device option (coherent contiguous substreams pause resume"
                        + " mmap noninterleaved formats channels_max rate_max buffer_bytes_max buffer iommu bounce"
                        + " mover driver optin)");
            }
            // The last would win, and the line would not say which the device has.
            if (!given.add(kv[0])) {
                throw error(t[i], "device option " + kv[0] + " given twice");
            }
        }
        if (b.driver == DriverProfile.KEEPS_ADDR) {
            // such a driver cannot promise to reprogram at prepare: it opts in to EXPORT at most
            if (optInToken != null && b.optIn.attach()) {
                throw error(optInToken, "a driver that keeps its buffer's address from open cannot opt in to"
                        + " ATTACH (optin=export or optin=none)");
            }
            if (optInToken == null) {
                b.optIn = DmabufOptIn.EXPORT;
            }
        }
        if (moverToken != null && !b.cpuMover && b.buffer == BufferType.VMALLOC) {
            // no device DMAs into vmalloc memory: its CPU moves the data whatever the line says
            throw error(moverToken, "the CPU moves the data of a buffer=vmalloc device (mover=cpu or no mover)");
        }
        if (b.buffer != null && b.buffer.scattered) {
            // a scattered buffer says the device does scatter-gather, unless the script said otherwise
            if (contiguousToken != null && b.contiguous) {
                throw error(contiguousToken, "a device that needs contiguous memory cannot use buffer="
                        + b.buffer.scriptName());
            }
            b.contiguous = false;
        }
        PcmHardware hw = b.build();
        largestBuffer = Math.max(largestBuffer, hw.bufferBytesMax());
        int widest = 0;
        for (Format f : hw.formats()) {
            widest = Math.max(widest, f.physicalWidth);
        }
        largestFrame = Math.max(largestFrame, (long) hw.channelsMax() * widest / 8);
        devices.add(hw);
        deviceByName.put(hw.name(), hw);
    }

    /** A platform attribute's value, one of {@code values} as scripts spell them. */
    private <E extends Enum<E>> E platformValue(E[] values, Function<E, String> spelling,
            String token, String value) throws ScriptException {
        for (E e : values) {
            if (spelling.apply(e).equals(value)) {
                return e;
            }
        }
        throw error(token, "expected one of " + String.join(" ",
                Arrays.stream(values).map(spelling).toList()));
    }

    // ---- process ops ---------------------------------------------------------------------------------

    private Op parseProcOp(String proc, String op, Args a) throws ScriptException {
        Op result = switch (op) {
            case "open" -> {
                String dev = device(a.positional("DEV")).name();
                boolean append = a.flag("append");
                boolean nonblock = a.flag("nonblock");
                boolean rdonly = a.flag("rdonly");
                yield new Op.Open(line, proc, dev, append, nonblock, rdonly, a.as(proc, Kind.FD));
            }
            case "hw_params" -> {
                String fd = fd(proc, a.positional("FD"));
                Access access = enumValue(Access.class, a.token("access"), a.required("access"), "access");
                Format format = enumValue(Format.class, a.token("format"), a.required("format"), "format");
                int channels = (int) a.number("channels", 1, 1024);
                int rate = (int) a.number("rate", 1, 10_000_000);
                long period = a.number("period_frames", 1, 1L << 30);
                int periods = (int) a.number("periods", 1, 1 << 20);
                long frameBytes = (long) format.physicalWidth * channels / 8;
                requestedBytes = saturatingAdd(requestedBytes,
                        Math.min(largestBuffer, saturatingMultiply(saturatingMultiply(period, periods), frameBytes)));
                if (requestedBytes > limits.scriptBufferBytes() && requestsPassedLimitAt == 0) {
                    requestsPassedLimitAt = line;
                }
                yield new Op.HwParamsOp(line, proc, fd, new HwParams(access, format, channels, rate, period, periods));
            }
            case "sw_params" -> {
                String fd = fd(proc, a.positional("FD"));
                Long start = a.optionalNumber("start_threshold", false);
                Long stop = a.optionalNumber("stop_threshold", true);
                Long availMin = a.optionalNumber("avail_min", false);
                yield new Op.SwParamsOp(line, proc, fd, new SwParams(start, stop, availMin));
            }
            case "pause" -> {
                String fd = fd(proc, a.positional("FD"));
                String v = a.positional("on|off");
                if (!v.equals("on") && !v.equals("off")) {
                    throw error(v, "expected on or off");
                }
                yield new Op.Pause(line, proc, fd, v.equals("on"));
            }
            case "sync_ptr" -> {
                String fd = fd(proc, a.positional("FD"));
                yield new Op.SyncPtr(line, proc, fd, a.optionalNumber("appl_ptr", false));
            }
            case "writei", "readi" -> {
                String fd = fd(proc, a.positional("FD"));
                long frames = a.number("frames", 0, 1L << 40);
                // The PCM core copies every frame of a transfer, and waits a period at a time for room.
                if (frames * largestFrame > limits.transferBytes()) {
                    throw error(a.token("frames"), Limits.exceeded("bytes of one transfer (" + frames + " frames of up to "
                            + largestFrame + " bytes)", frames * largestFrame, limits.transferBytes()));
                }
                yield new Op.Xfer(line, proc, op, fd, frames);
            }
            case "mmap" -> {
                String fd = fd(proc, a.positional("FD"));
                Long off = a.optionalNumber("off", false);
                long len = a.number("len", 0, 1L << 40);
                String prot = a.required("prot");
                if (!Set.of("r", "w", "rw").contains(prot)) {
                    throw error(a.token("prot"), "prot must be r, w or rw");
                }
                boolean shared = !a.flag("private");
                if (!shared && !dmabufNames.contains(proc + " " + fd)) {
                    throw error(fd, "is no dma-buf fd: only a dma-buf is mapped private (PERM-MMAP-SHARED); a private"
                            + " mapping of a PCM fd's data copies on write, which no target models");
                }
                yield new Op.Mmap(line, proc, fd, off == null ? 0 : off, len, prot.contains("r"), prot.contains("w"),
                        shared, a.as(proc, Kind.MAP));
            }
            case "munmap" -> new Op.Munmap(line, proc, map(proc, a.positional("MAP")), a.optionalNumber("keep", false));
            case "gup" -> {
                String map = map(proc, a.positional("MAP"));
                yield new Op.Gup(line, proc, map, a.flag("write"));
            }
            case "unpin" -> new Op.Unpin(line, proc, map(proc, a.positional("MAP")));
            case "fill", "check" -> {
                String map = map(proc, a.positional("MAP"));
                long off = a.number("off", 0, 1L << 40);
                long len = a.number("len", 0, 1L << 40);
                a.flag("stamp");
                yield new Op.MapAccess(line, proc, op, map, off, len);
            }
            case "import" -> {
                String fd = fd(proc, a.positional("FD"));
                yield new Op.Import(line, proc, fd, !a.flag("nodma"));
            }
            case "sync" -> {
                String fd = fd(proc, a.positional("FD"));
                yield new Op.Sync(line, proc, fd, syncFlags(a.positional("FLAGS")));
            }
            case "dmabuf_export" -> {
                String fd = fd(proc, a.positional("FD"));
                exports++;
                boolean rdonly = a.flag("rdonly");
                if (rdonly && a.has("flags")) {
                    throw error(a.token("flags"), "flags= is the whole flags word: rdonly besides it says nothing");
                }
                DmabufArg dflt = DmabufArg.export(rdonly);
                Long flags = a.optionalWord("flags");
                Op.DmabufExport x = new Op.DmabufExport(line, proc, fd,
                        uapiArg(a, flags == null ? dflt.flags() : flags.intValue()), a.as(proc, Kind.FD));
                dmabufNames.add(proc + " " + x.as());
                yield x;
            }
            case "dmabuf_attach" -> {
                String fd = fd(proc, a.positional("FD"));
                String dmabufFd = fd(proc, a.positional("DMABUF_FD"));
                Long flags = a.optionalWord("flags");
                yield new Op.DmabufAttach(line, proc, fd, dmabufFd, uapiArg(a, flags == null ? 0 : flags.intValue()));
            }
            case "dmabuf_detach" -> new Op.DmabufDetach(line, proc, fd(proc, a.positional("FD")));
            case "link" -> {
                String fd = fd(proc, a.positional("FD"));
                yield new Op.Link(line, proc, fd, fd(proc, a.positional("FD2")));
            }
            case "unlink" -> new Op.Unlink(line, proc, fd(proc, a.positional("FD")));
            case "restrict" -> {
                String fd = fd(proc, a.positional("FD"));
                String role = a.positional("producer|consumer");
                if (!role.equals("producer") && !role.equals("consumer")) {
                    throw error(role, "expected producer or consumer");
                }
                yield new Op.Restrict(line, proc, fd, role.equals("producer") ? PcmRole.PRODUCER : PcmRole.CONSUMER);
            }
            case "buffer_fd" -> {
                String fd = fd(proc, a.positional("FD"));
                yield new Op.BufferFd(line, proc, fd, a.as(proc, Kind.FD));
            }
            case "close" -> new Op.Close(line, proc, fd(proc, a.positional("FD")));
            case "dup" -> {
                String fd = fd(proc, a.positional("FD"));
                boolean dmabuf = dmabufNames.contains(proc + " " + fd);
                Op.Dup d = new Op.Dup(line, proc, fd, a.as(proc, Kind.FD));
                if (dmabuf) {
                    dmabufNames.add(proc + " " + d.as());
                }
                yield d;
            }
            case "open_path" -> {
                String fd = fd(proc, a.positional("FD"));
                yield new Op.OpenPath(line, proc, fd, a.as(proc, Kind.FD));
            }
            case "send" -> {
                String fd = fd(proc, a.positional("FD"));
                String to = a.positional("PROC");
                if (!names.containsKey(to)) {
                    throw error(to, "no process of that name is declared");
                }
                boolean dmabuf = dmabufNames.contains(proc + " " + fd);
                Op.Send s = new Op.Send(line, proc, fd, to, a.as(to, Kind.FD));
                if (dmabuf) {
                    dmabufNames.add(to + " " + s.as());
                }
                yield s;
            }
            case "exit" -> {
                exited.add(proc);
                yield new Op.Exit(line, proc);
            }
            case "leaks" -> new Op.LeaksOp(line, proc);
            default -> {
                if (SIMPLE_OPS.contains(op)) {
                    yield new Op.Simple(line, proc, op, fd(proc, a.positional("FD")));
                }
                throw error(op, "unknown op");
            }
        };
        a.finish();
        return result;
    }

    /**
     * A revision-2 EXPORT or ATTACH argument: {@code flags}, then {@code reserved=N} (in reserved word
     * {@code reserved_word=K}, 0 unless given) and {@code arg=fault} or {@code arg=readonly}.
     */
    private DmabufArg uapiArg(Args a, int flags) throws ScriptException {
        Long reserved = a.optionalWord("reserved");
        a.used.add("reserved_word");
        String word = a.keyed.get("reserved_word");
        int reservedWord = word == null ? 0
                : (int) number(a.token("reserved_word"), word, 0, DmabufArg.RESERVED_WORDS - 1);
        String arg = a.keyed.get("arg");
        a.used.add("arg");
        DmabufArg.Pointer pointer = switch (arg == null ? "" : arg) {
            case "" -> DmabufArg.Pointer.MAPPED;
            case "fault" -> DmabufArg.Pointer.UNMAPPED;
            case "readonly" -> DmabufArg.Pointer.READ_ONLY;
            default -> throw error(a.token("arg"), "expected arg=fault or arg=readonly");
        };
        return new DmabufArg(flags, reservedWord, reserved == null ? 0 : reserved.intValue(), pointer);
    }

    private long syncFlags(String s) throws ScriptException {
        if (!s.isEmpty() && Character.isDigit(s.charAt(0))) {
            return number(s, s, 0, 0xffff_ffffL);
        }
        long flags = 0;
        for (String part : s.split(",")) {
            flags |= switch (part) {
                case "start" -> DmaBufSync.START;
                case "end" -> DmaBufSync.END;
                case "read" -> DmaBufSync.READ;
                case "write" -> DmaBufSync.WRITE;
                default -> throw error(s, "sync flags are a comma list of start end read write, or a number");
            };
        }
        return flags;
    }

    private Op.Advance parseAdvance(String s) throws ScriptException {
        if (s.startsWith("frames=")) {
            return new Op.Advance(line, null, number(s, s.substring(7), 0, limits.advanceFrames()));
        }
        long mul;
        String digits;
        if (s.endsWith("ns")) {
            mul = 1;
            digits = s.substring(0, s.length() - 2);
        } else if (s.endsWith("us")) {
            mul = 1_000;
            digits = s.substring(0, s.length() - 2);
        } else if (s.endsWith("ms")) {
            mul = 1_000_000;
            digits = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            mul = 1_000_000_000;
            digits = s.substring(0, s.length() - 1);
        } else {
            throw error(s, "expected a duration like 21333us, 10ms, 2s, 500ns, or frames=N");
        }
        return new Op.Advance(line, number(s, digits, 0, limits.advanceNanos() / mul) * mul, null);
    }

    // ---- names ---------------------------------------------------------------------------------------

    private PcmHardware device(String name) throws ScriptException {
        PcmHardware hw = deviceByName.get(name);
        if (hw == null) {
            throw error(name, "no device of that name is declared");
        }
        return hw;
    }

    private String fd(String proc, String name) throws ScriptException {
        return bound(proc, name, Kind.FD);
    }

    private String map(String proc, String name) throws ScriptException {
        return bound(proc, name, Kind.MAP);
    }

    private String bound(String proc, String name, Kind kind) throws ScriptException {
        if (groupLine >= 0) {
            if (groupBinds.contains(proc + " " + name)) {
                throw error(name, "is bound by another op of the concurrent group that began at line " + groupLine
                        + ": which runs first is not fixed");
            }
            groupUses.add(proc + " " + name);
        }
        Kind k = names.get(proc).get(name);
        if (k == null) {
            throw error(name, "no " + (kind == Kind.FD ? "fd" : "mapping") + " of that name in process '"
                    + ScriptException.shown(proc) + "' (bind it with 'as " + ScriptException.shown(name) + "')");
        }
        if (k != kind) {
            throw error(name, "is " + (k == Kind.FD ? "an fd" : "a mapping") + ", not " + (kind == Kind.FD
                    ? "an fd" : "a mapping"));
        }
        return name;
    }

    private void checkName(String name) throws ScriptException {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_.-]*")) {
            throw error(name, "names start with a letter and hold letters, digits, '_', '.', '-'");
        }
    }

    // ---- values --------------------------------------------------------------------------------------

    private static String[] keyValue(String token) {
        int eq = token.indexOf('=');
        return eq < 0 ? new String[] {token, null} : new String[] {token.substring(0, eq), token.substring(eq + 1)};
    }

    private boolean bool(String token, String v) throws ScriptException {
        return switch (v == null ? "" : v) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw error(token, "expected true or false");
        };
    }

    private long range(String token, String v, long min, long max) throws ScriptException {
        return number(token, v, min, max);
    }

    private long number(String token, String v, long min, long max) throws ScriptException {
        if (v == null || !v.matches("-?[0-9]+|0x[0-9a-fA-F]+")) {
            throw error(token, "expected an integer");
        }
        long n;
        try {
            n = v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw error(token, "integer out of range");
        }
        if (n < min || n > max) {
            throw error(token, "must be between " + min + " and " + max);
        }
        return n;
    }

    private <E extends Enum<E>> E enumValue(Class<E> type, String token, String v, String what)
            throws ScriptException {
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v.toUpperCase(Locale.ROOT))) {
                return e;
            }
        }
        List<String> all = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            all.add(e.name());
        }
        throw error(token, "unknown " + what + " (one of " + String.join(" ", all) + ")");
    }

    private void expectCount(String[] t, int n, String usage) throws ScriptException {
        if (t.length != n) {
            throw error(t.length > n ? t[n] : t[0], "expected: " + usage);
        }
    }

    private ScriptException error(String token, String message) {
        return new ScriptException(line, token, message);
    }

    /** The arguments after an op name: positionals in order, then key=value pairs, flags and "as NAME". */
    private final class Args {
        private final String[] t;
        private int next;
        private final int limit;
        private final Map<String, String> keyed = new LinkedHashMap<>();
        private final Map<String, String> keyToken = new HashMap<>();
        private final Set<String> flags = new HashSet<>();
        private final Set<String> used = new HashSet<>();
        private String as;
        private String asToken;

        Args(String[] t, int from) throws ScriptException {
            this.t = t;
            this.next = from;
            int end = t.length;
            if (end - from >= 2 && t[end - 2].equals("as")) {
                as = t[end - 1];
                asToken = t[end - 1];
                checkName(as);
                end -= 2;
            }
            for (int i = from; i < end; i++) {
                if (t[i].contains("=")) {
                    String[] kv = keyValue(t[i]);
                    if (keyed.put(kv[0], kv[1]) != null) {
                        throw error(t[i], "given twice");
                    }
                    keyToken.put(kv[0], t[i]);
                }
            }
            this.limit = end;
        }

        String positional(String what) throws ScriptException {
            while (next < limit && t[next].contains("=")) {
                next++;
            }
            if (next >= limit) {
                throw error(t[limit > 0 ? limit - 1 : 0], "missing " + what);
            }
            return t[next++];
        }

        boolean flag(String name) {
            for (int i = next; i < limit; i++) {
                if (t[i].equals(name)) {
                    flags.add(name);
                    return true;
                }
            }
            return false;
        }

        String token(String key) {
            return keyToken.getOrDefault(key, key);
        }

        String required(String key) throws ScriptException {
            String v = keyed.get(key);
            used.add(key);
            if (v == null) {
                throw error(t[1], "missing " + key + "=");
            }
            return v;
        }

        long number(String key, long min, long max) throws ScriptException {
            return ScriptParser.this.number(token(key), required(key), min, max);
        }

        boolean has(String key) {
            return keyed.containsKey(key);
        }

        /** A key=N that may be absent, N a 32-bit unsigned word (a {@code __u32} of a uAPI struct). */
        Long optionalWord(String key) throws ScriptException {
            used.add(key);
            String v = keyed.get(key);
            return v == null ? null : ScriptParser.this.number(token(key), v, 0, 0xffff_ffffL);
        }

        /** A key=N that may be absent; {@code boundaryAllowed} also takes the word "boundary". */
        Long optionalNumber(String key, boolean boundaryAllowed) throws ScriptException {
            used.add(key);
            String v = keyed.get(key);
            if (v == null) {
                return null;
            }
            if (boundaryAllowed && v.equals("boundary")) {
                return SwParams.BOUNDARY;
            }
            return ScriptParser.this.number(token(key), v, 0, Long.MAX_VALUE);
        }

        String as(String proc, Kind kind) throws ScriptException {
            used.add("as");
            if (as == null) {
                throw error(t[1], "missing 'as NAME'");
            }
            if (++handles > limits.handles()) {
                throw error(t[1], Limits.exceeded("fds and mappings the script creates", handles, limits.handles()));
            }
            if (groupLine >= 0) {
                if (!groupBinds.add(proc + " " + as) || groupUses.contains(proc + " " + as)) {
                    throw error(asToken, "is used or bound by another op of the concurrent group that began at line "
                            + groupLine + ": which runs first is not fixed");
                }
            }
            Kind old = names.get(proc).get(as);
            if (old != null && old != kind) {
                throw error(asToken, "already names " + (old == Kind.FD ? "an fd" : "a mapping") + " in '"
                        + ScriptException.shown(proc) + "'");
            }
            names.get(proc).put(as, kind);
            dmabufNames.remove(proc + " " + as);
            return as;
        }

        /** Everything left over is an error: a stray positional, an unknown key or flag, an unwanted "as". */
        void finish() throws ScriptException {
            for (Map.Entry<String, String> e : keyed.entrySet()) {
                if (!used.contains(e.getKey())) {
                    throw error(keyToken.get(e.getKey()), "unknown argument for '" + t[1] + "'");
                }
            }
            if (as != null && !used.contains("as")) {
                throw error("as", "'" + t[1] + "' binds no name");
            }
            for (int i = next; i < limit; i++) {
                if (!t[i].contains("=") && !flags.contains(t[i])) {
                    throw error(t[i], "unexpected argument for '" + t[1] + "'");
                }
            }
        }
    }
}
