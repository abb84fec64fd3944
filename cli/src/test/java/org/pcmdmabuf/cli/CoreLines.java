package org.pcmdmabuf.cli;

import java.util.List;
import org.pcmdmabuf.conformance.mutate.CoreSource;
import org.pcmdmabuf.conformance.mutate.Mutator;
import org.pcmdmabuf.conformance.validate.BadSeries;
import org.pcmdmabuf.conformance.validate.Series;

/**
 * The shipped series' sound/core/pcm_dmabuf.c as patch 0002 creates it: tests that name a line, a call site or a
 * mutant find it in the file as it is, so that a change of the series moves them with it.
 */
final class CoreLines {
    private CoreLines() {
    }

    static List<String> source() {
        try {
            return CoreSource.of(Series.open(PcmsimValidateTest.SERIES)).lines();
        } catch (BadSeries e) {
            throw new AssertionError("the shipped series does not parse: " + e.getMessage(), e);
        }
    }

    /** The line (from 1) holding {@code text}; the first one from line {@code after} on. */
    static int lineOf(String text, int after) {
        List<String> source = source();
        for (int i = Math.max(0, after - 1); i < source.size(); i++) {
            if (source.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError("pcm_dmabuf.c of the shipped series has no line with " + text);
    }

    static int lineOf(String text) {
        return lineOf(text, 1);
    }

    /** How many mutants the file has: the total every mutate report names. */
    static int mutants() {
        return Mutator.mutants(source()).size();
    }

    /** The lines of EXPORT's opt-in check (snd_pcm_dmabuf_can_export()), as --lines takes them. */
    static String optInLines() {
        int at = lineOf("if (!(runtime->info & SNDRV_PCM_INFO_MMAP))");
        return (at - 6) + "-" + (at + 16);
    }
}
