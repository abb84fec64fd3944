package org.pcmdmabuf.conformance.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The project's cache of built artefacts, {@code $PCM_DMABUF_CACHE} or {@code ~/.cache/pcm-dmabuf}, as the scripts of kernel-patch/ use it. */
public final class ArtefactCache {
    private ArtefactCache() {
    }

    public static Path dir(String name) throws IOException {
        String root = System.getenv("PCM_DMABUF_CACHE");
        Path base = root != null && !root.isEmpty() ? Path.of(root)
                : Path.of(System.getProperty("user.home"), ".cache", "pcm-dmabuf");
        return Files.createDirectories(base.resolve(name));
    }

    /** A short name for {@code bytes}: the first 16 hex digits of their SHA-256. */
    static String key(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }
}
