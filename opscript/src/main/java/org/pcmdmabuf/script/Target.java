package org.pcmdmabuf.script;

/**
 * Something that executes op scripts and answers each op: the model, the patch's C code in its harness,
 * a real kernel. One instance runs one script.
 */
public interface Target extends AutoCloseable {
    /** The target's name as {@code --target} spells it. */
    String name();

    /** Creates the script's devices and processes; called once, before the first op. */
    void declare(Script script);

    Outcome execute(Op op, Names names);

    /**
     * The one line a target other than the model refuses a script with when it holds an op only the model
     * answers ({@link Op#modelOnly}); null when it holds none. Refused, not skipped, so that no comparison
     * of targets silently leaves out the designs' ops.
     */
    static String refusal(Script script, String target) {
        for (Op op : script.ops()) {
            if (Op.modelOnly(op)) {
                return "line " + op.line() + ": op " + op.name() + " is model-only (docs/designs.md);"
                        + " --target " + target + " does not implement it";
            }
        }
        return null;
    }

    @Override
    default void close() {
    }
}
