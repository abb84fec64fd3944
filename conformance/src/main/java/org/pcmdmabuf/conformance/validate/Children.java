package org.pcmdmabuf.conformance.validate;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** What the pools of validate and mutate share: a task's failure reaches the caller as what it threw. */
public final class Children {
    private Children() {}

    /**
     * The task's value; a task that threw rethrows its own exception, so an interrupt or a child's I/O error
     * reads the same whether the work ran on the caller's thread or in a pool.
     */
    public static <T> T result(Future<T> task) throws IOException, InterruptedException {
        try {
            return task.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case InterruptedException interrupted -> throw interrupted;
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error error -> throw error;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }
}
