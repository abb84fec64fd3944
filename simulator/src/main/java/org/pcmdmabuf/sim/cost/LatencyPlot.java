package org.pcmdmabuf.sim.cost;

import java.util.List;
import java.util.Locale;

/**
 * The write-to-DMA latency distributions of both paths as one SVG: a cumulative distribution per path
 * (the fraction of periods whose first frame reached the DMA within x milliseconds), with p50 and p99 marked.
 * Plain SVG text with no fonts or scripts, so the same result gives the same bytes.
 */
public final class LatencyPlot {
    private static final int WIDTH = 820;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final String[] COLOURS = {"#1b7837", "#b2182b"};

    private LatencyPlot() {
    }

    public static String svg(ZeroCopyBench.Result r) {
        List<ZeroCopyBench.PathResult> paths = List.of(r.zeroCopy(), r.copy());
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (ZeroCopyBench.PathResult p : paths) {
            if (p.latenciesNs().length > 0) {
                lo = Math.min(lo, p.latenciesNs()[0]);
                hi = Math.max(hi, p.latenciesNs()[p.latenciesNs().length - 1]);
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        double step = niceStep((hi - lo) / 1e6 / 6);
        double x0 = Math.floor(lo / 1e6 / step) * step;
        double x1 = Math.max(x0 + step, Math.ceil(hi / 1e6 / step) * step);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        title(sb, r);
        axes(sb, x0, x1, step);
        for (int i = 0; i < paths.size(); i++) {
            curve(sb, paths.get(i), COLOURS[i], x0, x1, i);
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void title(StringBuilder sb, ZeroCopyBench.Result r) {
        var s = r.workload();
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"14\">Write-to-DMA latency: %d "
                + "stream%s, %s, %d Hz, %d x %d frames, %.0f s simulated, seed %d</text>%n", LEFT, r.streams(),
                r.streams() == 1 ? "" : "s", s.coherent() ? "coherent" : "non-coherent", s.rate(), s.periodFrames(),
                s.periods(), s.durationNs() / 1e9, s.seed()));
    }

    private static void axes(StringBuilder sb, double x0, double x1, double step) {
        int bottom = HEIGHT - BOTTOM;
        int right = WIDTH - RIGHT;
        sb.append(String.format(Locale.ROOT, "<path d=\"M%d %d V%d H%d\" fill=\"none\" stroke=\"black\"/>%n", LEFT,
                TOP, bottom, right));
        for (double x = x0; x <= x1 + step / 2; x += step) {
            double px = px(x, x0, x1);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    px, TOP, px, bottom));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px,
                    bottom + 16, trim(x)));
        }
        for (int k = 0; k <= 4; k++) {
            double py = py(k / 4.0);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, py, right, py));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>%n",
                    LEFT - 6, py + 4, k / 4.0));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">latency from the write "
                + "to the DMA reading it (ms)</text>%n", (LEFT + right) / 2, HEIGHT - 18));
        sb.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\">"
                + "fraction of periods</text>%n", (TOP + bottom) / 2));
    }

    private static void curve(StringBuilder sb, ZeroCopyBench.PathResult p, String colour, double x0, double x1,
                              int row) {
        long[] v = p.latenciesNs();
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            // Equal samples make one step of the CDF, drawn at the last of them.
            if (i + 1 < v.length && v[i + 1] == v[i]) {
                continue;
            }
            double px = px(v[i] / 1e6, x0, x1);
            if (d.isEmpty()) {
                d.append(String.format(Locale.ROOT, "M%.1f %.1f", px, py(0)));
            }
            d.append(String.format(Locale.ROOT, " H%.1f V%.1f", px, py((i + 1) / (double) v.length)));
        }
        if (!d.isEmpty()) {
            d.append(" H").append(WIDTH - RIGHT);
        }
        sb.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", d,
                colour));
        // The legend sits where no curve is: low latencies are rare, so the left half is empty.
        int y = (int) py(0.6) + row * 18;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                + "stroke-width=\"3\"/>%n", LEFT + 12, y - 4, LEFT + 36, y - 4, colour));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s: p50 %.2f ms, p99 %.2f ms</text>%n",
                LEFT + 42, y, p.name(), p.latencyPercentile(50) / 1e6, p.latencyPercentile(99) / 1e6));
    }

    private static double px(double ms, double x0, double x1) {
        return LEFT + (ms - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT);
    }

    private static double py(double fraction) {
        return HEIGHT - BOTTOM - fraction * (HEIGHT - BOTTOM - TOP);
    }

    /** A tick spacing of 1, 2 or 5 times a power of ten near {@code raw}. */
    private static double niceStep(double raw) {
        if (!(raw > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        double m = raw / p;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
