package org.pcmdmabuf.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * struct files_struct: a process's fd table. fds 0-2 are stdio, so the first file gets fd 3 as in a real process.
 * Like the kernel's struct fdtable, the table is an array indexed by fd: the invariant recount walks every table
 * after every op, and a walk of a sorted map cost more than the checks it fed.
 */
public final class FileTable {
    static final int FIRST_FD = 3;
    /** fdtable.fd: the file at each fd, null where none is installed. */
    private File[] fd = new File[16];
    /** fdtable.close_on_exec: the fds a new program would not inherit. */
    private boolean[] closeOnExec = new boolean[16];
    private int installed;

    /** alloc_fd() + fd_install(): the lowest free fd, without close-on-exec. */
    int install(File file) {
        return install(file, false);
    }

    /** get_unused_fd_flags() + fd_install(): the lowest free fd, with close-on-exec when {@code cloexec}. */
    int install(File file, boolean cloexec) {
        int n = FIRST_FD;
        while (n < fd.length && fd[n] != null) {
            n++;
        }
        if (n == fd.length) {
            fd = Arrays.copyOf(fd, n * 2);
            closeOnExec = Arrays.copyOf(closeOnExec, n * 2);
        }
        fd[n] = file;
        closeOnExec[n] = cloexec;
        installed++;
        return n;
    }

    /** FD_CLOEXEC of fcntl(F_GETFD). */
    public boolean closeOnExec(int n) {
        return get(n) != null && closeOnExec[n];
    }

    /** fdget(): null for a closed or never opened fd (EBADF). */
    public File get(int n) {
        return n >= 0 && n < fd.length ? fd[n] : null;
    }

    File remove(int n) {
        File f = get(n);
        if (f != null) {
            fd[n] = null;
            closeOnExec[n] = false;
            installed--;
        }
        return f;
    }

    boolean isEmpty() {
        return installed == 0;
    }

    /** Every installed fd's file, in fd order (a file installed at two fds comes twice). */
    void forEachFile(Consumer<File> action) {
        for (int n = FIRST_FD; n < fd.length; n++) {
            if (fd[n] != null) {
                action.accept(fd[n]);
            }
        }
    }

    /** A copy of the table: every fd and its file, in fd order. */
    public SortedMap<Integer, File> entries() {
        TreeMap<Integer, File> copy = new TreeMap<>();
        for (int n = FIRST_FD; n < fd.length; n++) {
            if (fd[n] != null) {
                copy.put(n, fd[n]);
            }
        }
        return Collections.unmodifiableSortedMap(copy);
    }
}
