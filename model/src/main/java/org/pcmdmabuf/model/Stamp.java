package org.pcmdmabuf.model;

/**
 * The value written into every word of a frame so a reader can tell which write it sees: who wrote it
 * (a client, or a capture device) and for which frame (hw_ptr space). 0 is never a stamp.
 */
public final class Stamp {
    private static final int FRAME_BITS = 44;
    private static final long FRAME_MASK = (1L << FRAME_BITS) - 1;

    private Stamp() {
    }

    public static long of(int source, long frame) {
        return ((long) (source + 1) << FRAME_BITS) | ((frame + 1) & FRAME_MASK);
    }

    /**
     * The stamps of {@code source} for frames {@code firstFrame} to {@code firstFrame + n - 1}, into {@code dst}
     * from index {@code at}: a run written or checked at once, in a loop the JIT can vectorise.
     */
    public static void fill(long[] dst, int at, int n, int source, long firstFrame) {
        long first = of(source, firstFrame);
        if ((first & FRAME_MASK) + n - 1 <= FRAME_MASK) {
            // The frame field does not wrap within the run, so the stamps are consecutive numbers.
            for (int k = 0; k < n; k++) {
                dst[at + k] = first + k;
            }
            return;
        }
        for (int k = 0; k < n; k++) {
            dst[at + k] = of(source, firstFrame + k);
        }
    }

    /**
     * The first index in [{@code from}, {@code to}) of {@code words} that does not hold the stamp of
     * {@code source} for frame {@code firstFrame + (index - from)}, or {@code to}: a played run checked in one pass.
     */
    public static int mismatch(long[] words, int from, int to, int source, long firstFrame) {
        long first = of(source, firstFrame);
        if ((first & FRAME_MASK) + (to - from) - 1 <= FRAME_MASK) {
            long expected = first - from;
            for (int k = from; k < to; k++) {
                if (words[k] != expected + k) {
                    return k;
                }
            }
            return to;
        }
        for (int k = from; k < to; k++) {
            if (words[k] != of(source, firstFrame + (k - from))) {
                return k;
            }
        }
        return to;
    }

    public static int source(long stamp) {
        return (int) (stamp >>> FRAME_BITS) - 1;
    }

    public static long frame(long stamp) {
        return (stamp & FRAME_MASK) - 1;
    }

    /** The source number of a capture device's substream: above every client's. */
    public static int deviceSource(Substream s) {
        return 1_000_000 + s.pcm.index * 64 + s.number;
    }
}
