package org.pcmdmabuf.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.model.PcmStream;

/** The three designs of docs/designs.md in the simulator: what each must show, and the default left as it was. */
class DesignSimulationTest {
    static final long SECOND = 1_000_000_000L;

    static Scenario scenario(Design d, boolean coherent, boolean shared, Behaviour... clients) {
        return new Scenario(1, PcmStream.PLAYBACK, coherent, 48000, 1024, 4, 2 * SECOND, List.of(clients), shared,
                Cache.Config.defaults(), 0, 2_000_000, 2048, d);
    }

    @Test
    void theDmabufDesignIsTheDefaultAndItsReportHasNoDesignField() {
        Scenario explicit = scenario(Design.DMABUF, false, false, Behaviour.CORRECT);
        Scenario old = new Scenario(1, PcmStream.PLAYBACK, false, 48000, 1024, 4, 2 * SECOND,
                List.of(Behaviour.CORRECT), false, Cache.Config.defaults(), 0, 2_000_000, 2048);
        assertEquals(old, explicit);
        String json = new Simulation(old).run().json();
        assertFalse(json.contains("design"), json);
        assertFalse(old.toCliArgs().contains("--design"), old.toCliArgs());
    }

    @Test
    void aRestrictedClientKeepsItsAudioThroughTheCoresSyncsAndBlocksTheServersHwFree() {
        Report r = new Simulation(scenario(Design.RESTRICTED, false, false, Behaviour.CORRECT)).run();
        assertEquals(0, r.integrityErrors(), r.table());
        assertEquals(1, r.serverBlockedHwFrees(), r.table());
        assertTrue(r.leaks().none(), r.table());
        assertTrue(r.json().endsWith(",\"design\":\"restricted\",\"server_hw_free_refused\":1}"), r.json());
    }

    @Test
    void aBufferFdClientPlaysStaleFramesOnlyOnANonCoherentDevice() {
        Report nc = new Simulation(scenario(Design.BUFFER_FD, false, false, Behaviour.CORRECT)).run();
        assertTrue(nc.clients().getFirst().stale() > 0, nc.table());
        Report c = new Simulation(scenario(Design.BUFFER_FD, true, false, Behaviour.CORRECT)).run();
        assertEquals(0, c.integrityErrors(), c.table());
        assertEquals(0, c.clients().getFirst().syncs(), c.table());
    }

    @Test
    void aHostileClientGetsTheErrnoOfItsDesignForEveryBadCall() {
        for (Design d : Design.values()) {
            Report r = new Simulation(scenario(d, true, true, Behaviour.CORRECT, Behaviour.HOSTILE)).run();
            assertTrue(r.clients().get(1).badCalls() > 0, r.table());
            assertEquals(0, r.errnoMismatches(), d + "\n" + r.table());
            assertEquals(0, r.clients().getFirst().integrityErrors(), d + "\n" + r.table());
        }
    }

    @Test
    void theRestrictedDesignNeedsOneSubstream() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scenario(Design.RESTRICTED, false, false, Behaviour.CORRECT, Behaviour.CORRECT));
        assertTrue(e.getMessage().startsWith("design restricted needs --shared or one client"), e.getMessage());
    }
}
