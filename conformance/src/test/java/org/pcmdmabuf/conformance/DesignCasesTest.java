package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.pcmdmabuf.conformance.harness.Harness;
import org.pcmdmabuf.conformance.harness.HarnessTarget;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.RandomScript;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.script.Target;
import org.pcmdmabuf.sim.Cache;

/**
 * The cases behind docs/designs.md pass on the model; every other target refuses them in one line rather than
 * skipping their ops, and the random generators of the differential tests never emit those ops.
 */
class DesignCasesTest {

    @TestFactory
    List<DynamicTest> everyDesignCasePassesOnTheModel() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : Case.designs()) {
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                List<String> failures;
                try (Target t = new ModelTarget(new World(Cache.exact(Case.LINE_BYTES, Case.CACHE_LINES)))) {
                    failures = c.run(t);
                }
                assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
            }));
        }
        return tests;
    }

    @Test
    void theHarnessRefusesADesignCaseNamingTheLineAndTheOp() throws Exception {
        Case c = Case.designs().stream().filter(k -> k.name().equals("restricted.ops")).findFirst().orElseThrow();
        try (Target t = new HarnessTarget(Harness.fromProperty(), Case.LINE_BYTES, Case.CACHE_LINES)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.declare(c.script()));
            assertEquals("line 12: op restrict is model-only (docs/designs.md); --target harness does not implement it",
                    e.getMessage());
        }
    }

    @Test
    void theRandomGeneratorsNeverEmitAModelOnlyOp() {
        Random r = new Random(18);
        for (int i = 0; i < 2000; i++) {
            List<RandomScript.Choice> choices = new ArrayList<>();
            for (int k = 0; k < 40; k++) {
                choices.add(new RandomScript.Choice(r.nextInt(RandomScript.KINDS), r.nextInt(3), r.nextInt(8),
                        r.nextInt(8), r.nextInt(8)));
            }
            assertNull(Target.refusal(RandomScript.of(choices), "harness"));
        }
    }

    @Test
    void theDesignOpsSurviveTheWriter() throws Exception {
        for (Case c : Case.designs()) {
            Script again = ScriptParser.parse(ScriptWriter.write(c.script()));
            assertEquals(c.script().ops().size(), again.ops().size(), c.name());
            for (int i = 0; i < again.ops().size(); i++) {
                assertEquals(ScriptWriter.line(c.script().ops().get(i)), ScriptWriter.line(again.ops().get(i)));
            }
        }
    }
}
