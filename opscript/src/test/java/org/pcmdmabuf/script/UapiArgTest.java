package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.model.DmabufArg;

/**
 * The revision-2 argument of {@code dmabuf_export} and {@code dmabuf_attach} (docs/op-scripts.md, UAPI-ARG-FIRST):
 * the keys parse into the words the ioctl passes, are written back, and the model answers them in the spec's order.
 */
class UapiArgTest {
    private static final String HEAD = "device pcm0 playback\nproc a\na open pcm0 as p\n";
    private static final String HW = "a hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000"
            + " period_frames=1024 periods=4\n";

    private static List<Op> ops(String lines) throws ScriptException {
        return ScriptParser.parse(HEAD + lines).ops();
    }

    @Test
    void theKeysAreTheWordsTheIoctlPasses() throws ScriptException {
        List<Op> ops = ops("a dmabuf_export p as d\na dmabuf_export p rdonly as r\n"
                + "a dmabuf_export p flags=0x40000002 reserved=7 reserved_word=5 arg=fault as x\n"
                + "a dmabuf_attach p d flags=1 reserved=0xffffffff\n");
        Op.DmabufExport plain = (Op.DmabufExport) ops.get(1);
        assertEquals(new DmabufArg(DmabufArg.O_RDWR | DmabufArg.O_CLOEXEC, 0, 0, DmabufArg.Pointer.MAPPED), plain.arg());
        assertFalse(plain.rawArg());
        assertTrue(((Op.DmabufExport) ops.get(2)).readOnly());
        assertFalse(((Op.DmabufExport) ops.get(2)).rawArg());
        assertEquals(new DmabufArg(0x40000002, 5, 7, DmabufArg.Pointer.UNMAPPED), ((Op.DmabufExport) ops.get(3)).arg());
        assertEquals(new DmabufArg(1, 0, -1, DmabufArg.Pointer.MAPPED), ((Op.DmabufAttach) ops.get(4)).arg());
        Script s = ScriptParser.parse(HEAD + "a dmabuf_export p flags=0x0 as d\n"
                + "a dmabuf_export p flags=0x40000002 reserved=7 reserved_word=5 arg=fault as x\n"
                + "a dmabuf_attach p d flags=1 reserved=0xffffffff\na dmabuf_attach p d\n");
        assertEquals(s.ops(), ScriptParser.parse(ScriptWriter.write(s)).ops());
        // flags=0x0 is O_RDONLY without O_CLOEXEC: not what rdonly passes, so written as flags
        assertTrue(ScriptWriter.write(s).contains("dmabuf_export p flags=0x0 as d"), ScriptWriter.write(s));
    }

    @Test
    void aBadKeyIsRefusedNamingIt() {
        ScriptException both = assertThrows(ScriptException.class,
                () -> ops("a dmabuf_export p rdonly flags=0x2 as d\n"));
        assertTrue(both.describe().contains("'flags=0x2': flags= is the whole flags word"), both.describe());
        ScriptException word = assertThrows(ScriptException.class,
                () -> ops("a dmabuf_export p reserved=1 reserved_word=6 as d\n"));
        assertTrue(word.describe().contains("must be between 0 and 5"), word.describe());
        ScriptException wide = assertThrows(ScriptException.class, () -> ops("a dmabuf_attach p p flags=0x100000000\n"));
        assertTrue(wide.describe().contains("must be between 0 and 4294967295"), wide.describe());
        ScriptException arg = assertThrows(ScriptException.class, () -> ops("a dmabuf_attach p p arg=null\n"));
        assertTrue(arg.describe().contains("expected arg=fault or arg=readonly"), arg.describe());
    }

    /** UAPI-ARG-FIRST: EFAULT, then the flags, then the reserved words, then the state's EBADFD. */
    @Test
    void theModelChecksTheArgumentFirst() throws ScriptException {
        List<ScriptRunner.Step> steps = ScriptRunner.run(ScriptParser.parse(HEAD
                + "a dmabuf_export p flags=0x1 reserved=1 arg=fault as x\n"
                + "a dmabuf_export p flags=0x1 reserved=1 as x\n"
                + "a dmabuf_export p reserved=1 reserved_word=4 as x\n"
                + "a dmabuf_export p as x\n" + HW
                + "a dmabuf_export p flags=0x2 as d\n"
                + "a dmabuf_attach p x flags=2 arg=fault\n"
                + "a dmabuf_attach p x flags=2\n"
                + "a dmabuf_attach p x reserved=3 reserved_word=1\n"
                + "a dmabuf_attach p x\n"), new ModelTarget());
        List<String> answers = steps.stream().map(s -> s.outcome().errno()).toList();
        assertEquals(java.util.Arrays.asList(null, "EFAULT", "EINVAL", "EINVAL", "EBADFD", null, null, "EFAULT",
                "EINVAL", "EINVAL", "EBADF"), answers);
        assertEquals(false, steps.get(6).outcome().extra().get("cloexec"));
    }

    /**
     * UAPI-EXPORT-WRITEBACK: a read-only argument is read, so ATTACH and every check of EXPORT answer as with a
     * writable one; only an EXPORT that passed them faults, at the write of the fd, and makes nothing.
     */
    @Test
    void aReadOnlyArgumentFaultsOnlyWhereExportWritesTheFd() throws ScriptException {
        Script s = ScriptParser.parse(HEAD
                + "a dmabuf_export p arg=readonly as x\n" + HW
                + "a dmabuf_export p flags=0x80003 arg=readonly as x\n"
                + "a dmabuf_export p arg=readonly as x\n"
                + "a dmabuf_export p as d\n"
                + "a dmabuf_export p flags=0x80000 arg=readonly as y\n"
                + "a dmabuf_attach p d arg=readonly\n"
                + "a leaks\n");
        assertEquals(s.ops(), ScriptParser.parse(ScriptWriter.write(s)).ops());
        assertTrue(ScriptWriter.write(s).contains("arg=readonly"), ScriptWriter.write(s));
        List<ScriptRunner.Step> steps = ScriptRunner.run(s, new ModelTarget());
        List<String> answers = steps.stream().map(st -> st.outcome().errno()).toList();
        assertEquals(java.util.Arrays.asList(null, "EBADFD", null, "EINVAL", "EFAULT", null, "EFAULT", null, null),
                answers);
        assertEquals("1", String.valueOf(steps.get(8).outcome().extra().get("dmabufs")), steps.get(8).outcome().toString());
    }

    @Test
    void aRevisionOneTargetRefusesWhatOnlyRevisionTwoCarries() throws ScriptException {
        assertNull(Target.uapiV1Refusal(ScriptParser.parse(HEAD + "a dmabuf_export p rdonly as d\n"), "harness"));
        assertEquals("line 4: dmabuf_export with flags=, reserved= or arg=: --target harness speaks uAPI"
                + " revision 1, whose argument is a bare int (UAPI-V1)",
                Target.uapiV1Refusal(ScriptParser.parse(HEAD + "a dmabuf_export p arg=fault as d\n"), "harness"));
    }
}
