package org.pcmdmabuf.model;

/**
 * An op asked for more than a limit the model was given ({@link World#limitViolationsPerOp},
 * {@link World#limitTouch}): bad input, not a bug. The op is abandoned part way, so the world must not be used
 * after it.
 */
public final class LimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LimitExceeded(String message) {
        super(message);
    }
}
