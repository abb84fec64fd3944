package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A script's text as editors write it: any line end, a byte-order mark; and errors that stay one short line. */
class ScriptTextTest {
    private static final String SCRIPT = "device pcm0 playback\nproc a\na open pcm0 as p\n# a comment\n\na close p\n";

    private static List<Integer> opLines(String text) throws ScriptException {
        return ScriptParser.parse(text).ops().stream().map(Op::line).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"LF", "CRLF", "CR"})
    void everyLineEndEndsALineAndCountsOnce(String end) throws ScriptException {
        assertEquals(List.of(3, 6), opLines(SCRIPT.replace("\n", end.replace("CR", "\r").replace("LF", "\n"))));
    }

    @Test
    void mixedLineEndsCountOneLineEach() throws ScriptException {
        assertEquals(List.of(3, 6),
                opLines("device pcm0 playback\rproc a\r\na open pcm0 as p\n# a comment\r\r\na close p"));
    }

    @Test
    void anErrorAfterLoneCarriageReturnsNamesItsLine() {
        ScriptException e = assertThrows(ScriptException.class,
                () -> ScriptParser.parse("device pcm0 playback\rproc a\r\ra frobnicate\r"));
        assertEquals("line 4: 'frobnicate': unknown op", e.describe());
    }

    @Test
    void aByteOrderMarkBeforeTheFirstLineIsSkipped() throws ScriptException {
        assertEquals(List.of(3, 6), opLines("\uFEFF" + SCRIPT));
    }

    @Test
    void aByteOrderMarkElsewhereIsNamedNotInvisible() {
        ScriptException e = assertThrows(ScriptException.class,
                () -> ScriptParser.parse("device pcm0 playback\n\uFEFFproc a\n"));
        assertEquals("line 2: '<U+FEFF>proc': not an op, and no process of that name is declared", e.describe());
    }

    @Test
    void aLongTokenIsCutWithItsLength() {
        String token = "x".repeat(10 * 1024 * 1024);
        ScriptException e = assertThrows(ScriptException.class, () -> ScriptParser.parse("device pcm0 " + token));
        assertEquals("line 1: '" + "x".repeat(ScriptException.SHOWN) + "... (10485760 characters)': expected playback "
                + "or capture", e.describe());
    }

    @Test
    void aLongNameInTheMessageIsCutToo() {
        String name = "n".repeat(5000);
        ScriptException e = assertThrows(ScriptException.class,
                () -> ScriptParser.parse("device pcm0 playback\nproc a\na close " + name));
        String cut = "n".repeat(ScriptException.SHOWN) + "... (5000 characters)";
        assertEquals("line 3: '" + cut + "': no fd of that name in process 'a' (bind it with 'as " + cut + "')",
                e.describe());
    }

    @ParameterizedTest
    @ValueSource(strings = {"coherent=false coherent=true", "substreams=2 pause=true substreams=2",
        "rate_max=8000 rate_max=9000"})
    void aDeviceOptionGivenTwiceIsRefusedByName(String options) {
        ScriptException e = assertThrows(ScriptException.class,
                () -> ScriptParser.parse("device pcm0 playback " + options + "\n"));
        String key = options.substring(0, options.indexOf('='));
        String second = options.substring(options.lastIndexOf(' ') + 1);
        assertEquals("line 1: '" + second + "': device option " + key + " given twice", e.describe());
    }

    @Test
    void aBadByteAfterLoneCarriageReturnsNamesItsLine() {
        byte[] bytes = "proc a\rproc b\r\nproc c\r\u0000".getBytes(StandardCharsets.UTF_8);
        bytes[bytes.length - 1] = (byte) 0xff;
        ScriptException e = assertThrows(ScriptException.class, () -> ScriptFile.decode(bytes));
        assertEquals("line 4: byte offset 22: 0xFF is not UTF-8", e.describe());
    }
}
