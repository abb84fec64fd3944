package org.pcmdmabuf.conformance.mutate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.pcmdmabuf.conformance.validate.BadSeries;
import org.pcmdmabuf.conformance.validate.Check;
import org.pcmdmabuf.conformance.validate.FileTrees;
import org.pcmdmabuf.conformance.validate.Children;
import org.pcmdmabuf.conformance.validate.Check.Kind;
import org.pcmdmabuf.conformance.validate.Check.Status;
import org.pcmdmabuf.conformance.validate.HarnessBuilds;
import org.pcmdmabuf.conformance.validate.ProcessRunner;
import org.pcmdmabuf.conformance.validate.Sandbox;
import org.pcmdmabuf.conformance.validate.Series;
import org.pcmdmabuf.conformance.validate.Validation;

/**
 * Mutation testing of a revision: each mutant is a copy of the series with sound/core/pcm_dmabuf.c changed once,
 * judged by {@link Validation} as {@code pcmsim validate --no-kernel-checks --fail-fast} would, a bounded number
 * at a time. Every mutant has its own folder, harness library and child processes (Validation starts them), so a
 * mutant that crashes or hangs harms no other.
 */
public final class MutationRun {
    /** How long an interrupted run waits for its validations to stop their children and remove their files. */
    private static final long CLEANUP_SECONDS = 10;

    /**
     * @param jobs mutants judged at once
     * @param timeout the longest one mutant's validation may take, and each of its cases: past it, it timed out
     */
    /** @param builds where harness builds are reused from and kept ({@link HarnessBuilds}); null: none */
    public record Settings(Path kernelPatch, Sandbox sandbox, ProcessRunner processes, int jobs,
            Validation.Differential differential, Duration timeout, HarnessBuilds builds) {
    }

    private final Series series;
    private final CoreSource source;
    private final Settings settings;

    public MutationRun(Series series, CoreSource source, Settings settings) {
        this.series = series;
        this.source = source;
        this.settings = settings;
    }

    /**
     * The revision itself, judged as its mutants will be: a mutant only says something about the checks if the
     * revision passes them. Returns its first failed check, or null.
     */
    public Check baseline() throws BadSeries, IOException, InterruptedException {
        return validation(series).run().stream().filter(c -> c.status() == Status.FAIL).findFirst().orElse(null);
    }

    /**
     * Judges every mutant, {@code progress} told of each as it ends (from the pool's threads, one at a time);
     * returns the results in the order of {@code mutants}. An interrupt stops every validation, which stops its
     * children and removes its files, then throws {@link InterruptedException}.
     */
    public List<MutantResult> run(List<Mutant> mutants, Consumer<MutantResult> progress)
            throws InterruptedException, IOException {
        MutantResult[] results = new MutantResult[mutants.size()];
        ExecutorService pool = Executors.newFixedThreadPool(settings.jobs(),
                Thread.ofPlatform().name("pcmsim-mutate-", 1).factory());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("pcmsim-mutate-timer").daemon().factory());
        ExecutorCompletionService<Integer> done = new ExecutorCompletionService<>(pool);
        try {
            for (int i = 0; i < mutants.size(); i++) {
                int index = i;
                done.submit(() -> {
                    results[index] = judge(mutants.get(index), timer);
                    synchronized (progress) {
                        progress.accept(results[index]);
                    }
                    return index;
                });
            }
            for (int i = 0; i < mutants.size(); i++) {
                Children.result(done.take());
            }
        } finally {
            pool.shutdownNow();
            timer.shutdownNow();
            pool.awaitTermination(CLEANUP_SECONDS, TimeUnit.SECONDS);
        }
        return List.of(results);
    }

    /** One mutant in a folder of its own, its validation interrupted when it runs past the time limit. */
    private MutantResult judge(Mutant mutant, ScheduledExecutorService timer) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Path dir = Files.createTempDirectory("pcmsim-mutant-");
        Thread self = Thread.currentThread();
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> alarm = null;
        Outcome outcome;
        try {
            source.write(series, mutant, dir);
            alarm = timer.schedule(() -> {
                late.set(true);
                self.interrupt();
            }, settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
            outcome = classify(validation(Series.open(dir)).run());
        } catch (BadSeries e) {
            outcome = new Outcome.Stillborn(List.of("the mutated series does not apply: " + e.getMessage()));
        } catch (InterruptedException e) {
            if (!late.get()) {
                throw e;
            }
            outcome = new Outcome.TimedOut("the whole validation", List.of("did not finish within "
                    + settings.timeout().toSeconds() + " s: every child process was stopped"));
        } finally {
            if (alarm != null) {
                alarm.cancel(false);
            }
            if (late.get()) {
                Thread.interrupted(); // the alarm rang as the validation ended: its result stands
            }
            FileTrees.delete(dir);
        }
        return new MutantResult(mutant, outcome, (System.nanoTime() - t0) / 1e9);
    }

    private Validation validation(Series s) {
        return new Validation(s, settings.kernelPatch(), 1, false, true, settings.differential(),
                Validation.Depth.FULL, new Validation.Limits(settings.timeout(), settings.timeout()), settings.processes(),
                settings.sandbox(), c -> {
                }).reuseBuilds(settings.builds());
    }

    /**
     * The first failed check decides: the harness build is stillborn, a check stopped at its time limit timed
     * out, any other failure (a case, the random sequences, a crash, a declared finding that changed) killed it.
     */
    static Outcome classify(List<Check> checks) {
        for (Check c : checks) {
            if (c.status() != Status.FAIL) {
                continue;
            }
            if (Validation.timedOut(c)) {
                return new Outcome.TimedOut(c.kind() + " " + c.name(), c.details());
            }
            if (c.kind() == Kind.harness) {
                return new Outcome.Stillborn(c.details());
            }
            return new Outcome.Killed(c.kind() + " " + c.name(), c.rule(), c.details());
        }
        return new Outcome.Survived();
    }

}
