package org.pcmdmabuf.conformance.validate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where a revision's code runs: its harness build and harness process, started by {@link Validation}, and the
 * kernel build steps, which check.sh starts itself. The policy (what the code sees and may write, its limits) is
 * defined once, in kernel-patch/scripts/sandbox.sh, which check.sh calls too; this type only says which paths a
 * command reads and writes. docs/sandbox.md is the threat model.
 */
public sealed interface Sandbox {
    /** {@code command}, to read {@code read} and write {@code write} (and nothing else of the machine). */
    default List<String> wrap(List<String> command, List<Path> read, List<Path> write) {
        return wrap(command, read, write, false);
    }

    /**
     * As {@link #wrap(List, List, List)}; {@code sanitized}: the command runs under AddressSanitizer, whose
     * shadow memory no data limit admits, so the sandbox bounds its memory through ASan (sandbox.sh --sanitized).
     */
    List<String> wrap(List<String> command, List<Path> read, List<Path> write, boolean sanitized);

    /** validate's line about it: what holds, or that nothing does. */
    String describe();

    /** The arguments that tell check.sh the same: none when its steps are sandboxed. */
    List<String> checkShArguments();

    /** {@code --no-sandbox}: the revision runs with the user's full rights. */
    record Off() implements Sandbox {
        @Override
        public List<String> wrap(List<String> command, List<Path> read, List<Path> write, boolean sanitized) {
            return command;
        }

        @Override
        public String describe() {
            return "sandbox: off (--no-sandbox): the revision's code runs with your full rights";
        }

        @Override
        public List<String> checkShArguments() {
            return List.of("--no-sandbox");
        }
    }

    /** bubblewrap through {@code script}, which enforces {@code enforces} (its probe's line). */
    record Bwrap(Path script, String enforces) implements Sandbox {
        @Override
        public List<String> wrap(List<String> command, List<Path> read, List<Path> write, boolean sanitized) {
            List<String> out = new ArrayList<>(List.of(script.toString()));
            for (Path p : read) {
                out.add("--read");
                out.add(p.toString());
            }
            for (Path p : write) {
                out.add("--write");
                out.add(p.toString());
            }
            if (sanitized) {
                out.add("--sanitized");
            }
            out.add("--");
            out.addAll(command);
            return out;
        }

        @Override
        public String describe() {
            return "sandbox: on (" + enforces + ")";
        }

        @Override
        public List<String> checkShArguments() {
            return List.of();
        }
    }

    /** Why there is no sandbox: bubblewrap is missing or does not run on this machine. */
    final class Unavailable extends Exception {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** How long the probe (one bwrap start) may take. */
    long PROBE_SECONDS = 30;

    /**
     * The sandbox of kernel-patch/scripts/sandbox.sh, once its probe ran a command in it: a bwrap that is
     * installed but cannot make namespaces here (a container without them) is as good as none.
     */
    static Sandbox probe(Path kernelPatch) throws Unavailable, InterruptedException {
        Path script = kernelPatch.resolve("scripts/sandbox.sh");
        if (!Files.isExecutable(script)) {
            throw new Unavailable(script + " is missing");
        }
        try {
            Process p = new ProcessBuilder(script.toString(), "--probe").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Unavailable("its probe did not end within " + PROBE_SECONDS + " s");
            }
            String line = out.lines().findFirst().orElse("exit status " + p.exitValue());
            if (p.exitValue() != 0) {
                throw new Unavailable(line);
            }
            return new Bwrap(script, line);
        } catch (IOException e) {
            throw new Unavailable("cannot run " + script + ": " + e.getMessage());
        }
    }
}
