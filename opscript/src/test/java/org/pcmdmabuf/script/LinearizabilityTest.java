package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Concurrent groups in op scripts (docs/op-scripts.md) and the answers the model allows them (SCRIPT-CONCURRENT). */
class LinearizabilityTest {
    private static final String SETUP = """
            device pcm0 playback
            proc server
            proc app
            server open pcm0 as p
            server hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            """;
    /** EXPORT racing HW_FREE: EXPORT first succeeds, HW_FREE first leaves EXPORT EBADFD in OPEN. */
    private static final String RACE = SETUP + """
            concurrently
              server dmabuf_export p as d
              server hw_free p
            end
            server exit
            leaks
            """;

    private static Target model() {
        return new ModelTarget();
    }

    private static List<Outcome> answers(Script s) {
        List<Outcome> out = new ArrayList<>();
        ScriptRunner.run(s, model(), step -> out.add(step.outcome()));
        return out;
    }

    @Test
    void everyOrderOfAGroupIsAllowedAndNothingElse() throws ScriptException {
        Script s = ScriptParser.parse(RACE);
        Map<List<Outcome>, List<Linearizability.Order>> allowed = Linearizability.allowed(s, 0, LinearizabilityTest::model);
        assertEquals(2, allowed.size(), allowed::toString);
        List<String> shapes = allowed.keySet().stream()
                .map(a -> a.stream().map(o -> (o.errno() == null ? "ok" : o.errno()) + " " + o.state()).toList()
                        .toString())
                .sorted().toList();
        assertEquals(List.of("[EBADFD OPEN, ok OPEN]", "[ok SETUP, ok OPEN]"), shapes);
        assertEquals(List.of(List.of(Linearizability.Order.of(0, 1)), List.of(Linearizability.Order.of(1, 0))),
                allowed.values().stream().toList());
    }

    /**
     * A checker of one script judges run after run as check() does, and runs the model for a group's orders once:
     * what they give depends on the script alone, not on the answers judged.
     */
    @Test
    void aCheckerJudgesAsCheckAndRunsTheOrdersOnce() throws ScriptException {
        Script s = ScriptParser.parse(RACE);
        int[] models = {0};
        Linearizability.Checker checker = new Linearizability.Checker(s, () -> {
            models[0]++;
            return model();
        });
        List<Outcome> exportFirst = answers(s);
        List<Outcome> wrong = new ArrayList<>(exportFirst);
        int first = s.concurrent().getFirst().first();
        wrong.set(first, Outcome.error("EBUSY", exportFirst.get(first).state()));
        for (List<Outcome> seen : List.of(exportFirst, wrong, exportFirst, wrong)) {
            Linearizability.Verdict once = Linearizability.check(s, seen, LinearizabilityTest::model);
            Linearizability.Verdict kept = checker.check(seen);
            assertEquals(once, kept);
        }
        assertInstanceOf(Linearizability.Linearizable.class, checker.check(exportFirst));
        assertInstanceOf(Linearizability.NotLinearizable.class, checker.check(wrong));
        // both orders of the group, each once: no run of the script's checks ran the model again
        assertEquals(2, models[0]);
        assertThrows(UnsupportedOperationException.class, () -> ((Linearizability.NotLinearizable) checker.check(wrong))
                .allowed().clear());
    }

    /**
     * An ioctl in flight when its card is disconnected answers EBADFD (snd_pcm_common_ioctl() finds the stream
     * DISCONNECTED) where the model, for a call after the disconnect, answers ENODEV; without a disconnect in the
     * group EBADFD stays an answer no order gives.
     */
    @ParameterizedTest
    @CsvSource({"disconnect pcm0, true", "suspend pcm0, false"})
    void anIoctlInFlightAtADisconnectMayAnswerEbadfd(String event, boolean allowed) throws ScriptException {
        Script s = ScriptParser.parse(SETUP + """
                concurrently
                  server dmabuf_export p as d
                  %s
                end
                """.formatted(event));
        List<Outcome> seen = new ArrayList<>(answers(s));
        int first = s.concurrent().getFirst().first();
        seen.set(first, Outcome.error("EBADFD", null));
        Linearizability.Verdict v = Linearizability.check(s, withoutState(seen), () -> stateless(model()));
        assertEquals(allowed, v instanceof Linearizability.Linearizable, v::toString);
    }

    private static List<Outcome> withoutState(List<Outcome> answers) {
        return answers.stream().map(o -> new Outcome(o.ret(), o.errno(), null, o.extra())).toList();
    }

    private static Target stateless(Target t) {
        return new Target() {
            @Override
            public String name() {
                return t.name();
            }

            @Override
            public void declare(Script script) {
                t.declare(script);
            }

            @Override
            public Outcome execute(Op op, Names names) {
                Outcome o = t.execute(op, names);
                return new Outcome(o.ret(), o.errno(), null, o.extra());
            }

            @Override
            public Outcome refuse(Op op, Names names, String errno) {
                Outcome o = t.refuse(op, names, errno);
                return new Outcome(o.ret(), o.errno(), null, o.extra());
            }

            @Override
            public void close() {
                t.close();
            }
        };
    }

    private static final String TRANSFER = """
            device pcm0 playback
            device pcm1 playback
            proc server
            server open pcm0 as p
            server hw_params p access=RW_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            server sw_params p start_threshold=4096
            server open pcm1 as q
            server hw_params q access=RW_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            server link q p
            server prepare p
            """;

    private static final String CAPTURE = """
            device mic capture
            proc server
            server open mic as c
            server hw_params c access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            server prepare c
            """;

    private static List<String> shapes(Map<List<Outcome>, List<Linearizability.Order>> allowed) {
        return allowed.keySet().stream()
                .map(a -> a.stream().map(o -> o.errno() == null ? "ok" : o.errno()).toList().toString())
                .distinct().sorted().toList();
    }

    /**
     * A transfer raises its runtime's buffer accesses while it copies, and HW_FREE blocks them: either may answer
     * EBUSY with no effect, but not both (SCRIPT-CONCURRENT-BUSY).
     */
    @Test
    void aTransferAndABufferOperationOfItsFileMayEachFindTheOtherHoldingTheAccesses() throws ScriptException {
        Script s = ScriptParser.parse(TRANSFER + """
                concurrently
                  server writei p frames=1024
                  server hw_free p
                end
                server writei p frames=1024
                """);
        Map<List<Outcome>, List<Linearizability.Order>> allowed = Linearizability.allowed(s, 0,
                LinearizabilityTest::model);
        assertEquals(List.of("[EBADFD, ok]", "[EBUSY, ok]", "[ok, EBUSY]", "[ok, ok]"), shapes(allowed));
        List<Outcome> seen = new ArrayList<>(answers(s));
        int first = s.concurrent().getFirst().first();
        seen.set(first + 1, Outcome.error("EBUSY", null));
        Linearizability.Linearizable v = assertInstanceOf(Linearizability.Linearizable.class,
                Linearizability.check(s, withoutState(seen), () -> stateless(model())));
        assertEquals(java.util.Set.of(1), v.orders().getFirst().busy());
    }

    /**
     * A linked PREPARE meets the member's copy in the series' hook and may answer EBUSY; a transfer never waits for
     * another file's PREPARE, and ops of other files or without a transfer or PCM mmap are never refused so.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "server writei p frames=1024|server prepare q|[[], [1]]",
        "server writei p frames=1024|server hw_free q|[[]]",
        "server writei p frames=1024|server hwsync p|[[]]",
        "server hw_free p|server dmabuf_export p as d|[[]]",
        "server writei p frames=1024|server dmabuf_detach p|[[], [0], [1]]",
        "server mmap p len=16384 prot=rw as pm|server hw_free p|[[], [0], [1]]",
        "server mmap p len=16384 prot=rw as pm|server prepare q|[[]]",
        "server start p|server dmabuf_export p as d|[[], [0]]",
        "server start q|server hw_free p|[[], [0]]",
        "server start p|server writei p frames=1024|[[]]",
        "server start p|server hwsync p|[[]]",
    })
    void onlyOpsThatMeetACopyOfTheirRuntimeMayBeRefused(String a, String b, String sets) throws ScriptException {
        Script s = ScriptParser.parse(TRANSFER + "concurrently\n" + a + "\n" + b + "\nend\n");
        assertEquals(sets, Linearizability.busySets(s, s.concurrent().getFirst()).stream()
                .map(x -> new java.util.TreeSet<>(x).toString()).toList().toString());
    }

    /**
     * snd_pcm_pre_start() refuses a START with EBADFD while an EXPORT of its file holds the buffer accesses blocked,
     * and the EXPORT goes on; a START the EXPORT did not meet there (a refused argument, before the accesses) is
     * never refused so (SCRIPT-CONCURRENT-BUSY).
     */
    @Test
    void aStartMayFindABufferOperationHoldingTheAccesses() throws ScriptException {
        Script s = ScriptParser.parse(CAPTURE + """
                concurrently
                  server start c
                  server dmabuf_export c as d
                end
                """);
        assertEquals(List.of("[EBADFD, ok]", "[ok, EBADFD]", "[ok, ok]"), shapes(Linearizability.allowed(s, 0,
                LinearizabilityTest::model)));
        Script refused = ScriptParser.parse(CAPTURE + """
                concurrently
                  server start c
                  server dmabuf_export c reserved=1 as d
                end
                """);
        assertEquals(List.of("[ok, EINVAL]"), shapes(Linearizability.allowed(refused, 0,
                LinearizabilityTest::model)));
    }

    @Test
    void theWrittenOrderIsLinearizable() throws ScriptException {
        Script s = ScriptParser.parse(RACE);
        Linearizability.Verdict v = Linearizability.check(s, answers(s), LinearizabilityTest::model);
        assertEquals(new Linearizability.Linearizable(List.of(Linearizability.Order.of(0, 1))), v);
    }

    @Test
    void theOtherOrderIsLinearizableToo() throws ScriptException {
        Script s = ScriptParser.parse(RACE);
        List<Op> swapped = new ArrayList<>(s.ops());
        int first = s.concurrent().getFirst().first();
        swapped.set(first, s.ops().get(first + 1));
        swapped.set(first + 1, s.ops().get(first));
        List<Outcome> ranSwapped = answers(s.reordered(swapped));
        List<Outcome> inWrittenOrder = new ArrayList<>(ranSwapped);
        inWrittenOrder.set(first, ranSwapped.get(first + 1));
        inWrittenOrder.set(first + 1, ranSwapped.get(first));
        assertEquals(new Linearizability.Linearizable(List.of(Linearizability.Order.of(1, 0))),
                Linearizability.check(s, inWrittenOrder, LinearizabilityTest::model));
    }

    @Test
    void answersNoOrderGivesAreReportedWithWhatIsAllowed() throws ScriptException {
        Script s = ScriptParser.parse(RACE);
        List<Outcome> a = new ArrayList<>(answers(s));
        int first = s.concurrent().getFirst().first();
        // EXPORT succeeded, yet HW_FREE left the substream in SETUP: no order does both
        a.set(first + 1, Outcome.ok(0, "SETUP"));
        Linearizability.NotLinearizable n = assertInstanceOf(Linearizability.NotLinearizable.class,
                Linearizability.check(s, a, LinearizabilityTest::model));
        assertEquals(s.concurrent().getFirst(), n.group());
        assertEquals(2, n.allowed().size());
    }

    @Test
    void everyGroupIsJudgedAfterTheOrdersChosenForTheOnesBefore() throws ScriptException {
        String text = SETUP + """
                concurrently
                  server dmabuf_export p as d
                  server hw_free p
                end
                server hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
                concurrently
                  server dmabuf_export p as e
                  app open pcm0 as q
                end
                """;
        Script s = ScriptParser.parse(text);
        List<Outcome> a = new ArrayList<>(answers(s));
        assertInstanceOf(Linearizability.Linearizable.class, Linearizability.check(s, a, LinearizabilityTest::model));
        int first = s.concurrent().getFirst().first();
        a.set(first, Outcome.error("EBADFD", "OPEN"));
        // the first group now says HW_FREE ran first: the second is judged after that order, and still fits
        assertInstanceOf(Linearizability.Linearizable.class, Linearizability.check(s, a, LinearizabilityTest::model));
        a.set(s.concurrent().get(1).first(), Outcome.error("EBUSY", "SETUP"));
        Linearizability.NotLinearizable n = assertInstanceOf(Linearizability.NotLinearizable.class,
                Linearizability.check(s, a, LinearizabilityTest::model));
        assertEquals(s.concurrent().get(1), n.group());
    }

    @Test
    void aGroupRoundTripsThroughTheWriter() throws ScriptException {
        Script s = ScriptParser.parse(RACE);
        Script again = ScriptParser.parse(ScriptWriter.write(s));
        assertEquals(s.concurrent().size(), again.concurrent().size());
        assertEquals(s.concurrent().getFirst().first(), again.concurrent().getFirst().first());
        assertEquals(s.ops().stream().map(ScriptWriter::line).toList(),
                again.ops().stream().map(ScriptWriter::line).toList());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "concurrently\\nserver close p\\nend|line 8: 'end': a concurrent group needs at least two ops, this one has 1",
        "end|line 6: 'end': '" + "end' without 'concurrently'",
        "concurrently\\nserver close p\\nserver hw_free p|line 6: 'concurrently': the concurrent group is not closed with 'end'",
        "concurrently\\nconcurrently|line 7: 'concurrently': concurrent groups do not nest (the open one began at line 6)",
        "concurrently\\nadvance 1ms|line 7: 'advance': 'advance' cannot be in a concurrent group (only ops of processes, suspend and disconnect)",
        "concurrently\\nserver exit|line 7: 'exit': 'exit' cannot be in a concurrent group",
        "concurrently\\nserver dmabuf_export p as d\\nserver close d\\nend|line 8: 'd': is bound by another op of the concurrent group that began at line 6: which runs first is not fixed",
        "concurrently\\nserver close p\\nserver open pcm0 as p\\nend|line 8: 'p': is used or bound by another op of the concurrent group that began at line 6: which runs first is not fixed",
        "concurrently\\nserver prepare p\\nserver start p\\nserver drop p\\nserver hwsync p\\nserver delay p\\nend|line 11: 'delay': ops of one concurrent group: 5, more than the limit of 4",
    })
    void aMalformedGroupIsRefusedNamingTheLine(String body, String message) {
        ScriptException e = assertThrows(ScriptException.class,
                () -> ScriptParser.parse(SETUP + body.replace("\\n", "\n") + "\n"));
        assertEquals(message, e.describe());
    }

    @Test
    void aGroupMayRaceACardEventAndHoldTwoThreadsOfOneProcess() throws ScriptException {
        Script s = ScriptParser.parse(SETUP + "concurrently\nserver prepare p\nserver hwsync p\ndisconnect pcm0\nend\n");
        assertEquals(List.of(new Script.Concurrent(6, 2, 3)), s.concurrent());
    }
}
