package org.pcmdmabuf.conformance.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.sim.Cache;

/**
 * The random sequences' loop on the host: the real cards' bindings assumed, the device a double (the model
 * itself, or the model with one answer changed), so that what is counted, compared, shrunk and printed is
 * checked without /dev/snd.
 */
class DeviceRandomTest {
    private static final Map<String, Integer> CARD_OF = Map.of("dummy", 0, "aloop", 1, "pcmtest", 2, "hda", 3);
    private static final Cards CARDS = new Cards(CARD_OF, true);

    private static List<ScriptRunner.Step> model(Script s) {
        return ScriptRunner.run(s, new ModelTarget(new World(Cache.exact(Case.LINE_BYTES, Case.CACHE_LINES))));
    }

    private static DeviceRandom.Options options(int sequences) {
        return new DeviceRandom.Options(CARD_OF, sequences, 1, 0, 1, true, Uapi.Revision.V2, 200);
    }

    private static String run(DeviceRandom.Options o, Function<Script, List<ScriptRunner.Step>> device, int[] rc) {
        StringWriter w = new StringWriter();
        rc[0] = DeviceRandom.run(o, CARDS, device, new PrintWriter(w));
        return w.toString();
    }

    @Test
    void aDeviceThatAnswersAsTheModelAgreesOnEveryOpAndTheFiguresAddUp() {
        int[] rc = {-1};
        String out = run(options(60), DeviceRandomTest::model, rc);
        assertEquals(0, rc[0], out);
        Matcher m = Pattern.compile("random: (\\d+) sequences run \\((\\d+) drawn\\), (\\d+) ops compared, 0 cut short"
                + " by a late wake-up, 0 disagreements").matcher(out);
        assertTrue(m.find(), out);
        assertEquals(60, Integer.parseInt(m.group(1)));
        assertTrue(Integer.parseInt(m.group(3)) > 60 * 5, out);
    }

    @Test
    void aDisagreementIsShrunkToAScriptThatStillDisagreesAndParses() throws ScriptException {
        // the "device" refuses every dmabuf_attach the model accepts
        Function<Script, List<ScriptRunner.Step>> device = s -> {
            List<ScriptRunner.Step> steps = new ArrayList<>();
            for (ScriptRunner.Step st : model(s)) {
                boolean attach = st.op() instanceof Op.DmabufAttach && st.outcome().errno() == null;
                steps.add(attach ? new ScriptRunner.Step(st.op(), Outcome.error("EINVAL", st.outcome().state())) : st);
            }
            return steps;
        };
        int[] rc = {-1};
        String out = run(options(40), device, rc);
        assertEquals(1, rc[0], out);
        Matcher m = Pattern.compile("(?s)@@OPS-BEGIN sequence (\\d+)\n(.*?)@@OPS-END").matcher(out);
        assertTrue(m.find(), out);
        Script least = ScriptParser.parse(m.group(2));
        assertInstanceOf(DeviceRandom.Verdict.Disagree.class, DeviceRandom.compare(least, device), out);
        assertTrue(least.ops().stream().anyMatch(o -> o instanceof Op.DmabufAttach), m.group(2));
        assertTrue(least.ops().size() <= 8, "ddmin left " + least.ops().size() + " ops:\n" + m.group(2));
        assertTrue(out.contains("DISAGREE sequence " + m.group(1) + ": line "), out);
    }

    @Test
    void aLateAnswerAfterAStreamRanEndsTheComparisonAndAnEarlyOneDisagrees() throws ScriptException {
        Script s = ScriptParser.parse("""
                device pcm0 playback
                proc server
                server open pcm0 as p
                server hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
                server prepare p
                server sync_ptr p appl_ptr=4096
                server start p
                server hwsync p
                server hwsync p
                """);
        List<ScriptRunner.Step> want = model(s);
        assertEquals("RUNNING", want.get(4).outcome().state());
        List<ScriptRunner.Step> late = new ArrayList<>(want);
        late.set(5, new ScriptRunner.Step(want.get(5).op(), Outcome.error("EPIPE", "XRUN")));
        assertEquals(new DeviceRandom.Verdict.Agree(5, true), DeviceRandom.compare(want, late, want.size()));
        List<ScriptRunner.Step> stopped = new ArrayList<>(want);
        stopped.set(5, new ScriptRunner.Step(want.get(5).op(), Outcome.ok(0, "PREPARED")));
        assertEquals(new DeviceRandom.Verdict.Agree(5, true), DeviceRandom.compare(want, stopped, want.size()));
        List<ScriptRunner.Step> early = new ArrayList<>(want);
        early.set(2, new ScriptRunner.Step(want.get(2).op(), Outcome.error("EPIPE", "XRUN")));
        assertInstanceOf(DeviceRandom.Verdict.Disagree.class, DeviceRandom.compare(want, early, want.size()));
        assertInstanceOf(DeviceRandom.Verdict.Disagree.class,
                DeviceRandom.compare(want, want.subList(0, 3), want.size()));
        assertEquals(new DeviceRandom.Verdict.Agree(7, false), DeviceRandom.compare(want, want, want.size()));
    }

    @Test
    void skipReasonsAddUpWithoutLineNumbers() {
        assertEquals("suspend", DeviceRandom.reason("line 12: suspend (no per-card suspend from user space)"));
    }
}
