package org.pcmdmabuf.conformance.validate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Folders the validation made and removes again (scratch folders, mutant series, kept builds). */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes {@code dir} and everything under it, deepest first; links are deleted, not followed. */
    public static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
