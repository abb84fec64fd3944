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
