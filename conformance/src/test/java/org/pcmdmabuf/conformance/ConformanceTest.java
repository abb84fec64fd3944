package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.pcmdmabuf.conformance.harness.Harness;
import org.pcmdmabuf.conformance.harness.HarnessTarget;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Target;
import org.pcmdmabuf.sim.Cache;

/** Every conformance case on every target available here. */
class ConformanceTest {

    record TargetFactory(String name, Supplier<Target> create) {
    }

    static List<TargetFactory> targets() {
        return List.of(
                new TargetFactory("model", () -> new ModelTarget(new World(
                        Cache.exact(Case.LINE_BYTES, Case.CACHE_LINES)))),
                new TargetFactory("harness",
                        () -> new HarnessTarget(Harness.fromProperty(), Case.LINE_BYTES, Case.CACHE_LINES)));
    }

    /**
     * The model passes every case. The harness runs the shipped revision-1 series, which fails exactly the
     * cases cases/REVISION-1-FAILS lists, breaking exactly the rules it names (or refusing the platform it
     * names as refused): a listed case that passes, or breaks other rules, fails too, so the list cannot rot.
     */
    @TestFactory
    List<DynamicTest> everyCaseOnEveryTarget() throws Exception {
        Map<String, Case.KnownFailure> revision1 = Case.revision1Fails();
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : Case.all()) {
            for (TargetFactory t : targets()) {
                Case.KnownFailure known = t.name().equals("harness") ? revision1.get(c.name()) : null;
                tests.add(DynamicTest.dynamicTest(t.name() + ": " + c.name(), () -> {
                    List<Case.Failure> failures;
                    try (Target target = t.create().get()) {
                        failures = c.check(target);
                    }
                    String report = String.join("\n", failures.stream().map(Case.Failure::text).toList());
                    if (known == null) {
                        assertTrue(failures.isEmpty(), report);
                    } else if (known.refused()) {
                        assertTrue(failures.size() == 1 && failures.getFirst().text().contains(": refused: "),
                                () -> c.name() + " is listed in REVISION-1-FAILS as refused, but the harness ran it:\n"
                                        + report);
                    } else {
                        assertFalse(failures.isEmpty(), () -> c.name() + " is listed in REVISION-1-FAILS ("
                                + known.broken() + ") but revision 1 passes it: take it off the list");
                        assertEquals(String.join(" ", known.broken()), c.broken(failures),
                                () -> "revision 1 breaks other rules of " + c.name() + " than REVISION-1-FAILS lists:\n"
                                        + report);
                    }
                }));
            }
        }
        return tests;
    }

    @Test
    void revision1FailsListsCasesOfTheSuiteWithTheirRules() throws Exception {
        Map<String, Case> byName = new HashMap<>();
        for (Case c : Case.all()) {
            byName.put(c.name(), c);
        }
        List<String> wrong = new ArrayList<>();
        for (Case.KnownFailure k : Case.revision1Fails().values()) {
            Case c = byName.get(k.name());
            if (c == null) {
                wrong.add(k.name() + ": no such case in cases/index");
            } else if (!c.rules().containsAll(k.broken())) {
                wrong.add(k.name() + ": " + k.broken() + " not all on its '# rule:' line");
            }
        }
        assertTrue(wrong.isEmpty(), () -> "cases/REVISION-1-FAILS: " + wrong);
    }

    @Test
    void everyExpectationSitsOnAnOpLine() throws Exception {
        List<String> orphans = new ArrayList<>();
        for (Case c : Case.all()) {
            for (int line : c.expectations().keySet()) {
                boolean found = false;
                for (Op op : c.script().ops()) {
                    found |= op.line() == line;
                }
                if (!found) {
                    orphans.add(c.name() + ":" + line);
                }
            }
        }
        assertTrue(orphans.isEmpty(), () -> "expectations on lines without an op: " + orphans);
    }

    @Test
    void theSuiteIsNotEmpty() throws Exception {
        assertFalse(Case.all().size() < 10, "fewer than 10 conformance cases found");
    }
}
