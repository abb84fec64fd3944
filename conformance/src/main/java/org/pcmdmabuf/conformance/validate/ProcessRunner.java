package org.pcmdmabuf.conformance.validate;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * How {@link Validation} runs what it does not run itself: kernel-patch/scripts/check.sh, the harness build and
 * the child JVMs of {@link HarnessChecks}. {@link SystemProcessRunner} is the real one; a test hands a double
 * to see a step fail, hang, crash or be interrupted without waiting for a kernel build.
 */
public interface ProcessRunner {
    /** Starts {@code command} with its standard error merged into its standard output and no standard input. */
    Child start(List<String> command) throws IOException;

    /** A started process; closing it stops it and everything it started, if they still run. */
    interface Child extends AutoCloseable {
        /**
         * The next line it printed, or null once its output ended.
         *
         * @throws TimeoutException when no line came within {@code timeout}
         */
        String readLine(Duration timeout) throws IOException, InterruptedException, TimeoutException;

        /** Its exit status, once it ended: a process a signal killed ends with 128 + the signal's number. */
        int waitFor() throws InterruptedException;

        /**
         * Where it is now, to say where a process that ran past its time limit was stuck: a JVM's main thread
         * as its frames ({@code at Class.method(File.java:N)}), anything else as the commands it runs.
         */
        List<String> where();

        @Override
        void close();
    }
}
