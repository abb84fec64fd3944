package org.pcmdmabuf.conformance.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data race detector checks the accesses of the code under test alone, so the harness's own code is built
 * without its instrumentation (shim/linux/compiler_types.h, __kcsan_unchecked), which made the differential a
 * third slower. That may change nothing of the checked code: built with every function instrumented
 * (HARNESS_INSTRUMENT_ALL) and without, the text between harness.c's markers is the same instructions calling
 * the instrumentation at the same places. A harness function the code under test inlined, or an inline helper
 * of the kernel's whose copy the harness's code called, would show here as a difference.
 */
class HarnessKcsanTextTest {
    /** Surefire runs in the module's directory. */
    private static final Path KERNEL_PATCH = Path.of("..", "kernel-patch").toAbsolutePath().normalize();
    private static final Pattern FUNCTION = Pattern.compile("^[0-9a-f]+ <([\\w.]+)>:$");
    private static final Pattern ADDRESS = Pattern.compile("\\b[0-9a-f]{4,}\\b|0x[0-9a-f]+\\(%rip\\)");

    @TempDir
    static Path tmp;
    /** The shipped series' plain build as it is, and with the harness's own code instrumented. */
    private static Path unchecked;
    private static Path instrumented;

    @BeforeAll
    static void build() throws Exception {
        unchecked = build(tmp.resolve("unchecked"), "");
        instrumented = build(tmp.resolve("all"), "-DHARNESS_INSTRUMENT_ALL");
    }

    @Test
    void theCheckedTextIsTheSameWhateverTheHarnessInstruments() throws Exception {
        List<String> unchecked = checkedText(HarnessKcsanTextTest.unchecked);
        List<String> all = checkedText(instrumented);
        long calls = unchecked.stream().filter(l -> l.contains("<__tsan_read") || l.contains("<__tsan_write")).count();
        assertTrue(calls > 100, "the code under test calls the instrumentation at " + calls + " places only");
        for (int i = 0; i < Math.min(unchecked.size(), all.size()); i++) {
            if (!unchecked.get(i).equals(all.get(i))) {
                fail("instruction " + i + " of the checked text (in " + functionAt(all, i) + ") is '" + unchecked.get(i)
                        + "' with the harness uninstrumented, '" + all.get(i) + "' with it instrumented");
            }
        }
        assertEquals(all.size(), unchecked.size(), "instructions of the checked text: instrumented vs not");
    }

    @Test
    void theHarnessOwnCodeCallsTheInstrumentationLessUninstrumented() throws Exception {
        long unchecked = tsanCalls(disassemble(HarnessKcsanTextTest.unchecked));
        long all = tsanCalls(disassemble(instrumented));
        assertTrue(unchecked * 2 < all, "calls of the instrumentation: " + unchecked + " uninstrumented, " + all
                + " instrumented: the harness's own code is instrumented still");
    }

    /**
     * The kernel headers come ahead of the checked text, so the copy of an inline helper the code under test did not
     * inline would lie outside it, unchecked, in both builds alike: the checked text calls none.
     */
    @Test
    void theCheckedTextCallsNothingDefinedAheadOfIt() throws Exception {
        Set<String> ahead = new HashSet<>();
        List<String> called = new ArrayList<>();
        int where = -1; // -1 ahead of the checked text, 0 in it, 1 after
        Pattern call = Pattern.compile("\\bcall\\s+[0-9a-f]+ <([\\w.]+)>");
        for (String l : disassemble(unchecked)) {
            Matcher f = FUNCTION.matcher(l);
            if (f.matches()) {
                String name = f.group(1);
                if (name.equals("harness_kcsan_text_begin")) {
                    where = 0;
                } else if (name.equals("harness_kcsan_text_end")) {
                    where = 1;
                } else if (where < 0 && !name.startsWith("_") && !name.endsWith("@plt")) {
                    ahead.add(name);
                }
                continue;
            }
            Matcher c = call.matcher(l);
            if (where == 0 && c.find()) {
                called.add(c.group(1));
            }
        }
        assertTrue(!ahead.isEmpty() && !called.isEmpty(), "functions ahead: " + ahead + ", calls: " + called.size());
        List<String> wrong = called.stream().filter(ahead::contains).distinct().toList();
        assertTrue(wrong.isEmpty(), "the checked text calls " + wrong + ", defined ahead of it: unchecked");
    }

    private static String functionAt(List<String> text, int i) {
        for (int k = i; k >= 0; k--) {
            if (text.get(k).startsWith("<")) {
                return text.get(k);
            }
        }
        return "?";
    }

    private static long tsanCalls(List<String> disassembly) {
        return disassembly.stream().filter(l -> l.contains("call") && l.contains("<__tsan_")).count();
    }

    /** The instructions between harness.c's markers, function names as {@code <name>}, addresses left out. */
    private static List<String> checkedText(Path lib) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : disassemble(lib)) {
            Matcher f = FUNCTION.matcher(l);
            if (f.matches()) {
                if (f.group(1).equals("harness_kcsan_text_begin")) {
                    in = true;
                } else if (f.group(1).equals("harness_kcsan_text_end")) {
                    return out;
                } else if (in) {
                    out.add("<" + f.group(1) + ">");
                }
                continue;
            }
            int tab = l.indexOf('\t');
            if (in && tab >= 0) {
                String insn = l.substring(tab + 1);
                int comment = insn.indexOf(" #");
                String callee = insn.matches(".*<[\\w.@]+>.*") ? insn.replaceAll(".*(<[\\w.@]+>).*", " $1") : "";
                insn = comment >= 0 ? insn.substring(0, comment) : insn;
                out.add(ADDRESS.matcher(insn).replaceAll("ADDR").strip() + (insn.contains("call") ? callee : ""));
            }
        }
        throw new AssertionError(lib + " has no harness_kcsan_text_end");
    }

    private static List<String> disassemble(Path lib) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("objdump", "-d", "--no-show-raw-insn", lib.toString()).start();
        p.getOutputStream().close();
        byte[] text = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "objdump did not end");
        assertEquals(0, p.exitValue(), "objdump " + lib);
        return new String(text, StandardCharsets.UTF_8).lines().toList();
    }

    private static Path build(Path out, String cflags) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(KERNEL_PATCH.resolve("harness/build.sh").toString(),
                KERNEL_PATCH.resolve("series").toString(), out.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("HARNESS_CFLAGS", cflags);
        Process p = pb.start();
        p.getOutputStream().close();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "build.sh did not end");
        assertEquals(0, p.exitValue(), () -> "build.sh " + cflags + ": " + log);
        return out.resolve("libpcmdmabuf-harness.so");
    }
}
