package org.pcmdmabuf.conformance.validate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pcmdmabuf.script.Json;

/**
 * Line and branch coverage of a revision's sound/core/pcm_dmabuf.c, as gcov counted it over the harness checks
 * (the shims around it are not counted: they are the harness's code, not the revision's). A line is one gcov
 * gives a count; a branch is one outcome of a conditional jump the compiler made of a line, taken at least
 * once or not.
 */
public record Coverage(String file, int lines, int linesReached, int branches, int branchesTaken,
        List<Line> unreachedLines, List<Branch> unreachedBranches) {

    /** The file counted, as the kernel tree names it. */
    public static final String FILE = "sound/core/pcm_dmabuf.c";

    /** A line with code that never ran. */
    public record Line(int number, String text) {
    }

    /** Outcome {@code index} (gcov's numbering within the line) of a jump on line {@code line}, never taken. */
    public record Branch(int line, int index, String text) {
    }

    public Coverage {
        unreachedLines = List.copyOf(unreachedLines);
        unreachedBranches = List.copyOf(unreachedBranches);
    }

    /** gcov's "-:    0:Source:PATH" header of each source file in its intermediate text output. */
    private static final Pattern SOURCE = Pattern.compile("\\s*-:\\s*0:Source:(.*)");
    /** "COUNT:LINE:TEXT": COUNT a number (a "*" when some block of it did not run), "#####" or "=====", or "-". */
    private static final Pattern LINE = Pattern.compile("\\s*([^:\\s]+):\\s*(\\d+):(.*)");
    /** "branch  N taken C" or "branch  N never executed", with -b -c. */
    private static final Pattern BRANCH = Pattern.compile("branch\\s+(\\d+)\\s+(?:taken (\\d+)|never executed).*");

    /**
     * The figures of {@link #FILE} in {@code gcov -b -c -t} output (every source file of the library, one after
     * the other); null if the output has no such file.
     */
    public static Coverage parse(List<String> gcov) {
        boolean in = false;
        boolean found = false;
        int lines = 0;
        int reached = 0;
        int branches = 0;
        int taken = 0;
        int line = 0;
        String text = "";
        List<Line> unreachedLines = new ArrayList<>();
        List<Branch> unreachedBranches = new ArrayList<>();
        for (String l : gcov) {
            Matcher s = SOURCE.matcher(l);
            if (s.matches()) {
                in = s.group(1).strip().endsWith("/" + FILE);
                found |= in;
                continue;
            }
            if (!in) {
                continue;
            }
            Matcher b = BRANCH.matcher(l);
            if (b.matches()) {
                branches++;
                if (b.group(2) != null && Long.parseLong(b.group(2)) > 0) {
                    taken++;
                } else {
                    unreachedBranches.add(new Branch(line, Integer.parseInt(b.group(1)), text));
                }
                continue;
            }
            Matcher m = LINE.matcher(l);
            if (!m.matches() || m.group(2).equals("0")) {
                continue;
            }
            line = Integer.parseInt(m.group(2));
            text = m.group(3).strip();
            String count = m.group(1);
            if (count.equals("-")) {
                continue;
            }
            lines++;
            if (count.matches("\\d+\\*?") && Long.parseLong(count.replace("*", "")) > 0) {
                reached++;
            } else {
                unreachedLines.add(new Line(line, text));
            }
        }
        return found ? new Coverage(FILE, lines, reached, branches, taken, unreachedLines, unreachedBranches) : null;
    }

    /** One line: {@code lines 412/450 (91.6%), branches 300/380 (78.9%)}. */
    public String summary() {
        return String.format(Locale.ROOT, "lines %d/%d (%.1f%%), branches %d/%d (%.1f%%)", linesReached, lines,
                percent(linesReached, lines), branchesTaken, branches, percent(branchesTaken, branches));
    }

    private static double percent(int part, int whole) {
        return whole == 0 ? 100 : 100.0 * part / whole;
    }

    /** The text report's section: the totals, then every unreached line and branch as FILE:LINE: source. */
    public List<String> text() {
        List<String> out = new ArrayList<>();
        out.add("coverage of " + file + ": " + summary());
        out.add("unreached lines (" + unreachedLines.size() + "):");
        for (Line l : unreachedLines) {
            out.add("  " + file + ":" + l.number() + ": " + l.text());
        }
        out.add("unreached branches (" + unreachedBranches.size() + "):");
        for (Branch b : unreachedBranches) {
            out.add("  " + file + ":" + b.line() + ": branch " + b.index() + ": " + b.text());
        }
        return out;
    }

    /** As JSON: the totals and both lists. */
    public String json() {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"file\": ").append(Json.string(file));
        sb.append(", \"lines\": ").append(lines).append(", \"linesReached\": ").append(linesReached);
        sb.append(", \"branches\": ").append(branches).append(", \"branchesTaken\": ").append(branchesTaken);
        sb.append(", \"unreachedLines\": [");
        for (int i = 0; i < unreachedLines.size(); i++) {
            Line l = unreachedLines.get(i);
            sb.append(i == 0 ? "" : ", ").append("{\"line\": ").append(l.number()).append(", \"text\": ")
                    .append(Json.string(l.text())).append('}');
        }
        sb.append("], \"unreachedBranches\": [");
        for (int i = 0; i < unreachedBranches.size(); i++) {
            Branch b = unreachedBranches.get(i);
            sb.append(i == 0 ? "" : ", ").append("{\"line\": ").append(b.line()).append(", \"branch\": ")
                    .append(b.index()).append(", \"text\": ").append(Json.string(b.text()))
                    .append('}');
        }
        return sb.append("]}").toString();
    }
}
