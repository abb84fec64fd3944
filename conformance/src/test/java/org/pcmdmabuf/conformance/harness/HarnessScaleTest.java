package org.pcmdmabuf.conformance.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.Case;
import org.pcmdmabuf.model.World;
import org.pcmdmabuf.script.Limits;
import org.pcmdmabuf.script.ModelTarget;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptException;
import org.pcmdmabuf.script.ScriptParser;
import org.pcmdmabuf.script.ScriptRunner;
import org.pcmdmabuf.sim.Cache;

/**
 * The harness holds as many devices and substreams as a script may declare (docs/op-scripts.md, Limits): its
 * tables grow with the ids the driver names, so a script at the limits runs on the patch's C code as on the
 * model. With fixed tables, substream 8 of a device was substream 0 of the next, and the 17th device had no
 * slot at all (a WARN_ON, or EXPORT's EINVAL where the model gave a dma-buf).
 */
class HarnessScaleTest {
    private final Harness harness = Harness.fromProperty();

    /** One device and one substream more than the old tables held: op by op and object by object. */
    @Test
    void oneMoreThanTheOldTablesAgreesInLockstep() throws ScriptException {
        new Lockstep(harness).run(ScriptParser.parse(script(17, 9)));
    }

    /**
     * At the limits, every answer is the model's and the C code reports nothing wrong (a WARN_ON, an unknown
     * substream); at the end it holds nothing. (Lockstep's walk of every runtime after every op would make
     * this minutes.)
     */
    @Test
    void theLimitsAgreeOpByOp() throws ScriptException {
        Script script = ScriptParser.parse(script(Limits.DEFAULT.devices(), Limits.DEFAULT.substreams()));
        List<ScriptRunner.Step> model = ScriptRunner.run(script, new ModelTarget(new World(
                Cache.exact(Case.LINE_BYTES, Case.CACHE_LINES))));
        HarnessTarget c = new HarnessTarget(harness, Case.LINE_BYTES, Case.CACHE_LINES);
        List<ScriptRunner.Step> patch = ScriptRunner.run(script, c);
        assertEquals(model.size(), patch.size());
        for (int i = 0; i < model.size(); i++) {
            assertEquals(model.get(i).json(), patch.get(i).json());
        }
        assertEquals("{\"line\":" + script.ops().getLast().line() + ",\"proc\":null,\"op\":\"leaks\",\"ret\":0,"
                + "\"errno\":null,\"state\":null,\"files\":0,\"dmabufs\":0,\"attachments\":0,\"mappings\":0,"
                + "\"buffers\":0,\"charged\":0,\"paths\":0}", patch.getLast().json());
        assertEquals(List.of(), c.driver().problems());
        assertEquals(0, c.driver().liveDmabufs());
        assertEquals(0, c.driver().liveBuffers());
        assertEquals(0, c.driver().deviceReferences());
    }

    /**
     * Every substream opened and configured, the last of each device exported to an app that maps and syncs it
     * and fills (playback) or checks (capture) it, the first of each device attached to another device's export and streaming, then torn down.
     */
    static String script(int devices, int substreams) {
        List<String> l = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            l.add("device pcm" + d + " " + (d % 2 == 0 ? "playback" : "capture") + " substreams=" + substreams
                    + " contiguous=" + (d % 3 != 0) + " coherent=" + (d % 5 == 0));
        }
        l.add("proc server");
        l.add("proc app");
        for (int d = 0; d < devices; d++) {
            for (int k = 0; k < substreams; k++) {
                l.add("server open pcm" + d + " as p" + d + "_" + k);
                l.add("server hw_params p" + d + "_" + k
                        + " access=MMAP_INTERLEAVED format=S16_LE channels=2 rate=48000 period_frames=16 periods=4");
            }
        }
        int last = substreams - 1;
        for (int d = 0; d < devices; d++) {
            l.add("server dmabuf_export p" + d + "_" + last + " as e" + d);
            l.add("server send e" + d + " app as a" + d);
            l.add("app mmap a" + d + " len=4096 prot=rw as m" + d);
            String access = d % 2 == 0 ? "write" : "read";
            l.add("app sync a" + d + " start," + access);
            l.add("app " + (d % 2 == 0 ? "fill" : "check") + " m" + d + " off=0 len=256");
            l.add("app sync a" + d + " end," + access);
        }
        for (int d = 0; d < devices; d++) {
            // The export of the next device of the same direction.
            l.add("server dmabuf_attach p" + d + "_0 e" + (d + 2) % devices);
            l.add("server sw_params p" + d + "_0 stop_threshold=boundary");
            l.add("server prepare p" + d + "_0");
            l.add("server start p" + d + "_0");
        }
        l.add("advance 5ms");
        for (int d = 0; d < devices; d++) {
            l.add("server delay p" + d + "_0");
            l.add("app check m" + d + " off=0 len=256");
        }
        for (int d = 0; d < devices; d++) {
            l.add("server drop p" + d + "_0");
            l.add("server dmabuf_detach p" + d + "_0");
            l.add("server hw_free p" + d + "_" + last);
        }
        l.add("app exit");
        l.add("server exit");
        l.add("leaks");
        return String.join("\n", l) + "\n";
    }
}
