package org.pcmdmabuf.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every object of one world: devices and processes by name, the live files, dma-bufs, attachments, mappings
 * and buffers ({@link World.Live} sets, which the invariant check walks), the one counter that gives them
 * their ids, the dma-bufs by the key the driver named them with, and the record of the run: the op count,
 * the violations and the recent trace. Objects are created and dropped here; what they do is elsewhere.
 */
final class Registry {
    private static final int TRACE_LINES = 64;
    /** What a step of the simulated DMA counts for: a substream moved over a span, or one period it goes through. */
    static final long DMA_STEP_BYTES = 256;

    private final Map<String, Pcm> pcms = new LinkedHashMap<>();
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    /** {@link #pcms} and {@link #tasks} in declaration order, as lists: neither ever loses an entry. */
    private final List<Pcm> pcmList = new ArrayList<>();
    private final List<Task> taskList = new ArrayList<>();
    final World.Live<File> files = new World.Live<>();
    /** The O_PATH files among {@link #files}: counted as they come and go, since {@link #leaks()} runs every op. */
    private int pathFiles;
    final World.Live<DmaBuf> dmaBufs = new World.Live<>();
    final World.Live<Attachment> attachments = new World.Live<>();
    final World.Live<Vma> vmas = new World.Live<>();
    final World.Live<SndDmaBuffer> buffers = new World.Live<>();
    /**
     * The violations of the op running or last run; earlier ops' are counted only, so a long simulation does not
     * keep one record per period.
     */
    private final List<ProtocolViolation> opViolations = new ArrayList<>();
    private long violationCount;
    private int violationsPerOp = Integer.MAX_VALUE;
    /** Bytes of buffer memory the run has touched ({@link #touch}), and how many it may. */
    private long touched;
    private long touchLimit = Long.MAX_VALUE;
    private final Deque<TraceEntry> trace = new ArrayDeque<>();
    /** The dma-buf each key the driver answered EXPORT with stands for. */
    private final Map<Long, DmaBuf> dmaBufKeys = new LinkedHashMap<>();
    /** Told when a buffer's memory is freed, so a cache forgets it. */
    private final MemorySystem mem;
    private int nextId = 1;
    private long ops;

    Registry(MemorySystem mem) {
        this.mem = mem;
    }

    // ---- devices and processes -----------------------------------------------------------------------

    Pcm addDevice(World world, PcmHardware hw) {
        if (pcms.containsKey(hw.name())) {
            throw new IllegalArgumentException("device declared twice: " + hw.name());
        }
        Pcm pcm = new Pcm(world, hw, pcms.size());
        pcms.put(hw.name(), pcm);
        pcmList.add(pcm);
        return pcm;
    }

    Task addTask(String name) {
        if (tasks.containsKey(name)) {
            throw new IllegalArgumentException("process declared twice: " + name);
        }
        Task t = new Task(name, 1000 + tasks.size());
        tasks.put(name, t);
        taskList.add(t);
        return t;
    }

    Pcm pcm(String name) {
        return pcms.get(name);
    }

    Task task(String name) {
        return tasks.get(name);
    }

    /** The devices in declaration order: a view, since none is added once ops run. */
    List<Pcm> pcms() {
        return Collections.unmodifiableList(pcmList);
    }

    List<Task> tasks() {
        return List.copyOf(tasks.values());
    }

    /** The devices in declaration order, not copied: for the walks that run after every op. */
    List<Pcm> pcmsInOrder() {
        return pcmList;
    }

    /** The processes in declaration order, not copied, as {@link #pcmsInOrder()}. */
    List<Task> tasksInOrder() {
        return taskList;
    }

    /** Every file an fd refers to, with how many fds refer to it. */
    Map<File, Integer> fdReferences() {
        Map<File, Integer> refs = new IdentityHashMap<>();
        for (Task t : tasks.values()) {
            t.files.forEachFile(f -> refs.merge(f, 1, Integer::sum));
        }
        return refs;
    }

    // ---- kernel objects ------------------------------------------------------------------------------

    File newFile(FilePrivate priv, boolean readable, boolean writable, boolean nonblock, boolean append) {
        File f = new File(nextId++, priv, readable, writable, nonblock, append);
        files.add(f);
        if (priv instanceof PathFile) {
            pathFiles++;
        }
        return f;
    }

    /** The file's last reference went: its release runs next. */
    void removeFile(File f) {
        if (files.remove(f) && f.privateData instanceof PathFile) {
            pathFiles--;
        }
    }

    /** A new dma-buf and its one file, O_RDWR ({@code writable}) or O_RDONLY. */
    DmaBuf newDmaBuf(SndDmaBuffer buffer, long size, Substream exporter, long key, boolean writable) {
        DmaBuf d = new DmaBuf(nextId++, buffer, size, exporter.pcm, exporter);
        d.file = newFile(d, true, writable, false, false);
        dmaBufs.add(d);
        dmaBufKeys.put(key == DmabufDriver.NEW_DMABUF ? d.id : key, d);
        return d;
    }

    /** A revoked dma-buf gave its buffer reference back when it was revoked. */
    void releaseDmaBuf(DmaBuf d) {
        dmaBufs.remove(d);
        dmaBufKeys.values().remove(d);
        if (!d.revoked) {
            putBuffer(d.buffer);
        }
    }

    /** The key the driver gave {@code d} at EXPORT. */
    long dmaBufKey(DmaBuf d) {
        for (Map.Entry<Long, DmaBuf> e : dmaBufKeys.entrySet()) {
            if (e.getValue() == d) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("not a dma-buf of this world: " + d);
    }

    DmaBuf dmaBufByKey(long key) {
        return dmaBufKeys.get(key);
    }

    List<DmaBuf> dmaBufs() {
        return List.copyOf(dmaBufs);
    }

    Attachment newAttachment(DmaBuf d, Substream s) {
        Attachment a = new Attachment(nextId++, d, s, s.stream.dmaDirection());
        attachments.add(a);
        return a;
    }

    void removeAttachment(Attachment a) {
        attachments.remove(a);
    }

    /**
     * do_alloc_pages() (sound/core/pcm_memory.c): memory charged to {@code card}, or null when the charge would
     * pass max_alloc_per_card (the caller's ENOMEM).
     */
    SndDmaBuffer allocBuffer(long bytes, boolean contiguous, Pcm card) {
        if (card.totalPcmAllocBytes + bytes > Pcm.MAX_ALLOC_PER_CARD) {
            return null;
        }
        touch(bytes);
        SndDmaBuffer b = new SndDmaBuffer(nextId++, bytes, contiguous, card);
        card.totalPcmAllocBytes += bytes;
        buffers.add(b);
        return b;
    }

    /** Drops a reference; the last one frees the memory and gives its bytes back to the card (do_free_pages()). */
    void putBuffer(SndDmaBuffer b) {
        if (b.put()) {
            buffers.remove(b);
            b.card.totalPcmAllocBytes -= b.bytes;
            mem.freed(b);
        }
    }

    /** A new mapping, in its process's mm and the live set; the caller took its references. */
    Vma newVma(Task task, File f, SndDmaBuffer b, Substream s, long offset, long len, boolean read, boolean write) {
        Vma v = new Vma(nextId++, task, f, b, s, offset, len, read, write);
        task.vmas.add(v);
        vmas.add(v);
        return v;
    }

    /** The live mappings of {@code f}, in creation order. */
    List<Vma> vmasOf(File f) {
        List<Vma> out = new ArrayList<>();
        for (Vma v : vmas) {
            if (v.file == f) {
                out.add(v);
            }
        }
        return out;
    }

    void removeVma(Vma v) {
        v.task.vmas.remove(v);
        vmas.remove(v);
    }

    /** What is still alive. */
    Leaks leaks() {
        long charged = 0;
        for (Pcm pcm : pcmList) {
            charged += pcm.totalPcmAllocBytes;
        }
        return new Leaks(files.size(), dmaBufs.size(), attachments.size(), vmas.size(), buffers.size(), charged,
                pathFiles);
    }

    // ---- the record of the run -----------------------------------------------------------------------

    void violation(String rule, String detail) {
        if (opViolations.size() >= violationsPerOp) {
            throw new LimitExceeded("protocol violations in one op: more than the limit of " + violationsPerOp);
        }
        opViolations.add(new ProtocolViolation(rule, detail, ops));
        violationCount++;
    }

    void limitViolationsPerOp(int limit) {
        violationsPerOp = limit;
    }

    /**
     * The run works on {@code bytes} of buffer memory: what a run costs is in proportion to the memory its DMA,
     * copies, CPU accesses, syncs and allocations go over, and to its DMA steps, each counted as
     * {@link #DMA_STEP_BYTES}. The same host code counts on every target, whatever a target's dma-buf code does.
     */
    void touch(long bytes) {
        touched += bytes;
        if (touched > touchLimit) {
            throw new LimitExceeded("bytes of buffer memory this run touches (DMA, transfers, fills, checks, syncs, "
                    + "allocations): more than the limit of " + touchLimit);
        }
    }

    void limitTouch(long bytes) {
        touchLimit = bytes;
    }

    long violationCount() {
        return violationCount;
    }

    List<ProtocolViolation> opViolations() {
        return Collections.unmodifiableList(opViolations);
    }

    /** One trace line, formatted only when an invariant breaks. */
    private record TraceEntry(long n, String task, Supplier<String> what, Errno errno) {
        @Override
        public String toString() {
            return "#" + n + " " + (task == null ? "-" : task) + " " + what.get() + " -> "
                    + (errno == null ? "ok" : errno.name());
        }
    }

    /** An op begins: the violations it records carry its number. */
    void countOp() {
        ops++;
        opViolations.clear();
    }

    /** The op just counted ended with {@code errno} (null: ok); the trace keeps the last {@value #TRACE_LINES}. */
    void record(Task task, Supplier<String> what, Errno errno) {
        trace.addLast(new TraceEntry(ops, task == null ? null : task.name, what, errno));
        if (trace.size() > TRACE_LINES) {
            trace.removeFirst();
        }
    }

    List<String> trace() {
        return trace.stream().map(TraceEntry::toString).toList();
    }
}
