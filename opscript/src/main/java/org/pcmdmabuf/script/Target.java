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

    @Override
    default void close() {
    }
}
