package org.pcmdmabuf.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** A file a command writes its report to at the end of a long run: checked before the run, so none is lost. */
final class ReportFile {
    private ReportFile() {
    }

    /** Why {@code file} cannot be written, for "cannot write OPTION FILE: ...", or null if it can be. */
    static String unwritable(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file)) {
            return "it is a directory";
        }
        return parent == null || !Files.isDirectory(parent) ? "no such directory " + parent : null;
    }
}
