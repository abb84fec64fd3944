package org.pcmdmabuf.model;

import java.util.function.Function;

/**
 * What a system call returns: a value, or an errno. The kernel's "negative errno" convention made explicit,
 * so callers must look at both outcomes.
 */
public sealed interface Result<T> permits Result.Ok, Result.Err {

    record Ok<T>(T value) implements Result<T> {
    }

    record Err<T>(Errno errno) implements Result<T> {
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

    /** The errno, or null on success. */
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
        };
    }

    default <U> Result<U> flatMap(Function<T, Result<U>> f) {
        return switch (this) {
            case Ok<T> ok -> f.apply(ok.value());
            case Err<T> e -> new Err<>(e.errno());
        };
    }

    /** An error result of another value type, for propagating errnos. */
    @SuppressWarnings("unchecked")
    default <U> Result<U> cast() {
        if (this instanceof Err<T> e) {
            return (Result<U>) e;
        }
        throw new IllegalStateException("cast of a success");
    }
}
