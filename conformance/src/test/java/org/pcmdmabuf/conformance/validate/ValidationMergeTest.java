package org.pcmdmabuf.conformance.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcmdmabuf.conformance.shard.Campaign;
import org.pcmdmabuf.conformance.shard.Shard;
import org.pcmdmabuf.conformance.validate.Check.Kind;
import org.pcmdmabuf.conformance.validate.Check.Status;

/**
 * The merge of validate's shards where several shards fail: the whole run stops at the lowest failing sequence,
 * whichever shard ran it, and the fault figures add up. (ShardMergeTest in cli merges real runs.)
 */
class ValidationMergeTest {
    @TempDir
    Path tmp;

    private static final Validation.Differential WHOLE = new Validation.Differential(30, 7);

    @Test
    void theLowestFailingSequenceOfAnyShardIsTheWholeRunsFailure() throws Exception {
        Check fail9 = failed(9);
        Check fail4 = failed(4);
        List<Campaign.Result> shards = List.of(
                shard(1, List.of(faults("b", 5, 1), fail9)),
                shard(2, List.of(faults("c", 3, 1), passed(2, 120))),
                shard(3, List.of(faults("b", 2, 0), fail4)));
        ValidationReport merged = ValidationReport.merge(shards);
        Check differential = merged.checks().getLast();
        assertEquals(new Check(Kind.differential, HarnessChecks.differentialName(WHOLE), null, Status.FAIL,
                fail4.details(), 3.0), differential);
        assertEquals(new HarnessChecks.FaultFigures(Set.of("b", "c"), 10, 3, 2).check(3.0),
                merged.checks().get(merged.checks().size() - 2));
    }

    @Test
    void passedShardsAddTheirOps() throws Exception {
        ValidationReport merged = ValidationReport.merge(List.of(shard(1, List.of(passed(1, 100))),
                shard(2, List.of(passed(2, 120))), shard(3, List.of(passed(3, 80)))));
        assertEquals(HarnessChecks.differentialPassed(WHOLE, 300), merged.checks().getLast().name());
    }

    private static Check failed(int sequence) {
        return new Check(Kind.differential, "shard's", null, Status.FAIL, List.of("sequence " + sequence
                + ": line 3 app attach: model and patch answer differently", "a minimal script:", "op " + sequence), 1);
    }

    private static Check passed(int shard, long ops) {
        return new Check(Kind.differential, HarnessChecks.differentialPassed(
                new Validation.Differential(30, 7, new Shard(shard, 3)), ops), null, Status.PASS, List.of(), 1);
    }

    private static Check faults(String site, int injected, int handled) {
        return new HarnessChecks.FaultFigures(Set.of(site), injected, 1, handled).check(1);
    }

    /** Shard {@code k} of 3 as validate writes it, with {@code checks} after the build. */
    private Campaign.Result shard(int k, List<Check> checks) throws IOException, Campaign.Refused, BadSeries {
        Path dir = tmp.resolve("series");
        Files.createDirectories(dir);
        Path patch = Files.writeString(dir.resolve("0001-a.patch"), "diff --git a/x b/x\n+++ b/sound/core/pcm_dmabuf.c\n");
        Series series = new Series(dir, List.of(patch));
        List<Check> all = new ArrayList<>(List.of(new Check(Kind.harness, "builds", null, Status.PASS, List.of(), 1)));
        all.addAll(checks);
        Campaign c = ValidationReport.campaign("dev", series, false, new Validation.Differential(30, 7,
                new Shard(k, 3)), Validation.Depth.FULL, false, false, true);
        Path f = tmp.resolve("validate-" + k + ".json");
        Files.writeString(f, new ValidationReport(c, series, all, null).render(ValidationReport.Format.json),
                StandardCharsets.UTF_8);
        return Campaign.read(f);
    }
}
