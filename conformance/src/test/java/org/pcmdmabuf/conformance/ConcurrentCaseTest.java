package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Names;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.Target;

/** A case's concurrent group is judged by the orders the model allows (SCRIPT-CONCURRENT), not by the written one. */
class ConcurrentCaseTest {
    private static final String CASE = """
            # rule: SCRIPT-CONCURRENT EXPORT-STATE
            device pcm0 playback
            proc server
            server open pcm0 as p
            server hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            concurrently
              server dmabuf_export p as d
              server hw_free p
            end
            server exit
            """;

    /** The model, but for the answer of the op at {@code line}, which it replaces. */
    private static Target lyingAt(int line, Outcome answer) {
        ModelTarget model = new ModelTarget();
        return new Target() {
            @Override
            public String name() {
                return "model";
            }

            @Override
            public void declare(Script script) {
                model.declare(script);
            }

            @Override
            public Outcome execute(Op op, Names names) {
                Outcome real = model.execute(op, names);
                return op.line() == line ? answer : real;
            }
        };
    }

    @Test
    void theModelPassesItsOwnGroup() throws ScriptException {
        assertEquals(List.of(), Case.parse("c", CASE).run(new ModelTarget()));
    }

    @Test
    void answersOfTheOtherOrderPass() throws ScriptException {
        // HW_FREE first: EXPORT finds the substream OPEN
        assertEquals(List.of(), Case.parse("c", CASE).run(lyingAt(7, Outcome.error("EBADFD", "OPEN"))));
    }

    @Test
    void answersOfNoOrderFailNamingWhatTheModelAllows() throws ScriptException {
        List<Case.Failure> f = Case.parse("c", CASE).check(lyingAt(8, Outcome.ok(0, "SETUP")));
        assertEquals(1, f.size(), f::toString);
        assertEquals("c:6 concurrently: line 7 ok SETUP, line 8 ok SETUP is the result of no order of its ops; the"
                + " model allows ok SETUP, ok OPEN (lines 7 then 8); EBADFD OPEN, ok OPEN (lines 8 then 7)",
                f.getFirst().text());
        assertEquals(List.of("SCRIPT-CONCURRENT", "EXPORT-STATE"), f.getFirst().rules());
    }

    @Test
    void anExpectationInAGroupStillHolds() throws ScriptException {
        Case c = Case.parse("c", CASE.replace("server hw_free p\n", "server hw_free p  #=> ok OPEN\n"));
        List<Case.Failure> f = c.check(lyingAt(8, Outcome.error("EBUSY", "SETUP")));
        assertTrue(f.stream().anyMatch(x -> x.text().equals("c:8 server hw_free: expected success, got EBUSY")), f::toString);
    }

    @Test
    void noLinePromisesNothing() {
        ScriptException e = assertThrows(ScriptException.class,
                () -> Case.parse("c", CASE.replace("server exit\n", "server exit  #=> any\n")));
        assertTrue(e.describe().contains("'any' is no result"), e.describe());
    }
}
