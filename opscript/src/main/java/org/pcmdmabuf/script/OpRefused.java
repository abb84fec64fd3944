package org.pcmdmabuf.script;

/**
 * An op a target gave up part way because it asked for more than a limit that only running it can reach
 * ({@link Limits#violationsPerOp()}, {@link Limits#touchedBytes()}): the script is bad input, and the target
 * must not be used after it.
 */
public final class OpRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public final transient Op op;

    public OpRefused(Op op, String message) {
        super(message);
        this.op = op;
    }

    /** One line, as {@link ScriptException#describe()} words it: {@code line 9: 'advance': ...}. */
    public String describe() {
        return "line " + op.line() + ": '" + op.name() + "': " + getMessage();
    }
}
