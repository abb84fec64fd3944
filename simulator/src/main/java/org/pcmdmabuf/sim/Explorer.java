package org.pcmdmabuf.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.pcmdmabuf.model.InvariantViolation;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.Ddmin;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.script.ScriptWriter;

/**
 * {@code pcmsim explore}: many seeds of a scenario, each also choosing its own cache behaviour (swarm
 * testing: some seeds evict and prefetch often, some never, some have a tiny cache), run on every core.
 * Results are judged in seed order, so the failure reported is always the lowest failing seed, whatever the
 * threads did. A failure is then minimized: a shorter run, fewer clients, and the run's op script cut down
 * (delta debugging) to the ops that still reproduce it under {@code pcmsim run}.
 */
public final class Explorer {
    /**
     * The first failure found: the failing seed's scenario and what it broke, the smallest run that still fails,
     * and an op script that reproduces it (or why there is none).
     */
    public record Failure(Scenario scenario, String check, Scenario smallest, Script reproducer,
                          String reproducerNote) {
    }

    /** How many seeds ran, and the failure if one did fail. */
    public record Outcome(int runs, Failure failure) {
    }

    private static final int DDMIN_BUDGET = 4000;

    private Explorer() {
    }

    /** The scenario a seed explores: the base with that seed and its own swarm choice of cache behaviour. */
    public static Scenario perturb(Scenario base, long seed) {
        SplitMix64 r = new SplitMix64(seed ^ 0x5eed5eed5eedL);
        Cache.Config c = base.cache();
        double[] scale = {0, 1, 10};
        int lines = switch (r.nextInt(3)) {
            case 0 -> Math.max(16, c.capacityLines() / 8);
            case 1 -> c.capacityLines();
            default -> c.capacityLines() * 8;
        };
        Cache.Config pc = new Cache.Config(c.lineBytes(), lines, c.evictionsPerSecond() * scale[r.nextInt(3)],
                c.refillsPerSecond() * scale[r.nextInt(3)]);
        return new Scenario(seed, base.stream(), base.coherent(), base.rate(), base.periodFrames(), base.periods(),
                base.durationNs(), base.clients(), base.shared(), pc, base.driftPpm(), base.jitterMeanNs(),
                base.marginFrames(), base.design(), base.platform(), base.reconfigureAtNs(), base.restartAtNs());
    }

    /**
     * Runs seeds {@code base.seed()} to {@code base.seed() + seeds - 1} on {@code jobs} threads and stops at
     * the first failure; {@code progress} hears the number of seeds judged so far. A few seeds per thread are
     * queued ahead of the one judged next, never all of them: a million would be a million queued runs.
     */
    public static Outcome explore(Scenario base, int seeds, int jobs, IntConsumer progress) {
        return explore(base, seeds, jobs, false, progress);
    }

    /**
     * The scenario a seed explores when platforms are swarmed too: {@link #perturb}, then from a generator of its
     * own (so the cache draws stay those of the seed) a platform valid on the device: a buffer type, an IOMMU or
     * not, bounce buffers or not, and the own export or a foreign dma-buf attached (design dmabuf only).
     */
    public static Scenario perturbPlatform(Scenario base, long seed) {
        Scenario sc = perturb(base, seed);
        SplitMix64 r = new SplitMix64(seed ^ 0x91a7f0e5c0ffeeL);
        org.pcmdmabuf.model.BufferType[] types = Platform.typesFor(base.coherent());
        org.pcmdmabuf.model.BufferType type = types[r.nextInt(types.length)];
        boolean iommu = r.nextInt(2) == 1;
        boolean bounce = r.nextInt(2) == 1;
        boolean foreign = base.design() == Design.DMABUF && r.nextInt(2) == 1;
        return sc.withPlatform(new Platform(type, iommu, bounce, foreign, base.platform().flaws()));
    }

    /** As {@link #explore(Scenario, int, int, IntConsumer)}; {@code platforms}: each seed draws its platform. */
    public static Outcome explore(Scenario base, int seeds, int jobs, boolean platforms, IntConsumer progress) {
        return explore(base, seeds, 0, 1, jobs, platforms, progress);
    }

    /**
     * As {@link #explore(Scenario, int, int, boolean, IntConsumer)}, over every {@code stride}-th of the seeds from
     * the {@code first}-th (from 0): one shard of a campaign split over processes. {@link Outcome#runs} counts this
     * shard's seeds judged, and its failure is the lowest failing seed of the shard, so the lowest over all shards
     * is the one the whole run reports.
     */
    public static Outcome explore(Scenario base, int seeds, int first, int stride, int jobs, boolean platforms,
            IntConsumer progress) {
        return explore(base, seeds, first, stride, jobs, platforms, null, progress);
    }

    /**
     * As {@link #explore(Scenario, int, int, int, int, boolean, IntConsumer)} with another judge of each seed than
     * the simulator's own checks ({@code judge} null: those): what went wrong in the seed's run, or null. A failure
     * it finds is not minimized: its reproducer is the seed's whole run as an op script ({@link #recorded}).
     */
    public static Outcome explore(Scenario base, int seeds, int first, int stride, int jobs, boolean platforms,
            Function<Scenario, String> judge, IntConsumer progress) {
        Function<Scenario, String> judged = judge == null ? Explorer::failedCheck : judge;
        int mine = first >= seeds ? 0 : (seeds - 1 - first) / stride + 1;
        int threads = Math.max(1, jobs);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Deque<Future<String>> queued = new ArrayDeque<>();
            int submitted = 0;
            for (int i = 0; i < mine; i++) {
                while (submitted < mine && queued.size() < 4 * threads) {
                    long seed = base.seed() + first + (long) submitted * stride;
                    Scenario sc = platforms ? perturbPlatform(base, seed) : perturb(base, seed);
                    queued.add(pool.submit(() -> judged.apply(sc)));
                    submitted++;
                }
                String check = get(queued.poll());
                progress.accept(i + 1);
                if (check != null) {
                    pool.shutdownNow();
                    long seed = base.seed() + first + (long) i * stride;
                    Scenario failed = platforms ? perturbPlatform(base, seed) : perturb(base, seed);
                    return new Outcome(i + 1, judge == null ? minimize(failed, check)
                            : new Failure(failed, check, failed, recorded(failed), null));
                }
            }
            return new Outcome(mine, null);
        } finally {
            pool.shutdownNow();
        }
    }

    private static String get(Future<String> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("explore interrupted", e);
        } catch (ExecutionException e) {
            return "simulation failed: " + e.getCause();
        }
    }

    /** What went wrong in one run of the scenario, or null if nothing did. */
    public static String failedCheck(Scenario sc) {
        Report r;
        try {
            r = new Simulation(sc).run();
        } catch (InvariantViolation e) {
            return "model invariant broken: " + e.getMessage().lines().findFirst().orElse("");
        }
        return failedCheck(r);
    }

    static String failedCheck(Report r) {
        if (!r.leaks().none()) {
            return "leaks after every process exited: " + r.leaks();
        }
        for (ClientStats c : r.clients()) {
            if (!c.errnoMismatches.isEmpty()) {
                return c.name + ": " + c.errnoMismatches.getFirst();
            }
        }
        for (ClientStats c : r.clients()) {
            // A server reconfiguration or restart costs frames on every design (ServerEvent): not a failure.
            if (c.integrityErrorsOutsideServerEvents() > 0) {
                return c.name + ": " + c.stale + " stale, " + c.torn + " torn, " + c.missing + " missing, "
                        + c.duplicated + " duplicated frames";
            }
        }
        return null;
    }

    /** Shortens the run and drops clients while it still fails, then cuts its op script down. */
    static Failure minimize(Scenario sc, String check) {
        Scenario s = sc;
        long minDuration = 3 * s.periodNs();
        while (s.durationNs() / 2 >= minDuration) {
            Scenario shorter = withDurationAndClients(s, s.durationNs() / 2, s.clients());
            if (failedCheck(shorter) == null) {
                break;
            }
            s = shorter;
        }
        for (int i = s.clients().size() - 1; i >= 0 && s.clients().size() > 1; i--) {
            List<Behaviour> fewer = new ArrayList<>(s.clients());
            fewer.remove(i);
            Scenario candidate = withDurationAndClients(s, s.durationNs(), fewer);
            if (failedCheck(candidate) != null) {
                s = candidate;
            }
        }
        String finalCheck = failedCheck(s);
        if (!s.platform().isDefault()) {
            return new Failure(sc, check, s, null, "the failure (" + finalCheck + ") needs its "
                    + s.platform().describe(s.coherent()) + ", which the model target does not model yet; replay the"
                    + " seed instead");
        }
        Script script = recorded(s);
        if (!reproduces(script, s.cache())) {
            return new Failure(sc, check, s, null, "the failure (" + finalCheck + ") depends on timing or random "
                    + "cache events that an op script cannot express; replay the seed instead");
        }
        Cache.Config cache = s.cache();
        return new Failure(sc, check, s, Ddmin.minimize(script, candidate -> reproduces(candidate, cache),
                DDMIN_BUDGET), null);
    }

    /** The run of {@code sc} as an op script: every call the simulation made, up to a broken invariant. */
    public static Script recorded(Scenario sc) {
        Simulation recorded = new Simulation(sc, TraceLog.NONE, true);
        try {
            recorded.run();
        } catch (InvariantViolation e) {
            // The recorded ops up to the broken invariant are the script.
        }
        return recorded.recordedScript();
    }

    private static Scenario withDurationAndClients(Scenario s, long duration, List<Behaviour> clients) {
        // A server event the shorter run no longer reaches is dropped.
        return new Scenario(s.seed(), s.stream(), s.coherent(), s.rate(), s.periodFrames(), s.periods(), duration,
                clients, s.shared(), s.cache(), s.driftPpm(), s.jitterMeanNs(), s.marginFrames(), s.design(),
                s.platform(), s.reconfigureAtNs() < duration ? s.reconfigureAtNs() : -1,
                s.restartAtNs() < duration ? s.restartAtNs() : -1);
    }

    /**
     * Whether a script shows the failure under {@code pcmsim run}: a stale word read by the DMA, a stale or
     * torn frame seen by the CPU, or a broken invariant. A script that does not parse does not reproduce.
     */
    public static boolean reproduces(Script script, Cache.Config cache) {
        Script parsed;
        try {
            parsed = ScriptParser.parse(ScriptWriter.write(script));
        } catch (ScriptException e) {
            return false;
        }
        Cache exact = Cache.exact(cache.lineBytes(), cache.capacityLines());
        try {
            for (ScriptRunner.Step step : ScriptRunner.run(parsed, new ModelTarget(new World(exact)))) {
                var extra = step.outcome().extra();
                if (positive(extra.get("stale")) || positive(extra.get("torn"))) {
                    return true;
                }
            }
        } catch (InvariantViolation e) {
            return true;
        }
        return false;
    }

    private static boolean positive(Object v) {
        return v instanceof Number n && n.longValue() > 0;
    }
}
