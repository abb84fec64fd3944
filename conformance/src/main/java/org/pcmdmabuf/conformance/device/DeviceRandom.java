package org.pcmdmabuf.conformance.device;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.conformance.harness.Lockstep;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.Ddmin;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.sim.Cache;
import org.pcmdmabuf.sim.SplitMix64;

/**
 * Random sequences on the device: the scripts the differential model-vs-harness check draws
 * ({@link Lockstep#draw}, the same seed gives the same scripts) run on this machine's /dev/snd and on the model,
 * op by op, each answer compared (errno and state, as {@link DeviceConformance}'s {@code DIFF} lines compare
 * them). A script no real PCM can bind is drawn and skipped, so that sequence {@code i} is the same script
 * here and in {@code pcmsim validate}. The first disagreement of a script is shrunk with ddmin, the device
 * running every candidate, into an op script that {@code pcmsim run FILE --target device} replays.
 *
 * <p>The device runs on the wall clock and the model in virtual time: after a stream ran (or an {@code advance}
 * slept), a device answer of {@code EPIPE}, {@code EIO} or state {@code XRUN} the model does not give, or a stream
 * the model still runs found in another state, is a late wake-up under TCG (the real DMA overtook the script),
 * not a disagreement; the rest of that script is not
 * compared, since the device's stream then stands somewhere the model's cannot.
 */
public final class DeviceRandom {
    /**
     * What to run: {@code sequences} scripts the cards can bind, drawn from {@code seed}; this shard's of
     * {@code shards}; {@code ddminBudget}: device runs to shrink a disagreement.
     */
    public record Options(Map<String, Integer> cards, int sequences, long seed, int shard, int shards,
                          boolean disconnectByUnbind, Uapi.Revision uapi, int ddminBudget) {
        public Options {
            Objects.requireNonNull(uapi, "uapi");
            if (sequences < 0 || shards < 1 || shard < 0 || shard >= shards || ddminBudget < 0) {
                throw new IllegalArgumentException("sequences " + sequences + ", shard " + shard + "/" + shards
                        + ", ddmin budget " + ddminBudget);
            }
        }
    }

    /** How one script compared. */
    public sealed interface Verdict {
        /** Ops compared before the end or the first late answer. */
        int compared();

        /** Every compared op agreed. */
        record Agree(int compared, boolean late) implements Verdict {
        }

        /** Op {@code index} (of the script's ops), an {@code op}, answered differently. */
        record Disagree(int compared, int index, String op, String what) implements Verdict {
        }
    }

    private DeviceRandom() {
    }

    /** Runs the sequences; returns 0 when none disagreed, else 1. */
    public static int run(Options o, PrintWriter out) {
        DeviceTarget.disconnectByUnbind = o.disconnectByUnbind();
        Cards cards = new Cards(o.cards(), false);
        new Native().warmUp();
        return run(o, cards, s -> onDevice(s, cards, o.uapi()), out);
    }

    /**
     * The loop, with {@code device} running a script on the cards (a double in tests): sequence {@code i} is
     * the {@code i}th draw; this shard runs those with {@code i % shards == shard}.
     */
    static int run(Options o, Cards cards, Function<Script, List<ScriptRunner.Step>> device, PrintWriter out) {
        out.println("random: target device, cards " + cards.cards() + "; " + o.uapi().describe());
        out.println("random: seed " + o.seed() + ", " + o.sequences() + " sequences, shard " + o.shard() + "/"
                + o.shards() + " (pcmsim validate's differential draws the same scripts from the same seed)");
        out.flush();
        SplitMix64 r = new SplitMix64(o.seed());
        Map<String, Integer> skipped = new TreeMap<>();
        Set<String> shrunk = new HashSet<>();
        int run = 0, late = 0, disagreements = 0;
        long ops = 0, drawn = 0;
        long t0 = System.nanoTime();
        // a bound on draws, so that cards that bind almost nothing end the run
        for (int i = 0; run < o.sequences() && drawn < 50L * Math.max(1, o.sequences()); i++) {
            Script script = Lockstep.draw(i, r);
            drawn++;
            if (i % o.shards() != o.shard()) {
                continue;
            }
            String why = DeviceTarget.notApplicable(script, cards, o.uapi());
            if (why != null) {
                skipped.merge(reason(why), 1, Integer::sum);
                continue;
            }
            run++;
            Verdict v = compare(script, device);
            ops += v.compared();
            switch (v) {
                case Verdict.Agree a -> late += a.late() ? 1 : 0;
                case Verdict.Disagree d -> {
                    disagreements++;
                    // one shrunk script per op that disagrees: a kernel that disagrees everywhere (a known-bad
                    // revision) would otherwise spend the run shrinking
                    report(i, script, d, device, shrunk.add(d.op()) ? o.ddminBudget() : 0, out);
                }
            }
            if (run % 100 == 0) {
                out.printf("random: %d sequences, %d ops compared, %d disagree (%.0f s)%n", run, ops,
                        disagreements, (System.nanoTime() - t0) / 1e9);
                out.flush();
            }
        }
        out.println("random: skipped (no real PCM binds them), by reason: " + skipped);
        out.printf("random: %d sequences run (%d drawn), %d ops compared, %d cut short by a late wake-up, "
                        + "%d disagreements; %.1f s%n", run, drawn, ops, late, disagreements,
                (System.nanoTime() - t0) / 1e9);
        out.flush();
        return disagreements == 0 && run >= o.sequences() ? 0 : 1;
    }

    /** The script run on the device and on the model, compared. */
    static Verdict compare(Script script, Function<Script, List<ScriptRunner.Step>> device) {
        List<ScriptRunner.Step> model = ScriptRunner.run(script, new ModelTarget(new World(
                Cache.exact(Case.LINE_BYTES, Case.CACHE_LINES))));
        return compare(model, device.apply(script), script.ops().size());
    }

    /**
     * Op by op, errno and state; {@code total}: the script's ops, of which the device ran {@code dev.size()}
     * (fewer: it stopped with an error, itself a disagreement).
     */
    static Verdict compare(List<ScriptRunner.Step> model, List<ScriptRunner.Step> dev, int total) {
        int compared = 0;
        boolean timed = false;
        for (int i = 0; i < dev.size(); i++) {
            Op op = dev.get(i).op();
            Outcome d = dev.get(i).outcome();
            Outcome m = model.get(i).outcome();
            if (!d.extra().containsKey("skipped")) {
                boolean differs = !Objects.equals(m.errno(), d.errno()) || !Objects.equals(m.state(), d.state());
                // late: the device's wall clock ran the ring out (EPIPE, EIO, XRUN), or stopped a stream the
                // model's virtual time still runs, which the device may have found stopped and prepared again
                // (random sequence 876 on v3: a 16 ms capture ring, prepare answered in PREPARED, the model EBUSY)
                boolean stopped = m.state() != null && m.state().matches("RUNNING|DRAINING")
                        && !m.state().equals(d.state());
                if (differs && timed && ((late(d.errno()) || "XRUN".equals(d.state()))
                        && !late(m.errno()) && !"XRUN".equals(m.state()) || stopped)) {
                    return new Verdict.Agree(compared, true);
                }
                compared++;
                if (differs) {
                    return new Verdict.Disagree(compared, i, op.name(), "line " + op.line() + " " + ScriptWriter.line(op)
                            + ": model " + show(m) + ", device " + show(d));
                }
            }
            // a stream that started runs on the wall clock from here on; advance is wall-clock time
            timed |= op instanceof Op.Advance || (d.state() != null && d.state().matches("RUNNING|DRAINING|PAUSED"));
        }
        if (dev.size() < total) {
            Op op = model.get(dev.size()).op();
            return new Verdict.Disagree(compared, dev.size(), op.name(), "line " + op.line() + " " + ScriptWriter.line(op)
                    + ": the device target stopped here");
        }
        return new Verdict.Agree(compared, false);
    }

    private static boolean late(String errno) {
        return "EPIPE".equals(errno) || "EIO".equals(errno);
    }

    /** The steps of {@code script} on the real cards; a target error ends them early. */
    private static List<ScriptRunner.Step> onDevice(Script script, Cards cards, Uapi.Revision uapi) {
        List<ScriptRunner.Step> steps = new ArrayList<>();
        try (DeviceTarget t = new DeviceTarget(cards, uapi)) {
            ScriptRunner.run(script, t, steps::add);
        } catch (RuntimeException e) {
            System.out.println("random: target error after " + steps.size() + " ops: " + e);
        }
        return steps;
    }

    /** A disagreement, its script shrunk on the device, printed to be saved as FILE.ops and replayed. */
    private static void report(int i, Script script, Verdict.Disagree d,
                               Function<Script, List<ScriptRunner.Step>> device, int budget, PrintWriter out) {
        out.println("DISAGREE sequence " + i + ": " + d.what());
        out.flush();
        if (budget == 0) {
            return;
        }
        // shrunk toward a disagreement on the same op, so that ddmin does not wander off to another one
        Script least = Ddmin.minimize(script, s -> disagrees(s, device, d.op()), budget);
        // the device runs on the wall clock: the shrunk script may not disagree again
        String why = compare(least, device) instanceof Verdict.Disagree again ? again.what()
                : d.what() + " (the shrunk script agreed when run again: intermittent)";
        out.println("    shrunk to " + least.ops().size() + " of " + script.ops().size() + " ops: " + why);
        out.println("    replay: pcmsim run FILE.ops --target device (the lines between the markers)");
        out.println("@@OPS-BEGIN sequence " + i);
        ScriptWriter.write(least).lines().forEach(out::println);
        out.println("@@OPS-END sequence " + i);
        out.flush();
    }

    /**
     * Whether {@code script}, written out and parsed back as a replayed file would be, still disagrees first on
     * an {@code op}.
     */
    private static boolean disagrees(Script script, Function<Script, List<ScriptRunner.Step>> device, String op) {
        Script parsed;
        try {
            parsed = ScriptParser.parse(ScriptWriter.write(script));
        } catch (ScriptException e) {
            return false;
        }
        return compare(parsed, device) instanceof Verdict.Disagree d && d.op().equals(op);
    }

    /** A skip reason without its line number and names, so that reasons add up. */
    static String reason(String why) {
        return why.replaceFirst("^line \\d+: ", "").replaceAll("'[^']*'", "'…'").replaceAll("\\s+\\(.*", "");
    }

    private static String show(Outcome o) {
        return (o.errno() != null ? o.errno() : "ok") + " [" + (o.state() == null ? "-" : o.state()) + "]";
    }
}
