package org.pcmdmabuf.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pcmdmabuf.model.PcmStream;

/**
 * The server reconfigures (DROP, HW_PARAMS, re-share, PREPARE, START) or restarts (a new process opens the device
 * again) in the middle of a run, on each design: what the report must show with correct clients.
 */
class ServerEventSimulationTest {
    static final long SECOND = 1_000_000_000L;

    static Scenario scenario(Design d, boolean coherent, long reconfigureAt, long restartAt, Behaviour... clients) {
        return new Scenario(1, PcmStream.PLAYBACK, coherent, 48000, 1024, 4, 2 * SECOND, List.of(clients),
                clients.length > 1, Cache.Config.defaults(), 0, 2_000_000, 2048, d, Platform.DEFAULT, reconfigureAt,
                restartAt);
    }

    static Report reconfigure(Design d, boolean coherent, Behaviour... clients) {
        return new Simulation(scenario(d, coherent, SECOND, -1, clients)).run();
    }

    static Report restart(Design d, boolean coherent, Behaviour... clients) {
        return new Simulation(scenario(d, coherent, -1, SECOND, clients)).run();
    }

    @Test
    void dmabufReconfigureOrphansTheOldDmabufAndTheClientIsWholeOnceItSwitched() {
        Report r = reconfigure(Design.DMABUF, false, Behaviour.CORRECT);
        ServerEvent e = r.reconfigure();
        assertNotNull(e, r.table());
        assertNull(r.restart());
        assertEquals(0, e.refused(), r.table());
        assertTrue(e.oldBufferEnodev() > 0, "its SYNCs on the old dma-buf give ENODEV: orphaned\n" + r.table());
        assertTrue(e.recoveredAtNs() > e.atNs(), r.table());
        // The frames of its wait are missing, and only those: the client writes its frames into the new buffer.
        assertTrue(e.framesLost() > 0, r.table());
        assertEquals(r.integrityErrors(), r.clients().getFirst().missing(), r.table());
        assertEquals(0, r.integrityErrorsOutsideServerEvents(), r.table());
        assertEquals(0, r.violations(), r.table());
        assertTrue(r.leaks().none(), r.table());
    }

    @Test
    void restrictedReconfigureIsRefusedUntilTheClientUnmaps() {
        Report r = reconfigure(Design.RESTRICTED, false, Behaviour.CORRECT);
        ServerEvent e = r.reconfigure();
        assertEquals(1, e.refused(), "HW_PARAMS gave EBADFD while the client mapped (DESIGN-RESTRICT-MMAP-BLOCKS)\n"
                + r.table());
        assertTrue(e.recoveredAtNs() > e.atNs(), r.table());
        assertTrue(e.framesLost() > 0, "the stream was stopped while it waited\n" + r.table());
        assertEquals(0, e.oldBufferEnodev(), r.table());
        assertEquals(0, r.integrityErrors(), r.table());
        assertTrue(r.leaks().none(), r.table());
    }

    @Test
    void bufferFdReconfigureHandsTheMemoryOverAndIsNeverRefused() {
        // Coherent, so that the buffer fd's own stale frames (DESIGN-BUFFER-FD-NO-SYNC) do not hide the switch.
        Report r = reconfigure(Design.BUFFER_FD, true, Behaviour.CORRECT);
        ServerEvent e = r.reconfigure();
        assertEquals(0, e.refused(), r.table());
        assertEquals(0, e.oldBufferEnodev(), "no SYNC on a buffer fd\n" + r.table());
        assertTrue(e.framesLost() > 0, r.table());
        assertEquals(0, r.integrityErrorsOutsideServerEvents(), r.table());
        assertTrue(r.leaks().none(), r.table());
    }

    @Test
    void dmabufRestartReopensAtOnceAndTheClientComesBack() {
        Report r = restart(Design.DMABUF, false, Behaviour.CORRECT);
        ServerEvent e = r.restart();
        assertNotNull(e, r.table());
        assertNull(r.reconfigure());
        assertEquals(0, e.refused(), r.table());
        assertTrue(e.oldBufferEnodev() > 0, r.table());
        assertTrue(e.recoveredAtNs() > e.atNs(), r.table());
        assertTrue(e.framesLost() > 0, "the stream stopped with the old process\n" + r.table());
        assertEquals(0, r.integrityErrors(), r.table());
        assertTrue(r.leaks().none(), r.table());
    }

    @Test
    void restrictedRestartIsRefusedWhileTheClientsFileHoldsTheSubstreamButItsStreamRunsOn() {
        Report r = restart(Design.RESTRICTED, false, Behaviour.CORRECT);
        ServerEvent e = r.restart();
        assertEquals(1, e.refused(), "open gave EBUSY (DESIGN-RESTRICT-PINS)\n" + r.table());
        assertTrue(e.recoveredAtNs() > e.atNs(), r.table());
        assertEquals(0, e.framesLost(), r.table());
        assertEquals(0, r.integrityErrors(), r.table());
        assertTrue(r.leaks().none(), r.table());
    }

    @Test
    void bufferFdRestartReopensAtOnce() {
        Report r = restart(Design.BUFFER_FD, true, Behaviour.CORRECT);
        ServerEvent e = r.restart();
        assertEquals(0, e.refused(), r.table());
        assertTrue(e.framesLost() > 0, r.table());
        assertEquals(0, r.integrityErrors(), r.table());
        assertTrue(r.leaks().none(), r.table());
    }

    @ParameterizedTest
    @EnumSource(Design.class)
    void twoClientsOnOneSharedBufferBothSwitch(Design d) {
        for (Report r : List.of(reconfigure(d, true, Behaviour.CORRECT, Behaviour.CORRECT),
                restart(d, true, Behaviour.CORRECT, Behaviour.CORRECT))) {
            ServerEvent e = r.reconfigure() != null ? r.reconfigure() : r.restart();
            assertTrue(e.recoveredAtNs() > e.atNs(), d + "\n" + r.table());
            assertEquals(0, r.integrityErrorsOutsideServerEvents(), d + "\n" + r.table());
            assertTrue(r.leaks().none(), d + "\n" + r.table());
        }
    }

    @ParameterizedTest
    @EnumSource(Design.class)
    void theSameSeedGivesTheSameJson(Design d) {
        Scenario reconf = scenario(d, false, SECOND, -1, Behaviour.CORRECT);
        assertEquals(new Simulation(reconf).run().json(), new Simulation(reconf).run().json());
        Scenario restart = scenario(d, false, -1, SECOND, Behaviour.CORRECT);
        assertEquals(new Simulation(restart).run().json(), new Simulation(restart).run().json());
    }

    @Test
    void theReportNamesTheOutcomesOnlyWhenTheServerReconfiguresOrRestarts() {
        Report plain = new Simulation(scenario(Design.RESTRICTED, false, -1, -1, Behaviour.CORRECT)).run();
        assertFalse(plain.json().contains("server_reconfigure") || plain.json().contains("server_restart"));
        assertFalse(plain.table().contains("server reconfigure") || plain.table().contains("server restart"));
        Report r = reconfigure(Design.RESTRICTED, false, Behaviour.CORRECT);
        assertTrue(r.json().contains(",\"server_reconfigure\":{\"at_ns\":1000000000,\"refused\":1,\"refusal\":\"EBADFD\""),
                r.json());
        assertTrue(r.table().contains("server reconfigure at 1000000000 ns: HW_PARAMS refused (EBADFD) 1 times"),
                r.table());
        Report s = restart(Design.RESTRICTED, false, Behaviour.CORRECT);
        assertTrue(s.json().contains(",\"server_restart\":{\"at_ns\":1000000000,\"refused\":1,\"refusal\":\"EBUSY\""),
                s.json());
    }

    @Test
    void theScenarioSaysWhatItReplaysWith() {
        Scenario sc = scenario(Design.DMABUF, false, SECOND, SECOND / 2, Behaviour.CORRECT);
        assertTrue(sc.toCliArgs().contains(" --reconfigure-at 1000000000ns --restart-at 500000000ns"), sc.toCliArgs());
        assertFalse(scenario(Design.DMABUF, false, -1, -1, Behaviour.CORRECT).toCliArgs().contains("-at "));
        assertEquals(sc, sc.withSeed(1));
    }

    @Test
    void eventsOutsideTheRunOrWithCopyClientsAreRefused() {
        IllegalArgumentException late = assertThrows(IllegalArgumentException.class,
                () -> scenario(Design.DMABUF, false, 2 * SECOND, -1, Behaviour.CORRECT));
        assertTrue(late.getMessage().startsWith("--reconfigure-at must be within the run"), late.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> scenario(Design.DMABUF, false, -1, 0, Behaviour.CORRECT));
        assertTrue(zero.getMessage().startsWith("--restart-at must be within the run"), zero.getMessage());
        IllegalArgumentException copy = assertThrows(IllegalArgumentException.class,
                () -> scenario(Design.DMABUF, false, SECOND, -1, Behaviour.COPY_THROUGH_SERVER));
        assertTrue(copy.getMessage().contains("copy-through-server"), copy.getMessage());
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> scenario(Design.DMABUF, false, SECOND, SECOND, Behaviour.CORRECT));
        assertTrue(same.getMessage().contains("must differ"), same.getMessage());
    }

    @Test
    void exploreDoesNotCountTheSwitchAsAFailureOfACorrectClient() {
        assertNull(Explorer.failedCheck(scenario(Design.DMABUF, false, SECOND, -1, Behaviour.CORRECT)));
        assertNull(Explorer.failedCheck(scenario(Design.RESTRICTED, false, -1, SECOND, Behaviour.CORRECT)));
    }
}
