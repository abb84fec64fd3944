package org.pcmdmabuf.conformance.validate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A patch series as {@code git format-patch} writes it: {@code NNNN-subject.patch} files, an optional cover
 * letter {@code 0000-cover-letter.patch}, and among them the patch that creates sound/core/pcm_dmabuf.c.
 */
public record Series(Path dir, List<Path> patches) {
    private static final Pattern NAME = Pattern.compile("\\d{4}-.+\\.patch");
    private static final Pattern DIFF = Pattern.compile("diff --git a/(\\S+) b/\\S+");
    /** A git diff's header line that makes its file a symbolic link. */
    private static final Pattern SYMLINK = Pattern.compile("(?:new file|new) mode 120000");
    private static final String CORE = "+++ b/sound/core/pcm_dmabuf.c";

    /** The series in {@code dir}, or {@link BadSeries} naming the file (or folder) that is not one. */
    public static Series open(Path dir) throws BadSeries {
        Path d = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(d)) {
            throw new BadSeries(d + " is not a directory");
        }
        List<Path> patches;
        try (Stream<Path> files = Files.list(d)) {
            patches = files.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new BadSeries(d + ": cannot list it: " + e.getMessage());
        }
        if (patches.isEmpty()) {
            throw new BadSeries(d + " is not a patch series: it has no NNNN-*.patch file");
        }
        boolean core = false;
        for (Path p : patches) {
            String text;
            try {
                text = Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BadSeries(p + ": cannot read it: " + e.getMessage());
            }
            if (!text.contains("\ndiff --git ") && !p.getFileName().toString().startsWith("0000-")) {
                throw new BadSeries(p + " is not a patch: it has no 'diff --git' line");
            }
            symlink(p, text);
            core |= text.contains("\n" + CORE + "\n");
        }
        if (!core) {
            throw new BadSeries(d + " is not a pcm-dmabuf series: no patch in it creates sound/core/pcm_dmabuf.c");
        }
        return new Series(d, patches);
    }

    /**
     * A patch that makes a file a symbolic link is refused: applied, the link would have the builds read what it
     * points to (/etc/passwd, a key in the user's home) as the revision's source. The sandbox hides those files
     * too; this says what is wrong before anything runs.
     */
    private static void symlink(Path patch, String text) throws BadSeries {
        String file = null;
        for (String line : text.lines().toList()) {
            if (line.startsWith("diff --git ")) {
                Matcher m = DIFF.matcher(line);
                file = m.matches() ? m.group(1) : line.substring("diff --git ".length());
            } else if (SYMLINK.matcher(line).matches()) {
                throw new BadSeries(patch + " makes " + (file == null ? "a file" : file)
                        + " a symbolic link (git mode 120000): a revision's files must be regular files");
            }
        }
    }

    /**
     * The revision's identity, whatever folder holds it: SHA-256 over each patch's name and bytes, in order, in hex.
     * Shards of one campaign run on different machines must have judged the same revision (docs/sharding.md).
     */
    public String revision() throws BadSeries {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (Path p : patches) {
                sha.update((p.getFileName() + "\0").getBytes(StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(p));
            }
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new BadSeries(dir + ": cannot read it: " + e.getMessage());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The patches with a diff, in order: the cover letter is not one. */
    public long diffCount() {
        return patches.stream().filter(p -> !p.getFileName().toString().startsWith("0000-")).count();
    }
}
