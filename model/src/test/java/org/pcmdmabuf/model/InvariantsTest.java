package org.pcmdmabuf.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The invariant check's two passes on deliberately corrupted states: each corruption must be found by both,
 * as exactly the same broken invariants. A fast pass that missed one would answer nothing here, so the
 * property test holding it to the full recount after every op can fail.
 */
class InvariantsTest {

    /**
     * The RFC flow, stopped at PREPARED: the server's playback substream exported its buffer and attached that
     * export, the app holds the dma-buf by fd and by a mapping, and has a capture substream open but not
     * configured.
     */
    private static final class Fixture {
        final World w = new World();
        final Task server = w.addTask("server");
        final Task app = w.addTask("app");
        final Substream playback;
        final Substream capture;
        final File pcmFile;
        final DmaBuf dmaBuf;

        Fixture() {
            w.addDevice(PcmHardware.dummy("pcm0", PcmStream.PLAYBACK));
            w.addDevice(PcmHardware.dummy("pcm1", PcmStream.CAPTURE));
            int pcm = w.open(server, "pcm0", false, false, false).value().intValue();
            w.hwParams(server, pcm, new HwParams(Access.MMAP_INTERLEAVED, Format.S16_LE, 2, 48000, 1024, 4));
            int d = w.dmabufExport(server, pcm).value().intValue();
            w.dmabufAttach(server, pcm, d).value();
            int appFd = w.send(server, d, app).value().intValue();
            w.mmap(app, appFd, 0, 16384, true, true).value();
            w.prepare(server, pcm).value();
            int cap = w.open(app, "pcm1", false, false, false).value().intValue();
            playback = w.substreamOf(server, pcm);
            capture = w.substreamOf(app, cap);
            pcmFile = server.files.get(pcm);
            dmaBuf = w.dmaBufs().getFirst();
        }

        PcmRuntime rt() {
            return playback.runtime;
        }

        /** The fd of {@code t} for {@code file}. */
        static int fd(Task t, File file) {
            return t.files.entries().entrySet().stream().filter(e -> e.getValue() == file).findFirst().orElseThrow()
                    .getKey();
        }
    }

    private record Corruption(String name, Consumer<Fixture> corrupt, Set<Invariant> broken) {
    }

    private static Corruption corruption(String name, Consumer<Fixture> corrupt, Invariant first,
                                         Invariant... more) {
        return new Corruption(name, corrupt, EnumSet.of(first, more));
    }

    private static final List<Corruption> CORRUPTIONS = List.of(
            corruption("an extra file reference", f -> f.pcmFile.get(), Invariant.FILE_COUNT),
            corruption("a runtime that forgot its export but not the file reference it held (EXPORT-COUNTED-REF)",
                    f -> f.rt().export = null, Invariant.FILE_COUNT),
            corruption("an export's file reference dropped while its runtime still holds it",
                    f -> f.dmaBuf.file.put(), Invariant.FILE_COUNT),
            corruption("a file released under its fd", f -> f.pcmFile.put(),
                    Invariant.FILE_HOLDERS_LIVE, Invariant.FILE_COUNT),
            corruption("a released dma-buf left live", f -> f.dmaBuf.released = true, Invariant.DMABUF_UNRELEASED),
            corruption("a dma-buf kept past its file without a path reference (PLAT-FILE-LIFETIME)", f -> {
                int d = Fixture.fd(f.server, f.dmaBuf.file);
                f.w.openPath(f.server, d).value();
                f.w.exit(f.app);
                f.w.close(f.server, Fixture.fd(f.server, f.pcmFile)).value();
                f.w.close(f.server, d).value();
                f.dmaBuf.pathRefs = 0;
            }, Invariant.DMABUF_UNRELEASED),
            corruption("a buffer freed under its holders", f -> {
                for (int n = f.dmaBuf.buffer.refcount(); n > 0; n--) {
                    f.dmaBuf.buffer.put();
                }
            }, Invariant.BUFFER_HOLDERS_LIVE, Invariant.BUFFER_REFCOUNT),
            corruption("a leaked buffer", f -> f.w.registry.allocBuffer(4096, true, f.playback.pcm), Invariant.BUFFER_REFCOUNT),
            corruption("a buffer's bytes charged twice", f -> f.playback.pcm.totalPcmAllocBytes += 16384,
                    Invariant.CARD_CHARGED),
            corruption("a buffer freed without giving its bytes back", f -> f.capture.pcm.totalPcmAllocBytes += 4096,
                    Invariant.CARD_CHARGED),
            corruption("a listed attachment unmapped", f -> f.rt().attachment.mapped = false,
                    Invariant.ATTACHMENT_LISTED_LIVE),
            corruption("a runtime that forgot its attachment", f -> f.rt().attachment = null,
                    Invariant.ATTACHMENT_LISTED_HELD),
            corruption("an attachment dropped from its dma-buf's list", f -> f.dmaBuf.attachments.clear(),
                    Invariant.ATTACHMENTS_LISTED),
            corruption("a runtime pointing at an attachment never made", f -> f.capture.runtime.attachment =
                    new Attachment(999, f.dmaBuf, f.capture, DmaDirection.FROM_DEVICE),
                    Invariant.RUNTIME_ATTACHMENT_LIVE),
            corruption("an attachment gone but still listed and pointed at", f -> f.w.registry.removeAttachment(
                    f.rt().attachment), Invariant.FILE_COUNT, Invariant.ATTACHMENT_LISTED_LIVE,
                    Invariant.ATTACHMENTS_LISTED, Invariant.RUNTIME_ATTACHMENT_LIVE),
            corruption("an extra open count", f -> f.playback.refCount++, Invariant.SUBSTREAM_OPENS),
            corruption("an extra mmap_count", f -> f.playback.mmapCount++, Invariant.SUBSTREAM_MMAP_COUNT),
            corruption("a group of one", f -> new PcmGroup().assign(f.playback), Invariant.SUBSTREAM_GROUP),
            corruption("a member that left its group's list", f -> {
                PcmGroup g = new PcmGroup();
                g.assign(f.playback);
                g.assign(f.capture);
                g.members.remove(f.capture);
            }, Invariant.SUBSTREAM_GROUP),
            corruption("an export orphaned on one side only", f -> f.dmaBuf.exporter = null,
                    Invariant.RUNTIME_EXPORT),
            corruption("a configured runtime back in OPEN", f -> f.rt().state = PcmState.OPEN,
                    Invariant.RUNTIME_BUFFER),
            corruption("hw_ptr moved before hw_params", f -> f.capture.runtime.hwPtr = 5,
                    Invariant.RUNTIME_POINTERS_UNSET),
            corruption("the device behind 0", f -> f.rt().devicePtr = -1, Invariant.RUNTIME_POINTERS_BOUNDED),
            corruption("hw_ptr ahead of appl_ptr on playback", f -> f.rt().hwPtr = 10, Invariant.RUNTIME_AVAIL),
            corruption("a process marked exited with its fds", f -> f.server.exited = true,
                    Invariant.EXITED_HOLDS_NOTHING),
            corruption("a process declared after a running one marked exited with its fds",
                    f -> f.app.exited = true, Invariant.EXITED_HOLDS_NOTHING),
            corruption("a buffer leaked past every exit", f -> {
                f.w.exit(f.server);
                f.w.exit(f.app);
                f.w.registry.allocBuffer(4096, true, f.playback.pcm);
            }, Invariant.BUFFER_REFCOUNT, Invariant.NOTHING_LEFT));

    @Test
    void theFixtureIsConsistent() {
        InvariantVerdicts v = new Fixture().w.checkInvariantsBothWays();
        assertEquals(Set.of(), v.fast());
        assertEquals(Set.of(), v.full());
    }

    @TestFactory
    Stream<DynamicTest> bothPassesFindEveryCorruption() {
        return CORRUPTIONS.stream().map(c -> dynamicTest(c.name(), () -> {
            Fixture f = new Fixture();
            c.corrupt().accept(f);
            InvariantVerdicts v = f.w.checkInvariantsBothWays();
            assertEquals(c.broken(), v.full(), "the full recount");
            assertEquals(c.broken(), v.fast(), "the fast pass");
            assertNotNull(v.description());
            // What every op's check throws: the first broken invariant, described by the full recount.
            InvariantViolation e = assertThrows(InvariantViolation.class, f.w::checkInvariants);
            assertTrue(e.getMessage().startsWith(v.description() + "\n"), e.getMessage());
        }));
    }

    @Test
    void everyInvariantIsBrokenBySomeCorruption() {
        Set<Invariant> covered = EnumSet.noneOf(Invariant.class);
        CORRUPTIONS.forEach(c -> covered.addAll(c.broken()));
        assertEquals(EnumSet.allOf(Invariant.class), covered);
    }
}
