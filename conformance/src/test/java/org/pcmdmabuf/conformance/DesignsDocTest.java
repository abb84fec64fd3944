package org.pcmdmabuf.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * docs/designs.md is generated ({@link DesignsDoc}) from the design cases and from simulator runs of the three
 * designs; this test regenerates it and fails when the committed page differs, so it cannot drift. Regenerate
 * with {@link #REGENERATE}.
 */
class DesignsDocTest {
    /** One test of each module in the filter: the root pom fails a module that runs none. */
    static final String REGENERATE = "./mvnw -q -pl model,opscript,simulator,conformance verify"
            + " -Dtest=ModelDocTest,StatefulPropertyTest,DesignSimulationTest,DesignsDocTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dpcmdmabuf.writeDocs=true";

    @Test
    void docsDesignsMdIsGeneratedFromTheCasesAndTheSimulator() throws Exception {
        String expected = DesignsDoc.markdown();
        if (Boolean.getBoolean("pcmdmabuf.writeDocs")) {
            Files.writeString(DesignsDoc.DOC, expected, StandardCharsets.UTF_8);
        }
        String actual = Files.exists(DesignsDoc.DOC) ? Files.readString(DesignsDoc.DOC, StandardCharsets.UTF_8) : "";
        assertEquals(expected, actual, "docs/designs.md is stale: regenerate it with " + REGENERATE);
    }

    @Test
    void everyDesignCaseHasEveryClaimOfTheTable() throws Exception {
        for (var e : DesignsDoc.claims().entrySet()) {
            assertEquals(DesignsDoc.claims().get("dmabuf.ops").keySet(), e.getValue().keySet(), e.getKey());
        }
    }
}
