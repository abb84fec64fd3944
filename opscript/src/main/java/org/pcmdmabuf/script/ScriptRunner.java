package org.pcmdmabuf.script;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.pcmdmabuf.model.LimitExceeded;

/** Runs a parsed script on a target, op by op. */
public final class ScriptRunner {
    private ScriptRunner() {
    }

    /** One executed op and its outcome. */
    public record Step(Op op, Outcome outcome) {
        /** The op as one JSON object, the shape of SCRIPT-JSON-SHAPE (docs/spec.md). */
        public String json() {
            StringBuilder sb = new StringBuilder();
            sb.append("{\"line\":").append(op.line());
            sb.append(",\"proc\":").append(Json.string(op.proc()));
            sb.append(",\"op\":").append(Json.string(op.name()));
            sb.append(",\"ret\":").append(outcome.ret());
            sb.append(",\"errno\":").append(Json.string(outcome.errno()));
            sb.append(",\"state\":").append(Json.string(outcome.state()));
            for (Map.Entry<String, Object> e : outcome.extra().entrySet()) {
                sb.append(',').append(Json.string(e.getKey())).append(':').append(Json.value(e.getValue()));
            }
            return sb.append('}').toString();
        }
    }

    public static List<Step> run(Script script, Target target) {
        List<Step> steps = new ArrayList<>();
        run(script, target, steps::add);
        return steps;
    }

    /** Runs {@code script} on {@code target}; an op beyond a run-time limit ends the run with {@link OpRefused}. */
    public static void run(Script script, Target target, Consumer<Step> each) {
        target.declare(script);
        Names names = new Names();
        for (Op op : script.ops()) {
            Outcome outcome;
            try {
                outcome = target.execute(op, names);
            } catch (LimitExceeded e) {
                throw new OpRefused(op, e.getMessage());
            }
            each.accept(new Step(op, outcome));
        }
    }
}
