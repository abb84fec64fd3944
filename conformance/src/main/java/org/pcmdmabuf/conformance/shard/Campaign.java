package org.pcmdmabuf.conformance.shard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pcmdmabuf.script.Json;

/**
 * What every campaign's JSON result begins with (docs/sharding.md): the command that made it, its shard, and the
 * inputs that decide its result (the revision, the seed, the options), so that {@code pcmsim merge} combines only
 * shards of one campaign.
 *
 * @param inputs names to strings, numbers and booleans, in the order they are printed
 */
public record Campaign(String command, Shard shard, Map<String, Object> inputs) {
    public Campaign {
        inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    }

    /** The same campaign, as the whole of it: what a merge of its shards is. */
    public Campaign whole() {
        return new Campaign(command, Shard.WHOLE, inputs);
    }

    /**
     * Whether the result reports wall-clock times: not under {@code --no-times} (input {@code "times": false}),
     * whose results are the same bytes on every run of the same inputs.
     */
    public boolean timed() {
        return !Boolean.FALSE.equals(inputs.get("times"));
    }

    /** The first members of the result's object, without the braces: {@code "command": ..., "inputs": {...}}. */
    public String jsonHead() {
        StringBuilder sb = new StringBuilder("\"command\": ").append(Json.string(command)).append(", \"shard\": ")
                .append(Json.string(shard.toString())).append(",\n \"inputs\": {");
        String sep = "";
        for (Map.Entry<String, Object> e : inputs.entrySet()) {
            sb.append(sep).append(Json.string(e.getKey())).append(": ").append(Json.value(e.getValue()));
            sep = ", ";
        }
        return sb.append('}').toString();
    }

    /** One file of a merge: where it was read, its campaign, and the whole object. */
    public record Result(Path file, Campaign campaign, Map<String, Object> json) {
    }

    /** A merge refused: the message names the file. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** {@code file} read as a campaign's result, or {@link Refused} saying why it is none. */
    @SuppressWarnings("unchecked")
    public static Result read(Path file) throws Refused {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Refused(file + ": cannot read it: " + e.getMessage());
        }
        Object v;
        try {
            v = JsonReader.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Refused(file + ": " + e.getMessage());
        }
        if (!(v instanceof Map<?, ?> m) || !(m.get("command") instanceof String command)
                || !(m.get("shard") instanceof String shard) || !(m.get("inputs") instanceof Map<?, ?> inputs)) {
            throw new Refused(file + " is no pcmsim result: it lacks \"command\", \"shard\" or \"inputs\" (print "
                    + "one with --format json)");
        }
        Shard s;
        try {
            s = Shard.parse(shard);
        } catch (IllegalArgumentException e) {
            throw new Refused(file + ": " + e.getMessage());
        }
        return new Result(file, new Campaign(command, s, (Map<String, Object>) inputs), (Map<String, Object>) m);
    }

    /**
     * The shards of one campaign in their order, or {@link Refused} naming the file that does not belong: another
     * command, another count of shards, other inputs (another revision, seed, option), a shard given twice; or
     * the shard that is missing.
     */
    public static List<Result> shards(List<Result> files) throws Refused {
        if (files.isEmpty()) {
            throw new Refused("no file to merge");
        }
        Result first = files.getFirst();
        Campaign c = first.campaign();
        Result[] byIndex = new Result[c.shard().count()];
        for (Result r : files) {
            Campaign o = r.campaign();
            if (!o.command().equals(c.command())) {
                throw new Refused(r.file() + " is a result of pcmsim " + o.command() + ", " + first.file()
                        + " of pcmsim " + c.command() + ": one campaign's shards only");
            }
            if (o.shard().count() != c.shard().count()) {
                throw new Refused(r.file() + " is shard " + o.shard() + ", " + first.file() + " shard " + c.shard()
                        + ": the shards of one split only (the same N)");
            }
            for (String key : union(c.inputs(), o.inputs())) {
                Object a = c.inputs().get(key);
                Object b = o.inputs().get(key);
                if (!Objects.equals(a, b)) {
                    throw new Refused(r.file() + " has " + (key.equals("revision") ? "another revision" : "another "
                            + key) + " than " + first.file() + ": " + key + " " + Json.value(b) + ", not "
                            + Json.value(a) + " (one campaign's shards only)");
                }
            }
            int i = o.shard().index() - 1;
            if (byIndex[i] != null) {
                throw new Refused(r.file() + " is shard " + o.shard() + " again: " + byIndex[i].file() + " is it too");
            }
            byIndex[i] = r;
        }
        List<Result> ordered = new ArrayList<>();
        for (int i = 0; i < byIndex.length; i++) {
            if (byIndex[i] == null) {
                throw new Refused("shard " + (i + 1) + "/" + byIndex.length + " of the campaign of " + first.file()
                        + " is missing");
            }
            ordered.add(byIndex[i]);
        }
        return ordered;
    }

    private static List<String> union(Map<String, Object> a, Map<String, Object> b) {
        List<String> keys = new ArrayList<>(a.keySet());
        b.keySet().stream().filter(k -> !a.containsKey(k)).sorted(Comparator.naturalOrder()).forEach(keys::add);
        return keys;
    }

    /** Accessors of a read result's members, which refuse what pcmsim would not have written, naming the file. */
    public record Reader(Path file, Map<String, Object> json) {
        public long number(String key) throws Refused {
            if (json.get(key) instanceof Long l) {
                return l;
            }
            throw missing(key, "a whole number");
        }

        public double decimal(String key) throws Refused {
            if (json.get(key) instanceof Number n) {
                return n.doubleValue();
            }
            throw missing(key, "a number");
        }

        public String text(String key) throws Refused {
            if (json.get(key) instanceof String s) {
                return s;
            }
            throw missing(key, "a string");
        }

        /** A string or null. */
        public String textOrNull(String key) throws Refused {
            return json.get(key) == null ? null : text(key);
        }

        public List<String> texts(String key) throws Refused {
            List<String> out = new ArrayList<>();
            if (json.get(key) instanceof List<?> l) {
                for (Object o : l) {
                    if (!(o instanceof String s)) {
                        throw missing(key, "a list of strings");
                    }
                    out.add(s);
                }
                return out;
            }
            throw missing(key, "a list of strings");
        }

        /** An object member, or null when it is null. */
        @SuppressWarnings("unchecked")
        public Reader objectOrNull(String key) throws Refused {
            Object v = json.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof Map<?, ?> m) {
                return new Reader(file, (Map<String, Object>) m);
            }
            throw missing(key, "an object");
        }

        @SuppressWarnings("unchecked")
        public List<Reader> objects(String key) throws Refused {
            List<Reader> out = new ArrayList<>();
            if (json.get(key) instanceof List<?> l) {
                for (Object o : l) {
                    if (!(o instanceof Map<?, ?> m)) {
                        throw missing(key, "a list of objects");
                    }
                    out.add(new Reader(file, (Map<String, Object>) m));
                }
                return out;
            }
            throw missing(key, "a list of objects");
        }

        private Refused missing(String key, String what) {
            return new Refused(file + ": \"" + key + "\" should be " + what + ", is " + Json.value(json.get(key)));
        }
    }
}
