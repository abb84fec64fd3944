package org.pcmdmabuf.model;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/** struct files_struct: a process's fd table. fds 0-2 are stdio, so the first file gets fd 3 as in a real process. */
public final class FileTable {
    static final int FIRST_FD = 3;
    private final TreeMap<Integer, File> fds = new TreeMap<>();
    /** fdtable.close_on_exec: the fds a new program would not inherit. */
    private final Set<Integer> closeOnExec = new HashSet<>();

    /** alloc_fd() + fd_install(): the lowest free fd, without close-on-exec. */
    int install(File file) {
        return install(file, false);
    }

    /** get_unused_fd_flags() + fd_install(): the lowest free fd, with close-on-exec when {@code cloexec}. */
    int install(File file, boolean cloexec) {
        int fd = FIRST_FD;
        for (int used : fds.keySet()) {
            if (used != fd) {
                break;
            }
            fd++;
        }
        fds.put(fd, file);
        if (cloexec) {
            closeOnExec.add(fd);
        }
        return fd;
    }

    /** FD_CLOEXEC of fcntl(F_GETFD). */
    public boolean closeOnExec(int fd) {
        return closeOnExec.contains(fd);
    }

    /** fdget(): null for a closed or never opened fd (EBADF). */
    public File get(int fd) {
        return fds.get(fd);
    }

    File remove(int fd) {
        closeOnExec.remove(fd);
        return fds.remove(fd);
    }

    /** Every fd and its file, in fd order, without the read-only view {@link #entries()} wraps them in. */
    void forEach(BiConsumer<Integer, File> action) {
        fds.forEach(action);
    }

    public SortedMap<Integer, File> entries() {
        return Collections.unmodifiableSortedMap(fds);
    }
}
