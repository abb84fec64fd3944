package org.pcmdmabuf.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar with the time left, redrawn on one line of a terminal at most five times a second. Off the
 * terminal it prints nothing, so that piped output stays what it was.
 */
final class Progress {
    private static final long REDRAW_NS = 200_000_000L;
    private static final int WIDTH = 40;

    private final PrintWriter err;
    private final String unit;
    private final long startNs = System.nanoTime();
    private long drawnNs;
    private boolean drawn;

    private Progress(PrintWriter err, String unit) {
        this.err = err;
        this.unit = unit;
    }

    /** A bar on {@code err} when pcmsim runs on a terminal, else null. */
    static Progress onTerminal(PrintWriter err, String unit) {
        Console c = System.console();
        return c != null && c.isTerminal() ? new Progress(err, unit) : null;
    }

    /** {@code done} of {@code total} {@code unit}s; the time left is extrapolated from the time so far. */
    void update(long done, long total) {
        long now = System.nanoTime();
        if (drawn && now - drawnNs < REDRAW_NS && done < total) {
            return;
        }
        drawn = true;
        drawnNs = now;
        int filled = (int) (WIDTH * (double) done / Math.max(1, total));
        double elapsed = (now - startNs) / 1e9;
        String left = done == 0 ? "?" : seconds(elapsed * (total - done) / done);
        err.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + unit
                + ", " + seconds(elapsed) + " elapsed, " + left + " left ");
        err.flush();
    }

    /** Ends the bar's line. */
    void finish() {
        if (drawn) {
            err.println();
            err.flush();
        }
    }

    private static String seconds(double s) {
        return s < 60 ? String.format(Locale.ROOT, "%.0f s", s)
                : s < 3600 ? String.format(Locale.ROOT, "%d min %02d s", (long) s / 60, (long) s % 60)
                : String.format(Locale.ROOT, "%d h %02d min", (long) s / 3600, (long) s / 60 % 60);
    }
}
