package org.pcmdmabuf.conformance.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The FFM binding and kernel-patch/harness/harness.h cannot drift apart: every prototype of the header has a
 * {@link Harness.Function} with its C types, and the binding has no function the header lacks. A new C type
 * in the header fails here until both learn it.
 */
class HarnessHeaderTest {
    /** Surefire runs in the module's directory. */
    private static final Path HEADER = Path.of("..", "kernel-patch", "harness", "harness.h");

    private static final Pattern FUNCTION_POINTER = Pattern.compile("typedef\\s+(.+?)\\(\\s*\\*\\s*(\\w+)\\s*\\)\\s*\\((.*)\\)");
    private static final Pattern PROTOTYPE = Pattern.compile("(.+?[\\s*])(\\w+)\\s*\\((.*)\\)");

    private static final Pattern STRUCT = Pattern.compile("(?s)struct\\s+(\\w+)\\s*\\{(.*?)\\}\\s*;");

    /** The header without comments and preprocessor lines. */
    private static String code() throws IOException {
        return Files.readString(HEADER)
                .replaceAll("(?s)/\\*.*?\\*/", " ")
                .replaceAll("(?m)^\\s*#.*$", " ")
                .replaceAll("//[^\\n]*", " ");
    }

    /** The header's declarations but its struct definitions, one per element. */
    private static List<String> declarations() throws IOException {
        String text = STRUCT.matcher(code()).replaceAll(" ");
        List<String> out = new ArrayList<>();
        for (String d : text.split(";")) {
            String flat = d.replaceAll("\\s+", " ").strip();
            if (!flat.isEmpty()) {
                out.add(flat);
            }
        }
        return out;
    }

    private record Header(Map<String, FunctionDescriptor> functions, Map<String, FunctionDescriptor> callbacks) {
    }

    private static Header parse() throws IOException {
        Map<String, FunctionDescriptor> callbacks = new LinkedHashMap<>();
        Map<String, FunctionDescriptor> functions = new LinkedHashMap<>();
        for (String d : declarations()) {
            Matcher t = FUNCTION_POINTER.matcher(d);
            Matcher p = PROTOTYPE.matcher(d);
            if (t.matches()) {
                callbacks.put(t.group(2), descriptor(t.group(1), t.group(3), callbacks, d));
            } else if (p.matches()) {
                functions.put(p.group(2), descriptor(p.group(1), p.group(3), callbacks, d));
            } else {
                throw new AssertionError("harness.h: not a prototype this test reads: " + d);
            }
        }
        return new Header(functions, callbacks);
    }

    private static FunctionDescriptor descriptor(String result, String params, Map<String, FunctionDescriptor> callbacks,
            String declaration) {
        List<MemoryLayout> args = new ArrayList<>();
        if (!params.strip().equals("void")) {
            for (String param : params.split(",")) {
                args.add(layout(withoutName(param.strip()), callbacks, declaration)
                        .orElseThrow(() -> new AssertionError("harness.h: a void parameter in " + declaration)));
            }
        }
        MemoryLayout[] a = args.toArray(MemoryLayout[]::new);
        return layout(result.strip(), callbacks, declaration).map(r -> FunctionDescriptor.of(r, a))
                .orElseGet(() -> FunctionDescriptor.ofVoid(a));
    }

    /** {@code int dma_bytes}: {@code int}; {@code const char *s}: {@code const char *}; a lone type stays. */
    private static String withoutName(String param) {
        Matcher m = Pattern.compile("(.*[\\s*])\\w+").matcher(param);
        return m.matches() && !m.group(1).isBlank() ? m.group(1).strip() : param;
    }

    /** The FFM layout of a C type on LP64 (x86-64, arm64); empty for void. */
    private static Optional<MemoryLayout> layout(String type, Map<String, FunctionDescriptor> callbacks, String declaration) {
        if (type.endsWith("*") || callbacks.containsKey(type)) {
            return Optional.of(ValueLayout.ADDRESS);
        }
        return switch (type) {
            case "void" -> Optional.empty();
            case "int" -> Optional.of(ValueLayout.JAVA_INT);
            case "long" -> Optional.of(ValueLayout.JAVA_LONG);
            default -> throw new AssertionError("harness.h uses the C type '" + type + "' (" + declaration
                    + "), which neither Harness.Function nor this test maps yet");
        };
    }

    @Test
    void everyFunctionOfTheHeaderIsBoundWithItsCTypes() throws IOException {
        Map<String, FunctionDescriptor> header = parse().functions();
        Map<String, FunctionDescriptor> bound = new LinkedHashMap<>();
        for (Harness.Function f : Harness.Function.values()) {
            bound.put(f.symbol(), f.descriptor);
        }
        List<String> missing = new ArrayList<>(header.keySet());
        missing.removeAll(bound.keySet());
        List<String> extra = new ArrayList<>(bound.keySet());
        extra.removeAll(header.keySet());
        assertTrue(missing.isEmpty(), () -> "harness.h declares, Harness.Function lacks: " + missing);
        assertTrue(extra.isEmpty(), () -> "Harness.Function binds, harness.h does not declare: " + extra);
        for (var e : header.entrySet()) {
            assertEquals(e.getValue(), bound.get(e.getKey()), e.getKey() + ": C signature vs binding");
        }
    }

    /** struct harness_status, which the host reads as memory: its members in order, each an int. */
    @Test
    void theStatusLayoutIsTheHeadersStruct() throws IOException {
        Matcher m = STRUCT.matcher(code());
        List<String> members = null;
        while (m.find()) {
            if (m.group(1).equals("harness_status")) {
                members = new ArrayList<>();
                for (String d : m.group(2).split(";")) {
                    String flat = d.replaceAll("\\s+", " ").strip();
                    if (!flat.isEmpty()) {
                        assertTrue(flat.startsWith("int "), () -> "struct harness_status member not an int: " + flat);
                        members.add(flat.substring(4));
                    }
                }
            }
        }
        assertTrue(members != null, "harness.h defines struct harness_status");
        List<String> bound = new ArrayList<>();
        for (MemoryLayout l : Harness.STATUS.memberLayouts()) {
            assertEquals(ValueLayout.JAVA_INT, l.withoutName(), "Harness.STATUS member " + l);
            bound.add(l.name().orElseThrow());
        }
        assertEquals(members, bound, "struct harness_status vs Harness.STATUS");
    }

    @Test
    void theSyncUpcallHasTheCallbackTypeOfTheHeader() throws IOException {
        assertEquals(parse().callbacks().get("harness_sync_fn"), Harness.SYNC_FN);
    }

    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+HARNESS_(\\w+)\\s+(-?(?:0x[0-9a-fA-F]+|\\d+))\\b");

    /**
     * The Java side names every numeric HARNESS_* constant of the header it uses without the prefix; a value
     * changed on one side only (HARNESS_MAX_PROCS: the C's mm table, the host's process limit) fails here.
     */
    @Test
    void everyConstantTheJavaSideMirrorsHasTheHeadersValue() throws Exception {
        Map<String, Integer> header = new LinkedHashMap<>();
        Matcher m = DEFINE.matcher(Files.readString(HEADER));
        while (m.find()) {
            header.put(m.group(1), Integer.decode(m.group(2)));
        }
        int compared = 0;
        for (Class<?> c : List.of(Harness.class, HarnessDriver.class)) {
            for (var f : c.getDeclaredFields()) {
                Integer value = header.get(f.getName());
                if (value == null || f.getType() != int.class || !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                assertEquals(value.intValue(), f.getInt(null), c.getSimpleName() + "." + f.getName() + " vs harness.h HARNESS_" + f.getName());
                compared++;
            }
        }
        assertTrue(header.containsKey("MAX_PROCS"), "harness.h defines HARNESS_MAX_PROCS");
        assertEquals(header.size(), compared, () -> "harness.h's numeric constants " + header.keySet() + ": each has a Java twin");
    }
}
