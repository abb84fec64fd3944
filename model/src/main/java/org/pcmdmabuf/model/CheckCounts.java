package org.pcmdmabuf.model;

/**
 * What a CPU read of a range saw, per frame, against what was last stored there by anyone: good (every word
 * is the latest), stale (every word is older: a cache line nobody invalidated), missing (nothing was ever
 * stored), torn (a mix). Without a cache nothing is ever stale; the model then reports a skipped sync as a
 * {@link ProtocolViolation}.
 */
public record CheckCounts(long good, long stale, long torn, long missing) {

    /**
     * Classifies each frame of the first {@code length} of {@code words} (read by the CPU from word
     * {@code first} on) against {@code logical}, what the words would hold without a cache.
     */
    static CheckCounts of(long[] words, int length, long[] logical, int first, int frameWords) {
        long good = 0;
        long stale = 0;
        long torn = 0;
        long missing = 0;
        for (int w = 0; w < length; w += frameWords) {
            int n = Math.min(frameWords, length - w);
            int fresh = 0;
            int old = 0;
            for (int i = 0; i < n; i++) {
                long expected = logical[first + w + i];
                if (expected == 0 && words[w + i] == 0) {
                    continue;
                }
                if (words[w + i] == expected) {
                    fresh++;
                } else {
                    old++;
                }
            }
            if (fresh == n) {
                good++;
            } else if (old == n) {
                stale++;
            } else if (fresh + old == 0) {
                missing++;
            } else {
                torn++;
            }
        }
        return new CheckCounts(good, stale, torn, missing);
    }

    CheckCounts plus(CheckCounts o) {
        return new CheckCounts(good + o.good, stale + o.stale, torn + o.torn, missing + o.missing);
    }
}
