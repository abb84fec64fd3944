package org.pcmdmabuf.conformance.mutate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pcmdmabuf.conformance.validate.BadSeries;
import org.pcmdmabuf.conformance.validate.Series;

/**
 * sound/core/pcm_dmabuf.c as the series creates it: the patch whose new-file hunk adds it, and that hunk's
 * {@code +} lines, the C file's lines. A mutant replaces the text of some of those lines and nothing else, so
 * the hunk keeps its line count and the patch still applies.
 */
public record CoreSource(Path patch, List<String> patchLines, int firstLine, List<String> lines) {
    static final String FILE = "sound/core/pcm_dmabuf.c";
    private static final Pattern NEW_FILE_HUNK = Pattern.compile("@@ -0,0 \\+1(?:,(\\d+))? @@.*");

    public CoreSource {
        patchLines = List.copyOf(patchLines);
        lines = List.copyOf(lines);
    }

    /** The file in {@code series}, or {@link BadSeries} naming the patch whose hunk is not a new file's. */
    public static CoreSource of(Series series) throws BadSeries {
        for (Path p : series.patches()) {
            String text;
            try {
                text = Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BadSeries(p + ": cannot read it: " + e.getMessage());
            }
            List<String> patchLines = List.of(text.split("\n", -1));
            int header = patchLines.indexOf("+++ b/" + FILE);
            if (header >= 0) {
                return parse(p, patchLines, header);
            }
        }
        throw new BadSeries(series.dir() + ": no patch in it creates " + FILE);
    }

    private static CoreSource parse(Path p, List<String> patchLines, int header) throws BadSeries {
        if (header < 1 || !patchLines.get(header - 1).equals("--- /dev/null") || header + 1 >= patchLines.size()) {
            throw new BadSeries(p + ": " + FILE + " is not created as a new file (--- /dev/null)");
        }
        Matcher m = NEW_FILE_HUNK.matcher(patchLines.get(header + 1));
        if (!m.matches()) {
            throw new BadSeries(p + ": line " + (header + 2) + ": expected the new-file hunk of " + FILE
                    + " (@@ -0,0 +1,N @@), found: " + patchLines.get(header + 1));
        }
        int count = m.group(1) == null ? 1 : Integer.parseInt(m.group(1));
        int first = header + 2;
        List<String> lines = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            if (i >= patchLines.size() || !patchLines.get(i).startsWith("+")) {
                throw new BadSeries(p + ": line " + (i + 1) + ": the hunk of " + FILE + " announces " + count
                        + " lines but has " + lines.size());
            }
            lines.add(patchLines.get(i).substring(1));
        }
        return new CoreSource(p, patchLines, first, lines);
    }

    /** Line {@code n} of the C file, counted from 1. */
    public String line(int n) {
        return lines.get(n - 1);
    }

    /** The patch with the C file's lines replaced as {@code mutant} says. */
    public String patchText(Mutant mutant) {
        List<String> out = new ArrayList<>(patchLines);
        for (Mutant.Edit e : mutant.edits()) {
            out.set(firstLine + e.line() - 1, "+" + e.text());
        }
        return String.join("\n", out);
    }

    /**
     * A copy of {@code series} in {@code dir} (every regular file of its folder, its FINDINGS too) with this
     * patch mutated.
     */
    public void write(Series series, Mutant mutant, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (var files = Files.list(series.dir())) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                Path to = dir.resolve(f.getFileName());
                if (f.equals(patch)) {
                    Files.writeString(to, patchText(mutant), StandardCharsets.UTF_8);
                } else {
                    Files.copy(f, to);
                }
            }
        }
    }
}
