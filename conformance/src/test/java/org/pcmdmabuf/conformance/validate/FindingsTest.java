package org.pcmdmabuf.conformance.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.conformance.validate.Check.Kind;
import org.pcmdmabuf.conformance.validate.Check.Status;

/** A declared finding is known only while the case fails exactly as declared (kernel-patch/series/FINDINGS). */
class FindingsTest {
    @TempDir
    Path dir;

    private static final String FAILURE = "attach.ops:22 server dmabuf_attach: expected success, got EINVAL (ATTACH-LIST)";

    private Findings write(String text) throws IOException, BadSeries {
        Files.writeString(dir.resolve(Findings.FILE), text);
        return Findings.read(dir);
    }

    private static Check failed(String... details) {
        return new Check(Kind.conformance, "attach.ops", "ATTACH-LIST", Status.FAIL, List.of(details), 0);
    }

    @Test
    void theDeclaredFailureIsKnown() throws Exception {
        Findings f = write("attach.ops ATTACH-LIST # why\n  > " + FAILURE + "\n");
        assertEquals(Status.KNOWN, f.judge(failed(FAILURE)).status());
    }

    @Test
    void anotherErrnoOfTheSameRuleIsAFailureShowingBoth() throws Exception {
        Findings f = write("attach.ops ATTACH-LIST # why\n> " + FAILURE + "\n");
        String other = FAILURE.replace("EINVAL", "ENXIO");
        Check c = f.judge(failed(other));
        assertEquals(Status.FAIL, c.status());
        assertEquals(List.of("FINDINGS declares it failing otherwise:", "> " + FAILURE, "it fails with:", other),
                c.details());
    }

    @Test
    void oneMoreProblemIsAFailure() throws Exception {
        Findings f = write("attach.ops ATTACH-LIST # why\n> " + FAILURE + "\n");
        assertEquals(Status.FAIL, f.judge(failed(FAILURE, "attach.ops:23 leaks: expected ok, got EINVAL")).status());
    }

    @Test
    void aFindingThatShowsNoFailureIsRefused() {
        BadSeries e = assertThrows(BadSeries.class, () -> write("attach.ops ATTACH-LIST # why\nb.ops ATTACH-LIST # y\n"
                + "> x\n"));
        assertTrue(e.getMessage().endsWith("attach.ops shows no failure: add its lines as validate reports them, each on"
                + " a line of its own after '> '"), e.getMessage());
    }

    @Test
    void aFailureLineBeforeAnyFindingIsRefused() {
        BadSeries e = assertThrows(BadSeries.class, () -> write("# header\n> " + FAILURE + "\n"));
        assertTrue(e.getMessage().endsWith("line 2: a '>' line belongs under the CASE RULE-ID... line whose failure"
                + " it shows"), e.getMessage());
    }
}
