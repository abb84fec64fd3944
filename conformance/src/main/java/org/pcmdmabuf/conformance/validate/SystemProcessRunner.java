package org.pcmdmabuf.conformance.validate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link ProcessRunner} of this machine: {@link ProcessBuilder}, one reader thread per child's output. */
public final class SystemProcessRunner implements ProcessRunner {
    /** How long jcmd may take to attach and print the threads of a stuck JVM. */
    private static final long JCMD_SECONDS = 20;
    /** Frames of a stuck JVM's main thread a report shows. */
    private static final int FRAMES = 12;
    /** Commands of a stuck process tree a report shows. */
    private static final int COMMANDS = 5;

    @Override
    public Child start(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        return new Running(command, p);
    }

    private static final class Running implements Child {
        /** Queued after the last line: the reader saw the end of the output. */
        private static final Object END = new Object();

        private final List<String> command;
        private final Process process;
        private final BlockingQueue<Object> lines = new LinkedBlockingQueue<>();

        Running(List<String> command, Process process) {
            this.command = command;
            this.process = process;
            Thread.ofPlatform().daemon().name("output of " + process.pid()).start(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null;) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the stream closed under the reader: the process was stopped, its output ends here
                } finally {
                    lines.add(END);
                }
            });
        }

        @Override
        public String readLine(Duration timeout) throws InterruptedException, TimeoutException {
            Object o = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (o == null) {
                throw new TimeoutException("no output for " + timeout);
            }
            if (o == END) {
                lines.add(END);
                return null;
            }
            return (String) o;
        }

        @Override
        public int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        @Override
        public List<String> where() {
            // the JVM is the process itself, or in a sandbox one of its descendants: the topmost one only, as a
            // revision that forks leaves hundreds of copies of it, none of which jcmd can attach to in time
            if (command.stream().anyMatch(a -> a.endsWith("/java"))) {
                ProcessHandle jvm = isJava(process.toHandle()) ? process.toHandle()
                        : process.descendants().filter(h -> isJava(h)
                                && h.parent().map(parent -> !isJava(parent)).orElse(true)).findFirst().orElse(null);
                if (jvm != null) {
                    List<String> frames = mainThread(jvm.pid());
                    if (!frames.isEmpty()) {
                        return frames;
                    }
                }
            }
            // the leaves of the tree: what a script waits for (a compiler, make, flock), not the shells around it
            List<ProcessHandle> tree = process.descendants().toList();
            // one pass for the parents: children() of each would read all of /proc once per process, minutes for
            // a revision that forked hundreds
            java.util.Set<Long> parents = new java.util.HashSet<>();
            for (ProcessHandle h : tree) {
                h.parent().ifPresent(parent -> parents.add(parent.pid()));
            }
            List<String> out = new ArrayList<>();
            for (ProcessHandle h : tree) {
                if (out.size() < COMMANDS && h.isAlive() && !parents.contains(h.pid())) {
                    h.info().commandLine().ifPresent(out::add);
                }
            }
            return out.isEmpty() ? List.of(String.join(" ", command)) : out.subList(0, Math.min(COMMANDS, out.size()));
        }

        private static boolean isJava(ProcessHandle h) {
            return h.info().command().orElse("").endsWith("/java");
        }

        /** The frames of the main thread of JVM {@code pid}, from {@code jcmd PID Thread.print}; none if it fails. */
        private static List<String> mainThread(long pid) {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Path out = null;
            try {
                // into a file, so that the wait is bounded: a JVM that cannot start its attach listener (a revision
                // that forked the sandbox's every task) keeps jcmd waiting longer than a report should
                out = Files.createTempFile("pcmsim-jcmd-", ".txt");
                Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "Thread.print")
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(JCMD_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    return List.of();
                }
                String dump = Files.readString(out, StandardCharsets.UTF_8);
                List<String> frames = new ArrayList<>();
                boolean main = false;
                for (String line : dump.lines().toList()) {
                    if (line.startsWith("\"")) {
                        main = line.startsWith("\"main\"");
                    } else if (main && line.strip().startsWith("at ") && frames.size() < FRAMES) {
                        frames.add(line.strip());
                    }
                }
                return frames;
            } catch (IOException e) {
                return List.of();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            } finally {
                if (out != null) {
                    try {
                        Files.deleteIfExists(out);
                    } catch (IOException e) {
                        // a file of a few kB in the temporary folder
                    }
                }
            }
        }

        /**
         * The process first, so that it cannot go on when its children die (a script to its next command), then
         * every process it had started, none left to init.
         */
        @Override
        public void close() {
            List<ProcessHandle> tree = process.descendants().toList();
            process.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
            // one it started between the snapshot and its end
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }
}
