package org.pcmdmabuf.script;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a target answered to one op: the return value (-1 on error, as a system call), the errno name
 * ({@code E...}) or null, the substream state after the op (null where the op has no substream), and
 * op-specific data ({@code check} counts, {@code leaks} counts). Fd numbers differ between targets; compare
 * errno and state, never raw fds.
 */
public record Outcome(long ret, String errno, String state, Map<String, Object> extra) {
    public Outcome {
        extra = extra == null || extra.isEmpty() ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public static Outcome ok(long ret, String state) {
        return new Outcome(ret, null, state, null);
    }

    public static Outcome error(String errno, String state) {
        return new Outcome(-1, errno, state, null);
    }

    public Outcome with(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(extra);
        m.put(key, value);
        return new Outcome(ret, errno, state, m);
    }
}
