package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.harness.RaceScenarios;

/**
 * The cases and docs/spec.md name the same rules: every ID a case cites is defined there, every rule the spec
 * does not mark "(not yet judged)" is checked by a case, and no marked rule is (so the marks stay true).
 */
class SpecTest {
    static final Path SPEC = Path.of("..", "docs", "spec.md");
    private static final Pattern DEFINITION = Pattern.compile("^- `(" + Case.RULE_ID.pattern() + ")` (.*)$");
    static final String NOT_JUDGED = "(not yet judged)";

    /** Rule ID to whether a case must check it, in the order the spec defines them. */
    static Map<String, Boolean> rules(String spec) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        List<String> twice = new ArrayList<>();
        for (String line : spec.split("\n")) {
            Matcher m = DEFINITION.matcher(line);
            if (m.matches() && out.put(m.group(1), !line.strip().endsWith(NOT_JUDGED)) != null) {
                twice.add(m.group(1));
            }
        }
        assertTrue(twice.isEmpty(), () -> "rules defined twice in docs/spec.md: " + twice);
        return out;
    }

    /** The suite, the cases behind docs/designs.md and the race scenarios of validate's race stage: all judge rules. */
    private static List<Case> allCases() throws Exception {
        List<Case> all = new ArrayList<>(Case.all());
        all.addAll(Case.designs());
        for (String name : RaceScenarios.NAMES) {
            all.add(Case.parse(RaceScenarios.title(name), RaceScenarios.text(name)));
        }
        return all;
    }

    static Map<String, Boolean> specRules() throws IOException {
        return rules(Files.readString(SPEC, StandardCharsets.UTF_8));
    }

    @Test
    void everyCitedRuleIsInTheSpec() throws Exception {
        Set<String> defined = specRules().keySet();
        List<String> unknown = new ArrayList<>();
        for (Case c : allCases()) {
            c.rules().stream().filter(id -> !defined.contains(id)).forEach(id -> unknown.add(c.name() + ": " + id));
        }
        assertTrue(unknown.isEmpty(), () -> "cases cite rules docs/spec.md does not define: " + unknown);
    }

    @Test
    void everyJudgedRuleHasACaseAndNoOtherRuleHasOne() throws Exception {
        Set<String> cited = new TreeSet<>();
        for (Case c : allCases()) {
            cited.addAll(c.rules());
        }
        Set<String> uncovered = new TreeSet<>();
        Set<String> markedButCited = new TreeSet<>();
        specRules().forEach((id, judged) -> {
            if (judged && !cited.contains(id)) {
                uncovered.add(id);
            }
            if (!judged && cited.contains(id)) {
                markedButCited.add(id);
            }
        });
        assertTrue(uncovered.isEmpty(), () -> "rules no case checks; add a case or mark them " + NOT_JUDGED + ": "
                + uncovered);
        assertTrue(markedButCited.isEmpty(), () -> "rules marked " + NOT_JUDGED + " that a case checks: "
                + markedButCited);
    }

    @Test
    void theSpecDefinesEnoughRulesToMeanSomething() throws Exception {
        Map<String, Boolean> rules = specRules();
        assertTrue(rules.size() >= 60, () -> "only " + rules.size() + " rules parsed from docs/spec.md");
        assertTrue(rules.values().stream().filter(b -> b).count() >= 40, "fewer than 40 judged rules");
    }

    @Test
    void onlyListItemsStartingWithAnIdDefineRules() {
        Map<String, Boolean> rules = rules("""
                - `EXPORT-STATE` — judged.
                - `ATTACH-FUTURE` — later. (not yet judged)
                prose naming `NOT-A-DEFINITION` is no definition
                text `ATTACH-SIZE` mentioned
                """);
        assertEquals(Map.of("EXPORT-STATE", true, "ATTACH-FUTURE", false), rules);
    }

    @Test
    void aLineMayCiteOnlyRulesItsCaseNames() throws Exception {
        String text = "# rule: EXPORT-STATE\ndevice pcm0 playback\nproc s\ns open pcm0 as p\n"
                + "s dmabuf_export p as d     #=> EBADFD OPEN ATTACH-SIZE\n";
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.pcmdmabuf.script.ScriptException.class,
                () -> Case.parse("bad.ops", text));
        assertTrue(e.describe().contains("line 5") && e.describe().contains("checks ATTACH-SIZE, which its '# rule:'"
                + " line does not name"), e.describe());
        Case ok = Case.parse("ok.ops", text.replace("ATTACH-SIZE", "EXPORT-STATE"));
        assertEquals(List.of("EXPORT-STATE"), ok.expectations().get(5).rules());
    }

    @Test
    void aCaseCitingAMalformedIdDoesNotParse() {
        String text = "# rule: attach size\ndevice pcm0 playback\nproc s\n";
        var e = org.junit.jupiter.api.Assertions.assertThrows(org.pcmdmabuf.script.ScriptException.class,
                () -> Case.parse("bad.ops", text));
        assertTrue(e.describe().contains("'attach' is not a rule ID of docs/spec.md"), e.describe());
    }
}
