package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.pcmdmabuf.conformance.harness.Harness;
import org.pcmdmabuf.conformance.harness.HarnessTarget;
import org.pcmdmabuf.conformance.validate.Findings;
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
     * The model passes every case, and so does the harness running the shipped series, but for a case whose
     * platform the harness leaves to the model and the simulator (an IOMMU or bounce buffers), which it must
     * refuse rather than answer as if the machine were kinder (SCRIPT-PLATFORM), and a case the series declares
     * it still fails (kernel-patch/series/FINDINGS), which must fail breaking exactly the rules declared; the
     * model refuses a case that asks for a fault (fail_nth), having no fallible calls to fail. What a
     * known-bad revision fails is KnownBadRevisionsTest's business.
     */
    @TestFactory
    List<DynamicTest> everyCaseOnEveryTarget() throws Exception {
        Findings findings = Findings.read(Path.of("..", "kernel-patch", "series"));
        List<DynamicTest> tests = new ArrayList<>();
        for (Case c : Case.all()) {
            for (TargetFactory t : targets()) {
                tests.add(DynamicTest.dynamicTest(t.name() + ": " + c.name(), () -> {
                    List<Case.Failure> failures;
                    try (Target target = t.create().get()) {
                        failures = c.check(target);
                    }
                    String report = String.join("\n", failures.stream().map(Case.Failure::text).toList());
                    boolean refused = failures.size() == 1 && failures.getFirst().text().contains(": refused: ");
                    Findings.Finding known = t.name().equals("harness") ? findings.byCase().get(c.name()) : null;
                    if (refused && t.name().equals("model")) {
                        assertTrue(c.script().ops().stream().anyMatch(op -> op instanceof Op.FailNth),
                                () -> "the model refuses a case that asks for no fault:\n" + report);
                    } else if (refused && t.name().equals("harness")) {
                        assertTrue(c.script().devices().stream().anyMatch(hw -> hw.iommu() || hw.bounce()),
                                () -> "the harness refuses a platform it models:\n" + report);
                    } else if (known != null) {
                        assertEquals(known.rules(), c.broken(failures), () -> "kernel-patch/series/FINDINGS declares "
                                + c.name() + " breaking " + known.rules() + ":\n" + report);
                        assertEquals(known.failures(), failures.stream().map(Case.Failure::text).toList(),
                                () -> "kernel-patch/series/FINDINGS declares how " + c.name() + " fails");
                    } else {
                        assertTrue(failures.isEmpty(), report);
                    }
                }));
            }
        }
        return tests;
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
