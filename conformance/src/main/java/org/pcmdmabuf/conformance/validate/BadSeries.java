package org.pcmdmabuf.conformance.validate;

/** Input that is no series to validate (not a series, does not apply): one line naming the file. */
public final class BadSeries extends Exception {
    private static final long serialVersionUID = 1L;

    public BadSeries(String message) {
        super(message);
    }
}
