package org.pcmdmabuf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code validate --asan} matters: a variant of the patch (made here, never committed) whose ATTACH allocates its
 * import 8 bytes short, so that storing the runtime's own DMA address writes past the allocation, passes every
 * case on the plain build, where the write lands in the allocator's slack (136 bytes asked less 8, rounded up
 * to the same chunk), and fails on the sanitized one with the sanitizer's report of the revision's function.
 * A use-after-free within one function is no such variant: GCC's -Wuse-after-free refuses to build it.
 */
class SanitizedVariantTest {
    /** The import is allocated without its last member, own_addr, which ATTACH then stores. */
    static final BrokenVariantsTest.Variant OUT_OF_BOUNDS = new BrokenVariantsTest.Variant(
            "ATTACH allocates its import 8 bytes short",
            "+\timp = kzalloc(sizeof(*imp), GFP_KERNEL);\n",
            "+\timp = kzalloc(sizeof(*imp) - sizeof(imp->own_addr), GFP_KERNEL);\n", "attach.ops", null);

    @TempDir
    Path tmp;

    @Test
    void asanKillsAnOutOfBoundsWriteThePlainBuildSurvives() throws Exception {
        Path series = BrokenVariantsTest.write(tmp, OUT_OF_BOUNDS);

        String plain = validate(0, series, "--sequences", "200");
        assertTrue(plain.contains("ok 2 harness: sound/core/pcm_dmabuf.c builds"), plain);

        // the race stage runs on the plain build with --asan too (its data race detector is ThreadSanitizer's)
        String asan = validate(1, series, "--sequences", "200", "--asan", "--no-races");
        assertTrue(asan.contains("ok 3 harness: sound/core/pcm_dmabuf.c builds in the harness with ASan and UBSan"),
                asan);
        // UBSan's object-size check sees the store first; ASan's heap-buffer-overflow would be next
        assertTrue(Pattern.compile("(?m)^# (AddressSanitizer: heap-buffer-overflow on address |UndefinedBehaviorSanitizer: "
                + "sound/core/pcm_dmabuf\\.c:\\d+:\\d+: runtime error: store to address 0x[0-9a-f]+ with insufficient "
                + "space for an object of type 'dma_addr_t')").matcher(asan).find(),
                "no sanitizer report of the store heads a failure:\n" + asan);
        assertTrue(Pattern.compile("(?m)^#   #\\d+ 0x[0-9a-f]+ in snd_pcm_dmabuf_\\w+ sound/core/pcm_dmabuf\\.c:\\d+")
                .matcher(asan).find(), "the report's frames do not name the revision's function:\n" + asan);
        System.out.println("sanitized variant: " + asan.lines().filter(l -> l.contains("Sanitizer: "))
                .findFirst().orElse(""));
    }

    /** validate's KTAP report of {@code series} without the kernel checks, which must exit {@code exit}. */
    private static String validate(int exit, Path series, String... options) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Pcmsim.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] args = new String[options.length + 5];
        args[0] = "validate";
        args[1] = "--no-kernel-checks";
        args[2] = "--format";
        args[3] = "ktap";
        System.arraycopy(options, 0, args, 4, options.length);
        args[args.length - 1] = series.toString();
        int got = cl.execute(args);
        assertEquals(exit, got, String.join(" ", args) + "\n" + out + err);
        return out.toString();
    }
}
