package org.pcmdmabuf.conformance;

import org.pcmdmabuf.conformance.device.Cards;
import org.pcmdmabuf.conformance.device.DeviceTarget;
import org.pcmdmabuf.conformance.harness.Harness;
import org.pcmdmabuf.conformance.harness.HarnessTarget;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.Limits;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Target;
import org.pcmdmabuf.sim.Cache;

/** The targets an op script or a case runs on, as {@code pcmsim run} and {@code pcmsim conformance} name them. */
public enum Targets {
    /** The Java model, its memory behind the simulator's cache (no random evictions: a script is exact). */
    model,
    /** The patch's pcm_dmabuf.c in its user-space harness (kernel-patch/harness), behind the same cache. */
    harness,
    /** This machine's /dev/snd: a kernel with the patch applied (the QEMU guest of kernel-patch/e2e, a board). */
    device;

    /**
     * A new target; the cache geometry applies to model and harness, {@code cards} to device. Model and harness
     * run within the run-time limits of docs/op-scripts.md, the same on both, so that they refuse the same op.
     */
    public Target create(int lineBytes, int cacheLines, Cards cards) {
        return switch (this) {
            case model -> new ModelTarget(limited(new World(Cache.exact(lineBytes, cacheLines))));
            case harness -> {
                HarnessTarget h = new HarnessTarget(Harness.load(Harness.defaultLibrary()), lineBytes, cacheLines);
                limited(h.world());
                yield h;
            }
            case device -> new DeviceTarget(cards);
        };
    }

    private static World limited(World w) {
        w.limitViolationsPerOp(Limits.DEFAULT.violationsPerOp());
        w.limitTouch(Limits.DEFAULT.touchedBytes());
        return w;
    }
}
