package org.pcmdmabuf.cli;

import java.util.Map;
import org.pcmdmabuf.script.Json;
import org.pcmdmabuf.script.ScriptRunner;

/** The human-readable form of an executed op. */
final class Text {
    private Text() {
    }

    static String line(ScriptRunner.Step s) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%4d  %-8s %-14s ", s.op().line(), s.op().proc() == null ? "-" : s.op().proc(),
                s.op().name()));
        sb.append(s.outcome().errno() != null ? s.outcome().errno() : "= " + s.outcome().ret());
        if (s.outcome().state() != null) {
            sb.append("  [").append(s.outcome().state()).append(']');
        }
        for (Map.Entry<String, Object> e : s.outcome().extra().entrySet()) {
            sb.append("  ").append(e.getKey()).append('=').append(Json.value(e.getValue()));
        }
        return sb.toString();
    }
}
