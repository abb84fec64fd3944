package org.pcmdmabuf.conformance.validate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The head of the first AddressSanitizer or UndefinedBehaviorSanitizer report in a harness process's output:
 * what it found, and the top frames of where, with the revision's files named as the kernel tree names them
 * (the scratch folder they were built in is temporary). The rest of a report (shadow bytes, allocation and
 * free stacks, the JVM's frames) is what a developer reruns for; the head says which check broke what.
 */
final class SanitizerReport {
    /** Frames of the report's first stack a check shows. */
    static final int FRAMES = 6;

    /** "==PID==ERROR: AddressSanitizer: heap-use-after-free on address ...". */
    private static final Pattern ASAN = Pattern.compile("==\\d+==ERROR: (AddressSanitizer|LeakSanitizer): .*");
    /** "FILE:LINE:COL: runtime error: ...", UBSan's first line. */
    private static final Pattern UBSAN = Pattern.compile(".*:\\d+:\\d+: runtime error: .*");
    /** "    #3 0x7f.. in function FILE:LINE", a frame of a sanitizer's stack. */
    private static final Pattern FRAME = Pattern.compile("\\s*#\\d+ 0x[0-9a-f]+ .*");
    /** ASan's "READ of size 4 at 0x... thread T0": the access. */
    private static final Pattern ACCESS = Pattern.compile("(READ|WRITE) of size \\d+ .*");
    private static final Pattern PID = Pattern.compile("^==\\d+==");
    /** build.sh's tree of a variant's sources, {@code /tmp/pcmsim-validate-1/src-asan/}. */
    private static final Pattern BUILD_TREE = Pattern.compile("[^\\s'\"]*/src-(?:plain|asan|coverage|asan-coverage)/");

    private SanitizerReport() {
    }

    /**
     * The report's first line (the sanitizer and what it found), the access, the first {@link #FRAMES} frames and
     * ASan's SUMMARY line; empty when {@code output} holds no report.
     */
    static List<String> first(List<String> output, Path scratch) {
        int start = -1;
        for (int i = 0; i < output.size() && start < 0; i++) {
            String l = output.get(i);
            if (ASAN.matcher(l).matches() || UBSAN.matcher(l).matches()) {
                start = i;
            }
        }
        if (start < 0) {
            return List.of();
        }
        String head = output.get(start);
        List<String> out = new ArrayList<>();
        out.add(UBSAN.matcher(head).matches() ? "UndefinedBehaviorSanitizer: " + tidy(head, scratch)
                : tidy(PID.matcher(head).replaceFirst(""), scratch).replaceFirst("^ERROR: ", ""));
        int frames = 0;
        boolean stackEnded = false;
        for (String l : output.subList(start + 1, output.size())) {
            if (l.startsWith("SUMMARY: ")) {
                out.add(tidy(l, scratch));
                break;
            }
            if (FRAME.matcher(l).matches()) {
                if (!stackEnded && frames++ < FRAMES) {
                    out.add("  " + tidy(l.strip(), scratch));
                }
            } else if (frames > 0) {
                // the first stack ended: what follows is the allocation's and the free's, or the JVM's
                stackEnded = true;
            } else if (ACCESS.matcher(l).matches()) {
                out.add(tidy(l, scratch));
            }
        }
        return out;
    }

    /**
     * {@code line} with the revision tree's folder left out: {@code sound/core/pcm_dmabuf.c:12}. The tree is in
     * {@code scratch}, or for a build reused from {@link HarnessBuilds} in the scratch folder of its first build,
     * which the sanitizers' own locations (UBSan's, ASan's globals) still name.
     */
    private static String tidy(String line, Path scratch) {
        return BUILD_TREE.matcher(line).replaceAll("").replace(scratch.toString() + "/", "");
    }
}
