package org.pcmdmabuf.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Dynamic tests whose work (a variant's build and validation: a compiler, a JVM, a harness process, each using one
 * core) runs two at a time from the start, so that a machine's second core does not idle through the longest test
 * classes. Each test waits for its own work, then judges what it made; a failure of the work is the test's.
 */
final class TwoAtATime {
    private static final long WAIT_MINUTES = 15;

    interface Work<V, T> {
        T run(V item) throws Exception;
    }

    interface Judge<V, T> {
        void judge(V item, T made) throws Throwable;
    }

    interface Name<V> {
        String of(V item);
    }

    private TwoAtATime() {
    }

    static <V, T> Stream<DynamicTest> tests(List<V> items, Name<V> name, Work<V, T> work, Judge<V, T> judge) {
        ExecutorService pool = Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().factory());
        List<Future<T>> made = new ArrayList<>();
        for (V item : items) {
            made.add(pool.submit(() -> work.run(item)));
        }
        pool.shutdown();
        return IntStream.range(0, items.size()).mapToObj(i -> DynamicTest.dynamicTest(name.of(items.get(i)), () -> {
            T t;
            try {
                t = made.get(i).get(WAIT_MINUTES, TimeUnit.MINUTES);
            } catch (ExecutionException failed) {
                throw failed.getCause();
            }
            judge.judge(items.get(i), t);
        }));
    }
}
