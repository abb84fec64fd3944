package org.pcmdmabuf.model;

import java.util.ArrayList;
import java.util.List;

/** A process: its fd table (files_struct) and its mappings (mm). */
public final class Task {
    public final String name;
    public final int pid;
    final FileTable files = new FileTable();
    final List<Vma> vmas = new ArrayList<>();
    /** The mappings through which it holds get_user_pages() pins (a vmsplice(2) pipe's pages), mapped or not. */
    final List<Vma> pinned = new ArrayList<>();
    boolean exited;

    Task(String name, int pid) {
        this.name = name;
        this.pid = pid;
    }

    public FileTable files() {
        return files;
    }

    @Override
    public String toString() {
        return name + "[" + pid + "]";
    }
}
