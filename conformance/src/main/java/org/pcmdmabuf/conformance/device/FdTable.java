package org.pcmdmabuf.conformance.device;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.script.Names;

/**
 * The script's processes inside this one process: each has an fd table and mappings of its own, kept here,
 * since the kernel sees a single process. A script process may use only the fds it holds, and its exit closes
 * every fd and unmaps every mapping it holds, which is what the kernel's exit does with them.
 */
final class FdTable {
    /** An open file description as this target tracks it (shared by dup and send). */
    static final class FileInfo {
        final Cards.Pcm pcm;           // null for a dma-buf
        long bufferFrames;
        long boundary;
        long availMin = 1;
        long startThreshold = 1;
        long stopThreshold;
        int frameBytes = 4;

        FileInfo(Cards.Pcm pcm) {
            this.pcm = pcm;
        }

        /** What a successful HW_PARAMS set on the runtime, which later SW_PARAMS and SYNC_PTR start from. */
        void hwParams(HwParams p) {
            bufferFrames = p.bufferFrames();
            frameBytes = p.frameBytes();
            boundary = bufferFrames;
            // pcm_native.c: while (boundary * 2 <= LONG_MAX - buffer_size), in unsigned long arithmetic
            while (Long.compareUnsigned(boundary * 2, Long.MAX_VALUE - bufferFrames) <= 0) {
                boundary *= 2;
            }
            availMin = p.periodFrames();
            startThreshold = 1;
            stopThreshold = bufferFrames;
        }
    }

    /** A mapping the script made, with the access its protection allows. */
    record Mapping(long addr, long len, boolean readable, boolean writable) {
    }

    private final SystemCalls sys;
    private final Map<Integer, FileInfo> files = new HashMap<>();
    private final Map<String, List<Integer>> procFds = new LinkedHashMap<>();
    private final Map<String, List<Mapping>> procMaps = new LinkedHashMap<>();

    FdTable(SystemCalls sys) {
        this.sys = sys;
    }

    void declare(String proc) {
        procFds.put(proc, new ArrayList<>());
        procMaps.put(proc, new ArrayList<>());
    }

    /** A name's fd if the process still holds it, else -1 (EBADF), as in its own fd table. */
    int fd(Names n, String proc, String name) {
        int fd = n.fd(proc, name);
        return owns(proc, fd) ? fd : -1;
    }

    /** What this target knows of the file behind {@code fd}, or null for an fd it does not track. */
    FileInfo file(int fd) {
        return files.get(fd);
    }

    void own(String proc, int fd, FileInfo f) {
        procFds.computeIfAbsent(proc, p -> new ArrayList<>()).add(fd);
        files.put(fd, f == null ? new FileInfo(null) : f);
    }

    boolean owns(String proc, int fd) {
        return fd >= 0 && procFds.getOrDefault(proc, List.of()).contains(fd);
    }

    void disown(String proc, int fd) {
        procFds.get(proc).remove(Integer.valueOf(fd));
        files.remove(fd);
    }

    void mapped(String proc, Mapping m) {
        procMaps.get(proc).add(m);
    }

    boolean maps(String proc, Mapping m) {
        return procMaps.get(proc).contains(m);
    }

    void unmapped(String proc, Mapping m) {
        procMaps.get(proc).remove(m);
    }

    void exit(String proc) {
        for (Mapping m : new ArrayList<>(procMaps.getOrDefault(proc, List.of()))) {
            sys.munmap(m.addr(), m.len());
        }
        procMaps.getOrDefault(proc, new ArrayList<>()).clear();
        for (int fd : new ArrayList<>(procFds.getOrDefault(proc, List.of()))) {
            sys.close(fd);
            disown(proc, fd);
        }
    }

    /** Every process exits: the next case starts with nothing open. */
    void exitAll() {
        for (String p : new ArrayList<>(procFds.keySet())) {
            exit(p);
        }
    }
}
