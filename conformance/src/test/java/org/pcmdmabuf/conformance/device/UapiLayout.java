package org.pcmdmabuf.conformance.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What kernel-patch/tests/uapi-layout.c prints, compiled with the host's cc against the host's uAPI headers
 * (linux-libc-dev) and run once per test JVM. Keys name what a reader of the headers would look up:
 * {@code sizeof(struct snd_pcm_hw_params)}, {@code offsetof(snd_pcm_hw_params.rmask)},
 * {@code sizeof(snd_pcm_hw_params.rmask)}, {@code mask(snd_interval.integer)}, {@code SNDRV_PCM_IOCTL_START};
 * errno numbers are kept apart by name.
 */
final class UapiLayout {
    static final Path SOURCE = Path.of("..", "kernel-patch", "tests", "uapi-layout.c").toAbsolutePath().normalize();

    /** SNDRV_PCM_VERSION of the headers it was compiled against, as {@code 2.0.15}. */
    final String headers;
    final Map<String, Long> entries;
    final Map<String, Integer> errnos;

    private UapiLayout(String headers, Map<String, Long> entries, Map<String, Integer> errnos) {
        this.headers = headers;
        this.entries = entries;
        this.errnos = errnos;
    }

    private static UapiLayout host;

    /** The program's output on this machine; fails the calling test with the compiler's words if it does not build. */
    static synchronized UapiLayout host() {
        if (host == null) {
            try {
                host = parse(run());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("kernel-patch/tests/uapi-layout.c: " + e.getMessage(), e);
            }
        }
        return host;
    }

    long get(String key) {
        Long v = entries.get(key);
        if (v == null) {
            throw new IllegalArgumentException("uapi-layout.c prints no " + key);
        }
        return v;
    }

    long offset(String field) {
        return get("offsetof(" + field + ")");
    }

    long size(String field) {
        return get("sizeof(" + field + ")");
    }

    long sizeOfStruct(String struct) {
        return get("sizeof(struct " + struct + ")");
    }

    private static List<String> run() throws IOException, InterruptedException {
        Path dir = Files.createDirectories(Path.of("target", "uapi-layout").toAbsolutePath());
        Path exe = dir.resolve("uapi-layout");
        exec(List.of("cc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-o", exe.toString(), SOURCE.toString()));
        return exec(List.of(exe.toString()));
    }

    private static List<String> exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit status " + p.exitValue() + "):\n" + out);
        }
        return out.lines().toList();
    }

    static UapiLayout parse(List<String> lines) {
        String headers = null;
        Map<String, Long> entries = new LinkedHashMap<>();
        Map<String, Integer> errnos = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "headers" -> {
                    int v = Integer.decode(f[1]);
                    headers = (v >> 16) + "." + ((v >> 8) & 0xff) + "." + (v & 0xff);
                }
                case "size" -> put(entries, "sizeof(struct " + f[1] + ")", f[2]);
                case "field" -> {
                    put(entries, "offsetof(" + f[1] + ")", f[2]);
                    put(entries, "sizeof(" + f[1] + ")", f[3]);
                }
                case "bit" -> {
                    put(entries, "offsetof(" + f[1] + ")", f[2]);
                    put(entries, "mask(" + f[1] + ")", f[3]);
                }
                case "const" -> put(entries, f[1], f[2]);
                case "errno" -> errnos.put(f[1], Integer.parseInt(f[2]));
                default -> throw new IllegalArgumentException("uapi-layout.c printed an unknown line: " + line);
            }
        }
        return new UapiLayout(headers, entries, errnos);
    }

    private static void put(Map<String, Long> m, String key, String value) {
        if (m.put(key, Long.parseLong(value)) != null) {
            throw new IllegalArgumentException("uapi-layout.c prints " + key + " twice");
        }
    }
}
