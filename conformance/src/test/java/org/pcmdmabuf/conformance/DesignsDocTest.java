package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/designs.md is generated ({@link DesignsDoc}, {@code pcmsim designs}) from the design cases and from
 * simulator runs of the three designs; this test regenerates it and fails when the committed page differs, so it
 * cannot drift.
 */
class DesignsDocTest {
    static final Path DOC = Path.of("..", "docs", "designs.md");
    static final String REGENERATE = "./pcmsim designs --output docs/designs.md";

    @Test
    void docsDesignsMdIsGeneratedFromTheCasesAndTheSimulator() throws Exception {
        String expected = DesignsDoc.markdown(Path.of("..", "kernel-patch", "series"));
        String actual = Files.exists(DOC) ? Files.readString(DOC, StandardCharsets.UTF_8) : "";
        assertEquals(expected, actual, "docs/designs.md is stale: regenerate it with " + REGENERATE);
    }

    @Test
    void everyDesignCaseHasEveryClaimOfTheTable() throws Exception {
        for (var e : DesignsDoc.claims().entrySet()) {
            assertEquals(DesignsDoc.claims().get("dmabuf.ops").keySet(), e.getValue().keySet(), e.getKey());
        }
    }
}
