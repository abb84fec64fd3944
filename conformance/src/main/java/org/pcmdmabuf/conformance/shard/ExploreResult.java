package org.pcmdmabuf.conformance.shard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pcmdmabuf.script.Json;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.sim.Explorer;
import org.pcmdmabuf.sim.Scenario;

/**
 * What {@code pcmsim explore} found, as it prints it in text and JSON, and the merge of its shards: the lowest
 * failing seed over every shard is the one the whole run stops at, since each shard judged its seeds in order up
 * to its own first failure.
 *
 * @param seed the first seed of the campaign, {@code --seed}
 * @param seeds how many seeds the campaign has, {@code --seeds}
 * @param runs the seeds this shard judged
 * @param failure the first failure, or null
 */
public record ExploreResult(Campaign campaign, long seed, int seeds, int runs, Failure failure) {
    /**
     * A failing seed: the check it broke, the replay arguments of its run and of the smallest run that still fails,
     * and the reproducer script (null: {@code note} says why there is none) with the cache it needs.
     */
    public record Failure(long seed, String check, String replay, String smallest, String script, int ops,
            String note, int lineBytes, int cacheLines) {
    }

    /** The campaign of an explore run: its scenario (with --seed), --seeds and --platforms, and pcmsim's version. */
    public static Campaign campaign(String version, Scenario base, int seeds, boolean platforms, Shard shard) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        inputs.put("pcmsim", version);
        inputs.put("seed", base.seed());
        inputs.put("scenario", base.toCliArgs());
        inputs.put("seeds", seeds);
        inputs.put("platforms", platforms);
        return new Campaign("explore", shard, inputs);
    }

    public static ExploreResult of(Campaign campaign, Scenario base, int seeds, Explorer.Outcome outcome) {
        Explorer.Failure f = outcome.failure();
        if (f == null) {
            return new ExploreResult(campaign, base.seed(), seeds, outcome.runs(), null);
        }
        String script = f.reproducer() == null ? null : "# pcmsim explore: seed " + f.scenario().seed() + ", "
                + f.check() + "\n" + ScriptWriter.write(f.reproducer());
        return new ExploreResult(campaign, base.seed(), seeds, outcome.runs(), new Failure(f.scenario().seed(),
                f.check(), f.scenario().toCliArgs(), f.smallest().toCliArgs(), script,
                f.reproducer() == null ? 0 : f.reproducer().ops().size(), f.reproducerNote(),
                f.smallest().cache().lineBytes(), f.smallest().cache().capacityLines()));
    }

    /** What explore prints: a shard says which it is. */
    public String text() {
        Shard shard = campaign.shard();
        String which = shard.whole() ? "" : " (shard " + shard + ")";
        if (failure == null) {
            return "explored " + runs + " seeds from " + seed + which + ": no failure\n";
        }
        StringBuilder sb = new StringBuilder("explored " + runs + " seeds" + which + ": seed " + failure.seed()
                + " failed\n");
        sb.append("failed check: ").append(failure.check()).append('\n');
        sb.append("replay: pcmsim replay ").append(failure.replay()).append('\n');
        sb.append("smallest failing run: pcmsim replay ").append(failure.smallest()).append('\n');
        if (failure.script() == null) {
            return sb.append("no op-script reproducer: ").append(failure.note()).append('\n').toString();
        }
        sb.append("minimized reproducer (").append(failure.ops()).append(" ops); run it with: pcmsim run FILE")
                .append(" --line-bytes ").append(failure.lineBytes()).append(" --cache-lines ")
                .append(failure.cacheLines()).append('\n');
        return sb.append(failure.script()).toString();
    }

    public String json() {
        StringBuilder sb = new StringBuilder("{").append(campaign.jsonHead()).append(",\n \"seed\": ").append(seed)
                .append(", \"seeds\": ").append(seeds).append(", \"runs\": ").append(runs).append(",\n \"failure\": ");
        if (failure == null) {
            return sb.append("null}\n").toString();
        }
        return sb.append("{\"seed\": ").append(failure.seed()).append(", \"check\": ")
                .append(Json.string(failure.check())).append(",\n  \"replay\": ").append(Json.string(failure.replay()))
                .append(",\n  \"smallest\": ").append(Json.string(failure.smallest())).append(",\n  \"reproducer\": ")
                .append(Json.string(failure.script())).append(", \"ops\": ").append(failure.ops())
                .append(", \"note\": ").append(Json.string(failure.note())).append(", \"line_bytes\": ")
                .append(failure.lineBytes()).append(", \"cache_lines\": ").append(failure.cacheLines())
                .append("}}\n").toString();
    }

    public boolean failed() {
        return failure != null;
    }

    private static ExploreResult read(Campaign.Result r) throws Campaign.Refused {
        Campaign.Reader j = new Campaign.Reader(r.file(), r.json());
        Campaign.Reader f = j.objectOrNull("failure");
        Failure failure = f == null ? null : new Failure(f.number("seed"), f.text("check"), f.text("replay"),
                f.text("smallest"), f.textOrNull("reproducer"), (int) f.number("ops"), f.textOrNull("note"),
                (int) f.number("line_bytes"), (int) f.number("cache_lines"));
        return new ExploreResult(r.campaign(), j.number("seed"), (int) j.number("seeds"), (int) j.number("runs"),
                failure);
    }

    /**
     * The whole run from its shards, in shard order: no failure, every seed judged once; or the lowest failing
     * seed, reached after every seed below it (each shard judged its seeds up to its own first failure).
     */
    public static ExploreResult merge(List<Campaign.Result> shards) throws Campaign.Refused {
        List<ExploreResult> parts = new ArrayList<>();
        for (Campaign.Result r : shards) {
            parts.add(read(r));
        }
        ExploreResult first = parts.getFirst();
        Failure lowest = null;
        int runs = 0;
        for (int i = 0; i < parts.size(); i++) {
            ExploreResult p = parts.get(i);
            Shard shard = p.campaign().shard();
            int expected = shard.size(p.seeds());
            if (p.failure() == null ? p.runs() != expected : p.runs() > expected) {
                throw new Campaign.Refused(shards.get(i).file() + " judged " + p.runs() + " seeds; shard " + shard
                        + " of " + p.seeds() + " has " + expected + " (a cut-short or edited result)");
            }
            runs += p.runs();
            if (p.failure() != null && (lowest == null || p.failure().seed() < lowest.seed())) {
                lowest = p.failure();
            }
        }
        Campaign whole = first.campaign().whole();
        if (lowest == null) {
            return new ExploreResult(whole, first.seed(), first.seeds(), runs, null);
        }
        return new ExploreResult(whole, first.seed(), first.seeds(), (int) (lowest.seed() - first.seed() + 1), lowest);
    }
}
