package org.pcmdmabuf.conformance.harness;

import java.util.List;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Names;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.Target;
import org.pcmdmabuf.sim.Cache;

/**
 * Op scripts on the patch's C code: the model's PCM core and processes as the host, pcm_dmabuf.c in its
 * harness as the dma-buf logic ({@link HarnessDriver}), memory behind the simulator's cache (no random
 * evictions, so a script is exact). An op during which the C code went wrong gets a {@code harness} field
 * naming what it did.
 */
public final class HarnessTarget implements Target {
    private final HarnessDriver driver;
    private final World world;
    private final ModelTarget host;
    private int problemsSeen;

    public HarnessTarget(Harness harness, int lineBytes, int cacheLines) {
        Cache cache = Cache.exact(lineBytes, cacheLines);
        this.driver = new HarnessDriver(harness, cache);
        this.world = new World(cache, driver);
        driver.bind(world);
        this.host = new ModelTarget(world);
    }

    @Override
    public String name() {
        return "harness";
    }

    public World world() {
        return world;
    }

    public HarnessDriver driver() {
        return driver;
    }

    @Override
    public void declare(Script script) {
        if (Target.refusal(script, name()) instanceof String why) {
            throw new IllegalArgumentException(why);
        }
        host.declare(script);
    }

    @Override
    public void close() {
        driver.release();
    }

    @Override
    public Outcome execute(Op op, Names names) {
        // DMA-API debugging shows the C code's streaming mappings, not the host's bookkeeping of them.
        Outcome out = op instanceof Op.DmaDebug
                ? Outcome.ok(0, null).with("mappings", driver.dmaMappings()).with("overlaps", driver.dmaOverlaps())
                : host.execute(op, names);
        List<String> problems = driver.problems();
        if (problems.size() > problemsSeen) {
            out = out.with("harness", problems.subList(problemsSeen, problems.size()));
            problemsSeen = problems.size();
        }
        return out;
    }
}
