package org.pcmdmabuf.conformance.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.sim.SplitMix64;

/**
 * validate's differential runs a drawn script as drawn, and only a ddmin candidate written out and parsed back
 * (HarnessChecks): which is the same run only if the round trip of every drawn script parses and changes nothing
 * but its line numbers.
 */
class DrawnScriptsTest {
    @Test
    void aDrawnScriptWrittenAndParsedBackDiffersOnlyInItsLineNumbers() throws ScriptException {
        SplitMix64 r = new SplitMix64(1);
        for (int i = 0; i < 3000; i++) {
            Script s = i % 5 == 4 ? Lockstep.drawProtocol(r) : i % 5 == 2 ? Lockstep.drawDeep(r) : Lockstep.drawRandom(r);
            Script back = ScriptParser.parse(ScriptWriter.write(s));
            assertEquals(s.devices(), back.devices(), "sequence " + (i + 1));
            assertEquals(s.procs(), back.procs(), "sequence " + (i + 1));
            assertEquals(s.concurrent(), back.concurrent(), "sequence " + (i + 1));
            assertEquals(s.ops().stream().map(DrawnScriptsTest::unnumbered).toList(),
                    back.ops().stream().map(DrawnScriptsTest::unnumbered).toList(), "sequence " + (i + 1));
        }
    }

    /** An op with every field but its line: {@code Open[proc=app2, device=pcm1, ...]}. */
    private static String unnumbered(Object op) {
        String s = op.toString();
        if (!s.matches("\\w+\\[line=\\d+, .*")) {
            throw new AssertionError("an op that no longer begins with its line: " + s);
        }
        return s.replaceFirst("\\[line=\\d+, ", "[");
    }
}
