package org.pcmdmabuf.model;

import java.util.function.Function;

/**
 * What a system call returns: a value, or an errno. The kernel's "negative errno" convention made explicit,
 * so callers must look at both outcomes. A CPU access through a mapping may instead raise a signal.
 */
public sealed interface Result<T> permits Result.Ok, Result.Err, Result.Faulted {

    record Ok<T>(T value) implements Result<T> {
    }

    record Err<T>(Errno errno) implements Result<T> {
    }

    /** The access faulted and the process got {@code signal} (LIFETIME-REVOKE-ZAP): no value, no errno. */
    record Faulted<T>(Signal signal) implements Result<T> {
    }

    static <T> Result<T> fault(Signal signal) {
        return new Faulted<>(signal);
    }

    /** The signal a faulting access raised, or null. */
    default Signal signal() {
        return this instanceof Faulted<T> f ? f.signal() : null;
    }

    static <T> Result<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Result<T> err(Errno errno) {
        return new Err<>(errno);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The errno, or null on success and on a fault. */
    default Errno errno() {
        return this instanceof Err<T> e ? e.errno() : null;
    }

    /** The value; throws if this is an error (use only where the caller already checked). */
    default T value() {
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        throw new IllegalStateException("no value: " + errno());
    }

    default <U> Result<U> map(Function<T, U> f) {
        return switch (this) {
            case Ok<T> ok -> new Ok<>(f.apply(ok.value()));
            case Err<T> e -> new Err<>(e.errno());
            case Faulted<T> s -> new Faulted<>(s.signal());
        };
    }

    default <U> Result<U> flatMap(Function<T, Result<U>> f) {
        return switch (this) {
            case Ok<T> ok -> f.apply(ok.value());
            case Err<T> e -> new Err<>(e.errno());
            case Faulted<T> s -> new Faulted<>(s.signal());
        };
    }

    /** An error or fault result of another value type, for propagating it. */
    @SuppressWarnings("unchecked")
    default <U> Result<U> cast() {
        if (!(this instanceof Ok<T>)) {
            return (Result<U>) this;
        }
        throw new IllegalStateException("cast of a success");
    }
}
