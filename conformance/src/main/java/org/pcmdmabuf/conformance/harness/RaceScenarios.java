package org.pcmdmabuf.conformance.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.pcmdmabuf.script.Limits;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;

/**
 * The race scenarios this module carries (resources {@code races/}): op scripts whose concurrent groups
 * {@code pcmsim race-kernel} and validate's race stage run under the harness's scheduler (PLAT-CONCURRENCY).
 */
public final class RaceScenarios {
    /** In the order they run. */
    public static final List<String> NAMES = List.of("export-hw-free", "attach-close", "mmap-revoke",
            "mmap-disconnect", "sync-detach", "release-export", "mmap-revoke-plain", "linked-start-attach",
            "linked-prepare-attach", "attach-disconnect", "mmap-disconnect-typed", "revoke-prepare",
            "revoke-start", "revoke-write", "hw-free-release", "release-disconnect", "attach-revoke",
            "mmap-revoke-mms", "fault-revoke", "munmap-revoke", "disconnect-attach-export",
            "hw-free-disconnect", "pcm-mmap-attach", "hw-free-revoke-disconnect",
            "write-attach", "revoke-reused-write", "attach-attach-reused", "export-start", "export-disconnect",
            "write-export", "write-detach", "write-hw-free", "linked-prepare-revoke-write",
            "hw-free-revoke-other-disconnect", "munmap-tail-revoke");

    private RaceScenarios() {
    }

    /** The name a report gives scenario {@code name}: its resource's path. */
    public static String title(String name) {
        return "races/" + name + ".ops";
    }

    public static String text(String name) throws IOException {
        try (InputStream in = RaceScenarios.class.getResourceAsStream("/" + title(name))) {
            if (in == null) {
                throw new IOException("no scenario " + title(name) + " in this build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Scenario {@code name}, parsed; the shipped scenarios always parse, so a failure is a broken build. */
    public static Script script(String name) {
        try {
            return ScriptParser.parse(text(name), Limits.DEFAULT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ScriptException e) {
            throw new IllegalStateException(title(name) + " does not parse: " + e.describe(), e);
        }
    }
}
