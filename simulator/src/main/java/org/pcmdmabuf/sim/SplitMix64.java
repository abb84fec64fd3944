package org.pcmdmabuf.sim;

/**
 * The simulator's only source of randomness: SplitMix64 (Steele, Lea and Flood), fixed here so a seed means
 * the same run on every JDK. Components get their own stream with {@link #split()}, so adding a draw in one
 * component does not shift every other component's choices.
 */
public final class SplitMix64 {
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, bound). */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return Long.remainderUnsigned(nextLong(), bound);
    }

    public int nextInt(int bound) {
        return (int) nextLong(bound);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public boolean chance(double p) {
        return p > 0 && nextDouble() < p;
    }

    /** Exponentially distributed with the given mean (for waiting times and jitter). */
    public double exponential(double mean) {
        return -mean * Math.log(1 - nextDouble());
    }

    /** A generator that will draw what this one draws next, leaving this one as it is. */
    public SplitMix64 copy() {
        return new SplitMix64(state);
    }

    public SplitMix64 split() {
        return new SplitMix64(nextLong());
    }
}
