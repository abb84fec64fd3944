package org.pcmdmabuf.script;

/**
 * Every size pcmsim accepts, in one place (the table and the reason for each value are in docs/op-scripts.md,
 * "Limits"). Each is checked where its value is read, before anything runs: when a script is read or parsed,
 * or when a command-line option is taken; a value beyond one is bad input, answered with one line that names
 * the value and the limit. Two only a run can reach, {@link #violationsPerOp} and {@link #touchedBytes}: the
 * op that reaches one is refused in the same way, and the run ends there.
 *
 * @param scriptBytes          bytes of one script file
 * @param ops                  op lines of one script
 * @param devices              {@code device} lines of one script
 * @param substreams           substreams of one device
 * @param processes            {@code proc} lines of one script
 * @param handles              fds and mappings a script creates (open, dup, send, dmabuf_export, mmap)
 * @param bufferBytes          {@code buffer_bytes_max} of one device
 * @param scriptBufferBytes    the buffer memory a script can hold at once, as {@link ScriptParser} bounds it
 * @param transferBytes        bytes of one writei or readi: its frames times the largest frame of a declared device
 * @param advanceNanos         simulated time of one {@code advance}, and of one {@code pcmsim simulate} run
 * @param advanceFrames        frames of one {@code advance frames=N}
 * @param violationsPerOp      protocol violations one op may record
 * @param touchedBytes         buffer memory one run may go over: DMA, transfers, fills, checks, syncs and
 *                             allocations, each step of the simulated DMA counting 256 bytes
 * @param lineBytes            the simulated cache's line size
 * @param cacheLines           the simulated cache's capacity in lines
 * @param randomEventsPerSecond random cache evictions, or refills, per simulated second
 * @param seeds                seeds of one {@code pcmsim explore}
 * @param jobs                 threads of one {@code pcmsim explore}
 */
public record Limits(
        long scriptBytes,
        int ops,
        int devices,
        int substreams,
        int processes,
        int handles,
        long bufferBytes,
        long scriptBufferBytes,
        long transferBytes,
        long advanceNanos,
        long advanceFrames,
        int violationsPerOp,
        long touchedBytes,
        int lineBytes,
        int cacheLines,
        double randomEventsPerSecond,
        int seeds,
        int jobs) {

    /**
     * Ops of one {@code concurrently} group: a case is judged against every order of them (4! = 24 runs of
     * the model), and a kernel race rarely needs more than three tasks to show.
     */
    public static final int CONCURRENT_OPS = 4;
    /** {@code concurrently} groups of one script. */
    public static final int CONCURRENT_GROUPS = 64;

    private static final long MIB = 1L << 20;
    private static final long NSEC_PER_SEC = 1_000_000_000L;

    /** The limits pcmsim and every target use. */
    public static final Limits DEFAULT = new Limits(
            8 * MIB,
            50_000,
            64,
            32,
            256,
            4096,
            64 * MIB,
            64 * MIB,
            16 * MIB,
            3600 * NSEC_PER_SEC,
            1L << 40,
            100_000,
            1L << 30,
            4096,
            1 << 18,
            1_000_000,
            1_000_000,
            256);

    /** What a value beyond a limit is told: {@code devices: 65, more than the limit of 64}. */
    public static String exceeded(String what, long value, long limit) {
        return what + ": " + value + ", more than the limit of " + limit;
    }
}
