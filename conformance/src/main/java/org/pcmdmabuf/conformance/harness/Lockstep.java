package org.pcmdmabuf.conformance.harness;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.model.DmaBuf;
import org.pcmdmabuf.model.SndDmaBuffer;
import org.pcmdmabuf.model.Leaks;
import org.pcmdmabuf.model.Pcm;
import org.pcmdmabuf.model.Substream;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.DeepScript;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Names;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Outcome;
import org.pcmdmabuf.script.RandomScript;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptWriter;
import org.pcmdmabuf.sim.Cache;
import org.pcmdmabuf.sim.SplitMix64;

/**
 * Differential conformance: an op script run on the model and on the patch's C code in lockstep, both behind
 * the same cache. After every op the two must agree on the answer (return value, errno, substream state,
 * check and stale counts, violations), and the C code's own objects on the model's: every dma-buf's file
 * reference count, orphan state and attachment count, the number of live dma-bufs and buffers, what memory
 * holds, and which buffer each runtime's DMA uses. The first disagreement throws an {@link AssertionError}
 * (JUnit's message format, so a property test shrinks on it and prints it as before). The differential
 * property test and its benchmark both run scripts through here.
 */
public final class Lockstep {
    private final Harness harness;
    /** By op name and errno (null for ok): how often. Counted every op, so no string is built then. */
    private final Map<Answer, int[]> answers = new HashMap<>();
    private long opsRun;
    /** By model buffer, of the script running: the memories last found equal to it. */
    private final Map<SndDmaBuffer, Verified> verified = new IdentityHashMap<>();

    public Lockstep(Harness harness) {
        this.harness = harness;
    }

    /** Ops compared so far. */
    public long opsRun() {
        return opsRun;
    }

    /** How often each op ended with each answer ({@code "sync ok"}, {@code "mmap ENODEV"}), over every script. */
    public Map<String, Integer> seen() {
        Map<String, Integer> seen = new TreeMap<>();
        answers.forEach((a, n) -> seen.put(a.op + " " + (a.errno == null ? "ok" : a.errno), n[0]));
        return seen;
    }

    private record Answer(String op, String errno) {
    }

    /** Runs {@code script} on a fresh model and a fresh harness; throws at the first disagreement. */
    public void run(Script script) {
        Session s = start(script);
        for (Op op : script.ops()) {
            s.step(op);
        }
        s.end();
    }

    /** A fresh model and a fresh harness with {@code script}'s devices and processes, no op run yet. */
    public Session start(Script script) {
        verified.clear();
        return new Session(script);
    }

    /**
     * One script on the model and the C code, op by op: {@link #step} runs an op on both and compares, and a
     * caller that runs an op on one side only ({@link FaultSweep}) compares the two with {@link #compare}.
     */
    public final class Session {
        private final ModelTarget model = new ModelTarget(new World(cache()));
        private final HarnessTarget c = new HarnessTarget(harness, Case.LINE_BYTES, Case.CACHE_LINES);
        private final Names modelNames = new Names();
        private final Names harnessNames = new Names();

        private Session(Script script) {
            model.declare(script);
            c.declare(script);
        }

        public HarnessTarget harnessTarget() {
            return c;
        }

        /** {@code op} on both, which must answer alike and agree on the state after. */
        public void step(Op op) {
            opsRun++;
            Outcome m = model.execute(op, modelNames);
            Outcome h = c.execute(op, harnessNames);
            answers.computeIfAbsent(new Answer(op.name(), m.errno()), a -> new int[1])[0]++;
            if (!m.equals(h)) {
                fail(at(op) + "model and patch answer differently", m, h);
            }
            compare(op);
        }

        /** {@code op} on the model alone. */
        public Outcome model(Op op) {
            return model.execute(op, modelNames);
        }

        /** {@code op} on the C code alone. */
        public Outcome harness(Op op) {
            opsRun++;
            return c.execute(op, harnessNames);
        }

        /** The names an op that failed on the C code left, on the model that did not run it. */
        public void unbound(Op op) {
            switch (op) {
                case Op.Open o -> modelNames.bindFd(o.proc(), o.as(), -1);
                case Op.Mmap o -> modelNames.bindMap(o.proc(), o.as(), null);
                case Op.DmabufExport o -> modelNames.bindFd(o.proc(), o.as(), -1);
                case Op.BufferFd o -> modelNames.bindFd(o.proc(), o.as(), -1);
                case Op.Dup o -> modelNames.bindFd(o.proc(), o.as(), -1);
                case Op.Send o -> modelNames.bindFd(o.to(), o.as(), -1);
                default -> {
                }
            }
        }

        /**
         * What an op that failed on the C code with a kernel call's fault did before that call, on the model that
         * did not run it: an ATTACH whose argument was copied and checked has dropped the attachment a revocation
         * left (LIFETIME-REVOKE-DETACH, docs/decisions.md decision 53). The model's ATTACH of an fd no task has
         * open does that drop and then fails (EBADF, or its state's errno), changing nothing else.
         */
        public void failedPastArgument(Op op) {
            if (op instanceof Op.DmabufAttach a) {
                model.execute(new Op.DmabufAttach(a.line(), a.proc(), a.fd(), "", a.arg()), modelNames);
            }
        }

        /** The two agree on the state after {@code op}; throws where they do not. */
        public void compare(Op op) {
            compareState(op, model.world(), c);
        }

        /** The end of the script: what the model freed, the C code freed too. */
        public void end() {
            HarnessDriver d = c.driver();
            if (model.world().leaks().none()) {
                same(0, d.liveDmabufs(), "the C code keeps dma-bufs after the model freed everything");
                same(0, d.liveBuffers(), "the C code keeps buffers after the model freed everything");
                same(0, d.deviceReferences(), "the C code keeps device references");
                d.accountCheck();
                List<String> problems = d.problems();
                if (!problems.isEmpty()) {
                    fail("at the end: the C code went wrong", List.of(), problems);
                }
            }
        }
    }

    private static Cache cache() {
        return Cache.exact(Case.LINE_BYTES, Case.CACHE_LINES);
    }

    /** The prefix of every message about {@code op}; built only when something differs. */
    private static String at(Op op) {
        return "line " + op.line() + " " + ScriptWriter.line(op) + ": ";
    }

    /** A pair of memories found equal, and both memories' versions then. */
    private record Verified(SndDmaBuffer got, long wantVersion, long gotVersion) {
    }

    /**
     * What memory holds, word by word: the syncs the C code does (or skips) show here first, before any DMA
     * reads it. Both worlds stamp the same writes with the same values. A pair found equal whose memories no
     * store has touched since is equal still, so it is not walked again.
     */
    private void sameMemory(Op op, String kind, Object which, SndDmaBuffer want, SndDmaBuffer got) {
        Verified v = verified.get(want);
        if (v != null && v.got == got && v.wantVersion == want.memoryVersion()
                && v.gotVersion == got.memoryVersion()) {
            return;
        }
        int w = want.firstDifference(got);
        if (w >= 0) {
            throw new AssertionError(at(op) + kind + which + " memory: word " + w + " is " + got.word(w)
                    + " with the C code, " + want.word(w) + " in the model (a cache sync differs)");
        }
        verified.put(want, new Verified(got, want.memoryVersion(), got.memoryVersion()));
    }

    private void compareState(Op op, World model, HarnessTarget harness) {
        World host = harness.world();
        HarnessDriver c = harness.driver();
        if (c.problemCount() > 0) {
            fail(at(op) + "the C code went wrong", List.of(), c.problems());
        }
        Leaks modelLeaks = model.leaks();
        Leaks hostLeaks = host.leaks();
        if (!modelLeaks.equals(hostLeaks)) {
            fail(at(op) + "live objects differ", modelLeaks, hostLeaks);
        }
        List<DmaBuf> md = model.dmaBufs();
        List<DmaBuf> hd = host.dmaBufs();
        HarnessDriver.DmaBufs cd = c.dmaBufs(hd);
        if (md.size() != cd.live()) {
            fail(at(op) + "live dma-bufs: model vs C", md.size(), cd.live());
        }
        for (int i = 0; i < md.size(); i++) {
            DmaBuf want = md.get(i);
            DmaBuf got = hd.get(i);
            long count = cd.fileCount(i);
            if (want.file().count() != count) {
                fail(at(op) + "dma-buf #" + i + " file reference count: model vs C", want.file().count(), count);
            }
            int orphaned = cd.orphaned(i);
            if ((want.live() ? 0 : 1) != orphaned) {
                fail(at(op) + "dma-buf #" + i + " orphaned: model vs C", want.live() ? 0 : 1, orphaned);
            }
            int attachments = cd.attachments(i);
            if (want.attachments().size() != attachments) {
                fail(at(op) + "dma-buf #" + i + " attachments: model vs C", want.attachments().size(), attachments);
            }
            sameMemory(op, "dma-buf #", i, want.buffer, got.buffer);
        }
        HarnessDriver.Runtimes runtimes = c.runtimes();
        // both worlds declared the script's devices in its order
        List<Pcm> hostPcms = host.pcms();
        List<Pcm> modelPcms = model.pcms();
        for (int p = 0; p < hostPcms.size(); p++) {
            List<Substream> modelSubstreams = modelPcms.get(p).substreams();
            for (Substream s : hostPcms.get(p).substreams()) {
                if (s.runtime() == null) {
                    continue;
                }
                Substream ms = modelSubstreams.get(s.number);
                if (ms.runtime() != null && ms.runtime().dmaBuffer() != null && s.runtime().dmaBuffer() != null) {
                    sameMemory(op, "", s, ms.runtime().dmaBuffer(), s.runtime().dmaBuffer());
                }
                var b = s.runtime().activeBuffer();
                int buffer = runtimes.buffer(s);
                // A revoked importer of a preallocated buffer points at it until its next buffer operation; the
                // simulator and the harness free that memory with the exporter's runtime (docs/decisions.md 3e),
                // and the C then points at no live buffer (-1)
                boolean bothFreed = b != null && b.freed() && buffer == -1;
                if ((b == null ? 0 : b.id) != buffer && !bothFreed) {
                    fail(at(op) + s + ": buffer the DMA uses: host vs C", b == null ? 0 : b.id, buffer);
                }
                boolean attached = runtimes.attached(s);
                if ((s.runtime().attachment() != null) != attached) {
                    fail(at(op) + s + ": attached: host vs C", s.runtime().attachment() != null, attached);
                }
            }
        }
    }

    private static void same(long want, long got, String message) {
        if (want != got) {
            fail(message, want, got);
        }
    }

    /** JUnit's assertEquals message, which the property test's reports have always shown. */
    private static void fail(String message, Object want, Object got) {
        throw new AssertionError(message + " ==> expected: <" + want + "> but was: <" + got + ">");
    }

    /** Op-script text of a sync-protocol sequence: the RFC flow set up, then the given ops, then exits. */
    public static final String PROTOCOL_SETUP = """
            device pcm0 playback coherent=false
            device cap0 capture coherent=false
            device pcm1 playback coherent=false
            proc server
            proc app
            server open pcm0 as p
            server hw_params p access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            server dmabuf_export p as d
            server dmabuf_attach p d
            server send d app as d
            app mmap d len=16384 prot=rw as m
            server open cap0 as c
            server hw_params c access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            server dmabuf_export c as cd
            server dmabuf_attach c cd
            server send cd app as cd
            app mmap cd len=16384 prot=r as cm
            server open pcm1 as q
            server hw_params q access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=1024 periods=4
            """;

    /** One sync-protocol op from three random numbers: syncs, CPU accesses and DMA on the set-up streams. */
    public static String protocolOp(int kind, int a, int b) {
        String fd = List.of("p", "c", "q").get(a % 3);
        long off = 4L * (a % 4096);
        long len = 4L * (1 + b % Math.max(1, 4096 - a % 4096));
        return switch (kind % 16) {
            case 0, 1 -> "app sync d " + List.of("start,write", "end,write", "start,read", "end,read", "start,read,write",
                    "end,read,write").get(b % 6);
            case 2 -> "app sync cd " + List.of("start,read", "end,read").get(b % 2);
            case 3, 4 -> "app fill m off=" + off + " len=" + len + " stamp";
            case 5 -> "app check " + (b % 2 == 0 ? "cm" : "m") + " off=" + off + " len=" + len;
            case 6 -> "server " + List.of("prepare", "start", "drop", "hwsync").get(b % 4) + " " + fd;
            case 7 -> "server sync_ptr " + fd + " appl_ptr=" + (b % 9000);
            case 8, 9 -> "advance frames=" + (1 + b % 2048);
            case 10 -> "server hw_free " + fd;
            case 11 -> "server hw_params " + fd + " access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 "
                    + "period_frames=1024 periods=4";
            case 12 -> "server dmabuf_detach " + fd;
            case 13 -> "server dmabuf_attach " + fd + " " + List.of("d", "cd").get(b % 2);
            // Only pcm1 is disconnected, and it never exports: revision 2 revokes a disconnected card's exports
            // (LIFETIME-DISCONNECT) where revision 1 orphans them, and this holds the model to revision 1.
            case 14 -> "server dmabuf_export " + List.of("p", "c").get(a % 2) + " as " + List.of("d", "cd").get(b % 2);
            default -> b % 8 == 0 ? "disconnect pcm1"
                    : "app munmap " + (b % 2 == 0 ? "m" : "cm");
        };
    }

    /** A whole sync-protocol script: {@link #PROTOCOL_SETUP}, one op per {kind, a, b}, both exits, leaks. */
    public static String protocolScript(List<int[]> ops) {
        StringBuilder sb = new StringBuilder(PROTOCOL_SETUP);
        for (int[] o : ops) {
            sb.append(protocolOp(o[0], o[1], o[2])).append('\n');
        }
        return sb.append("app exit\nserver exit\nleaks\n").toString();
    }

    /**
     * Sequence {@code i} of a differential run: every fifth a sync-protocol script, every fifth a stateful one, the
     * rest random choices, drawn in order from one generator ({@code pcmsim validate}'s differential and the
     * device's random sequences draw the same scripts from the same seed).
     */
    public static Script draw(int i, SplitMix64 r) {
        return i % 5 == 4 ? drawProtocol(r) : i % 5 == 2 ? drawDeep(r) : drawRandom(r);
    }

    /**
     * A random op script of 1-80 ops over three processes and three devices, drawn as DifferentialTest's
     * first property draws its choices: half the free parameters below 1024, so that CPU writes, syncs and
     * DMA meet in the cache.
     */
    public static Script drawRandom(SplitMix64 r) {
        List<RandomScript.Choice> cs = new ArrayList<>();
        int n = 1 + r.nextInt(80);
        for (int k = 0; k < n; k++) {
            cs.add(new RandomScript.Choice(r.nextInt(RandomScript.KINDS), r.nextInt(3), parameter(r), parameter(r),
                    parameter(r)));
        }
        return RandomScript.of(cs);
    }

    private static int parameter(SplitMix64 r) {
        return r.nextInt(2) == 0 ? r.nextInt((1 << 20) + 1) : r.nextInt(1024);
    }

    /**
     * A stateful script ({@link DeepScript}) of 1-120 drawn ops: valid ones most of the time, so that sequences reach
     * exported, attached, mapped, synced, filled, running, then reconfigured or revoked states.
     */
    public static Script drawDeep(SplitMix64 r) {
        return DeepScript.draw(r::nextInt);
    }

    /** A sync-protocol script ({@link #protocolScript}) of 1-60 random ops, as DifferentialTest's second property. */
    public static Script drawProtocol(SplitMix64 r) {
        List<int[]> ops = new ArrayList<>();
        int n = 1 + r.nextInt(60);
        for (int k = 0; k < n; k++) {
            ops.add(new int[] {r.nextInt(16), r.nextInt((1 << 16) + 1), r.nextInt((1 << 16) + 1)});
        }
        try {
            return ScriptParser.parse(protocolScript(ops));
        } catch (ScriptException e) {
            throw new IllegalStateException("the protocol generator wrote an invalid script: " + e.describe(), e);
        }
    }
}
