package org.pcmdmabuf.conformance.harness;

import java.util.List;
import org.pcmdmabuf.model.Vma;
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
 * evictions, so a script is exact) and the bounce slots of the harness's swiotlb ({@link Swiotlb}). An op during which the C code went wrong gets a {@code harness} field
 * naming what it did.
 */
public final class HarnessTarget implements Target {
    private final HarnessDriver driver;
    private final World world;
    private final ModelTarget host;
    private final int revision;
    private int problemsSeen;
    /** The fail-nth a {@code fail_nth} op armed for the next op, 0 for none. */
    private int failNth;
    private HarnessDriver.Fault lastFault = new HarnessDriver.Fault(0, null, null, null);

    public HarnessTarget(Harness harness, int lineBytes, int cacheLines) {
        Swiotlb mem = new Swiotlb(Cache.exact(lineBytes, cacheLines));
        this.driver = new HarnessDriver(harness, mem);
        this.world = new World(mem, driver);
        driver.bind(world);
        this.host = new ModelTarget(world);
        this.revision = harness.revision();
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

    /**
     * Why a harness built from a revision-{@code revision} series cannot run {@code script}: the refusals of every
     * target but the model, and revision 1's of an argument only revision 2 carries; null when it can.
     */
    public static String refusal(Script script, int revision) {
        if (Target.refusal(script, "harness") instanceof String why) {
            return why;
        }
        return revision < 2 ? Target.uapiV1Refusal(script, "harness") : null;
    }

    @Override
    public String refusal(Script script) {
        return refusal(script, revision);
    }

    @Override
    public void declare(Script script) {
        if (refusal(script) instanceof String why) {
            throw new IllegalArgumentException(why);
        }
        host.declare(script);
    }

    @Override
    public void close() {
        driver.release();
    }

    /** What fault injection did during the last op: how many fallible calls, which one failed. */
    public HarnessDriver.Fault lastFault() {
        return lastFault;
    }

    /**
     * An op answers as on the model's host, but for {@code fail_nth}, which arms fault injection for the next op
     * (docs/op-scripts.md); an op during which a call was made to fail says which ({@code fault}). Once the host
     * holds nothing of the C code's (no file, dma-buf, attachment, mapping, buffer or charge), the C code must
     * hold nothing either: whatever it still holds is a leak (FAULT-NO-LEAK).
     */
    @Override
    public Outcome execute(Op op, Names names) {
        if (op instanceof Op.FailNth f) {
            failNth = f.nth();
            return Outcome.ok(0, null);
        }
        driver.failNth(failNth);
        failNth = 0;
        if (op instanceof Op.MapAccess a && world.inFlightTogether()
                && names.map(a.proc(), a.map()) instanceof Vma v && v.dmaBuf() != null) {
            driver.touch(v, a.offset(), a.length());
        }
        // DMA-API debugging shows the C code's streaming mappings, not the host's bookkeeping of them.
        Outcome out = op instanceof Op.DmaDebug
                ? Outcome.ok(0, null).with("mappings", driver.dmaMappings()).with("overlaps", driver.dmaOverlaps())
                : host.execute(op, names);
        driver.disconnectedClosed();
        List<String> globalLocks = driver.globalLocks();
        if (!globalLocks.isEmpty()) {
            out = out.with("global_locks", globalLocks);
        }
        lastFault = driver.fault();
        if (lastFault.injected()) {
            out = out.with("fault", lastFault.kind());
        }
        if (world.leaks().none()) {
            driver.accountCheck();
        }
        if (driver.problemCount() > problemsSeen) {
            List<String> problems = driver.problems();
            out = out.with("harness", problems.subList(problemsSeen, problems.size()));
            problemsSeen = problems.size();
        }
        return out;
    }
}
