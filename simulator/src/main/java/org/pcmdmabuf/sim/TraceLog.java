package org.pcmdmabuf.sim;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.script.Json;

/**
 * Chrome trace-event JSON (the format Perfetto and chrome://tracing open): one track per DMA, process,
 * syncs, xruns and integrity errors. Timestamps are virtual time, so the file is part of the deterministic
 * output.
 */
public class TraceLog {
    /** Discards everything: the default when no trace is asked for. */
    public static final TraceLog NONE = new TraceLog() {
        @Override
        public void span(String track, String name, long startNs, long durNs) {
        }

        @Override
        public void instant(String track, String name, long atNs) {
        }

        @Override
        public boolean records() {
            return false;
        }
    };

    private final Map<String, Integer> tracks = new LinkedHashMap<>();
    private final List<String> events = new ArrayList<>();

    private int tid(String track) {
        return tracks.computeIfAbsent(track, t -> tracks.size() + 1);
    }

    /** Whether anything is kept: callers skip building what {@link #NONE} would discard. */
    public boolean records() {
        return true;
    }

    /** A complete event ("X") on a track. */
    public void span(String track, String name, long startNs, long durNs) {
        events.add("{\"name\":" + Json.string(name) + ",\"ph\":\"X\",\"pid\":1,\"tid\":" + tid(track) + ",\"ts\":"
                + micros(startNs) + ",\"dur\":" + micros(Math.max(durNs, 1000)) + "}");
    }

    /** An instant event ("i") on a track. */
    public void instant(String track, String name, long atNs) {
        events.add("{\"name\":" + Json.string(name) + ",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" + tid(track)
                + ",\"ts\":" + micros(atNs) + "}");
    }

    private static String micros(long ns) {
        return ns / 1000 + "." + String.format("%03d", ns % 1000);
    }

    public int size() {
        return events.size();
    }

    /** Writes the trace as one JSON object with thread names, so each track has its label. */
    public void write(Writer out) throws IOException {
        out.write("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n");
        out.write("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"pcmsim\"}}");
        for (Map.Entry<String, Integer> t : tracks.entrySet()) {
            out.write(",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" + t.getValue()
                    + ",\"args\":{\"name\":" + Json.string(t.getKey()) + "}}");
        }
        for (String e : events) {
            out.write(",\n");
            out.write(e);
        }
        out.write("\n]}\n");
    }
}
