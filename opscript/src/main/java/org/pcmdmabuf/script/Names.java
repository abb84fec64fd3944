package org.pcmdmabuf.script;

import java.util.HashMap;
import java.util.Map;

/**
 * A script's names bound to a target's handles, per process: fd names to fd numbers, mapping names to
 * whatever the target uses for a mapping. An op that fails to bind leaves its fd name at -1 (later uses get
 * EBADF) and its mapping name at null.
 */
public final class Names {
    private final Map<String, Map<String, Integer>> fds = new HashMap<>();
    private final Map<String, Map<String, Object>> maps = new HashMap<>();

    public int fd(String proc, String name) {
        return fds.getOrDefault(proc, Map.of()).getOrDefault(name, -1);
    }

    public void bindFd(String proc, String name, int fd) {
        fds.computeIfAbsent(proc, p -> new HashMap<>()).put(name, fd);
    }

    public Object map(String proc, String name) {
        return maps.getOrDefault(proc, Map.of()).get(name);
    }

    public void bindMap(String proc, String name, Object handle) {
        maps.computeIfAbsent(proc, p -> new HashMap<>()).put(name, handle);
    }
}
