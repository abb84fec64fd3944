package org.pcmdmabuf.conformance.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The real {@link ProcessRunner}: what the doubles of ValidateProcessesTest stand for holds for real processes.
 * A process past its time limit says where it is (a script's commands, a JVM's main thread), and closing it
 * stops everything it started.
 */
class SystemProcessRunnerTest {
    private final ProcessRunner runner = new SystemProcessRunner();

    @Test
    void linesThenTheEndThenTheExitStatus() throws Exception {
        try (ProcessRunner.Child c = runner.start(List.of("sh", "-c", "echo one; echo two >&2; exit 3"))) {
            assertEquals("one", c.readLine(Duration.ofSeconds(30)));
            assertEquals("two", c.readLine(Duration.ofSeconds(30)), "standard error is merged");
            assertNull(c.readLine(Duration.ofSeconds(30)));
            assertNull(c.readLine(Duration.ofSeconds(30)), "the end stays the end");
            assertEquals(3, c.waitFor());
        }
    }

    @Test
    void aStuckScriptNamesTheCommandItWaitsForAndClosingStopsTheWholeTree() throws Exception {
        ProcessRunner.Child c = runner.start(List.of("sh", "-c", "echo started; sleep 300; echo never"));
        assertEquals("started", c.readLine(Duration.ofSeconds(30)));
        assertThrows(TimeoutException.class, () -> c.readLine(Duration.ofMillis(200)));
        List<String> where = c.where();
        assertEquals(1, where.size(), String.valueOf(where));
        assertTrue(where.getFirst().endsWith("sleep 300"), "the script waits in its sleep, not in sh: " + where);
        List<ProcessHandle> sleeps = ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").endsWith("sleep 300")
                        && h.parent().flatMap(ProcessHandle::parent).map(ProcessHandle::pid)
                                .orElse(-1L) == ProcessHandle.current().pid())
                .toList();
        assertEquals(1, sleeps.size(), "the sleep the script started");
        c.close();
        assertEquals(128 + 9, c.waitFor(), "SIGKILL");
        sleeps.getFirst().onExit().get(30, TimeUnit.SECONDS);
        assertFalse(sleeps.getFirst().isAlive(), "the script's child is stopped too");
    }

    @Test
    void aStuckJvmNamesTheFramesOfItsMainThread() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (ProcessRunner.Child c = runner.start(List.of(java, "-cp",
                System.getProperty("java.class.path"), Stuck.class.getName()))) {
            assertEquals("stuck", c.readLine(Duration.ofSeconds(60)));
            List<String> where = c.where();
            assertTrue(where.size() >= 2, String.valueOf(where));
            assertTrue(where.stream().anyMatch(f -> f.startsWith("at " + Stuck.class.getName() + ".waitHere(")),
                    String.valueOf(where));
            assertTrue(where.getLast().startsWith("at " + Stuck.class.getName() + ".main("), String.valueOf(where));
        }
    }

    /** A JVM whose main thread waits in a method of its own. */
    static final class Stuck {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("stuck");
            System.out.flush();
            waitHere();
        }

        static void waitHere() throws InterruptedException {
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
        }
    }
}
