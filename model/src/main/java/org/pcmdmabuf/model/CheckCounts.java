package org.pcmdmabuf.model;

/**
 * What a CPU read of a range saw, per frame: good (every word carries a stamp), missing (no word was ever
 * written), torn (some words written, some not). Stale needs cache contents; the model, which has none,
 * reports 0 and records the skipped sync as a {@link Violation} instead; the simulator fills it in.
 */
public record CheckCounts(long good, long stale, long torn, long missing) {

    static CheckCounts of(long[] words, int frameWords) {
        long good = 0;
        long torn = 0;
        long missing = 0;
        for (int w = 0; w < words.length; w += frameWords) {
            int written = 0;
            int n = Math.min(frameWords, words.length - w);
            for (int i = 0; i < n; i++) {
                if (words[w + i] != 0) {
                    written++;
                }
            }
            if (written == n) {
                good++;
            } else if (written == 0) {
                missing++;
            } else {
                torn++;
            }
        }
        return new CheckCounts(good, 0, torn, missing);
    }
}
