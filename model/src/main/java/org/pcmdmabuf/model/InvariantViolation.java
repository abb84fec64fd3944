package org.pcmdmabuf.model;

/** A broken model invariant: a bug in the model (or in a target the model is mirroring), never a client error. */
public final class InvariantViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvariantViolation(String message) {
        super(message);
    }
}
