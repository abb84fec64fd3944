package org.pcmdmabuf.conformance.mutate;

import java.util.List;

/**
 * One change of sound/core/pcm_dmabuf.c: the lines it rewrites (most mutants one, a statement or condition that
 * spans lines several), at {@code line} and {@code column} (from 1) of the C file. The id, operator:line:column,
 * stays the same as long as the file does.
 *
 * @param before the first rewritten line as it was, trimmed
 * @param after the same line mutated, trimmed
 */
public record Mutant(Operator operator, int line, int column, List<Edit> edits, String before, String after) {
    /** Line {@code line} of the C file (from 1) reads {@code text}. */
    public record Edit(int line, String text) {
    }

    public Mutant {
        edits = List.copyOf(edits);
    }

    public String id() {
        return operator.id() + ":" + line + ":" + column;
    }

    /** {@code pcm_dmabuf.c:483 negate condition: if (!buf) -> if (buf)}. */
    public String description() {
        String more = edits.size() > 1 ? " ..." : "";
        return "pcm_dmabuf.c:" + line + " " + operator.title() + ": " + before + more + " -> "
                + (after.isEmpty() ? "(empty line)" : after) + more;
    }
}
