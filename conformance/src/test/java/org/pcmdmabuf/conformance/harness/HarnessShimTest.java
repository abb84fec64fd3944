package org.pcmdmabuf.conformance.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.model.Access;
import org.pcmdmabuf.model.DmabufArg;
import org.pcmdmabuf.model.PcmState;

/**
 * The harness's kernel shim where the host does not reach it: the host's own mm refuses a PROT_WRITE mapping of
 * an O_RDONLY dma-buf before the harness is asked, and a revocation's zap is only compared, so these drive
 * harness.h directly on revision 2's library (the shipped series): the PCM file's f_mode reaches EXPORT, the
 * dma-buf file's mode is checked by mm/mmap.c's do_mmap() before the exporter, and unmap_mapping_range() leaves
 * a mapping that faults with SIGBUS.
 */
class HarnessShimTest {
    private static final int EACCES = 13;
    private static final int EINVAL = 22;
    private static final int BUFFER = 1;
    private static final long BYTES = 16384;

    private final Harness harness = Harness.fromProperty();

    @BeforeEach
    void setUp() {
        assumeTrue(harness.revision() >= 2, "revision 2's flags and revocation");
        harness.reset();
        // playback, contiguous, CONTINUOUS, managed, opted in to both
        assertEquals(0, harness.addSubstream(0, 0, 0, true, false, 1, Harness.DRIVER_MANAGED,
                Harness.CAP_EXPORT | Harness.CAP_ATTACH));
        assertEquals(0, harness.setRuntime(0, true, Uapi.state(PcmState.SETUP), Uapi.access(Access.MMAP_INTERLEAVED),
                Uapi.SNDRV_PCM_INFO_MMAP, BYTES, 0, BUFFER, BYTES, true));
    }

    @AfterEach
    void tearDown() {
        harness.reset();
    }

    @Test
    void aReadOnlyPcmFileExportsOnlyAReadOnlyDmaBufWhichMapsOnlyForReading() {
        assertEquals(-EACCES, harness.export(0, DmabufArg.export(false), false));
        int id = harness.export(0, DmabufArg.export(true), false);
        assertTrue(id > 0, "EXPORT O_RDONLY: " + id);
        assertEquals(0, harness.fileWritable(id));
        assertEquals(-EACCES, harness.mmap(id, 0, BYTES / 4096, true, true));
        assertEquals(0, harness.mappings(id));
        // do_mmap() gives a shared mapping of a file without FMODE_WRITE VM_MAYSHARE but not VM_SHARED, which the
        // shipped series' mmap takes for the shared mapping it is
        assertTrue(harness.mmap(id, 0, BYTES / 4096, false, true) > 0);
        assertEquals(1, harness.mappings(id));
        assertEquals(0, harness.bugs(), harness.lastBug());
    }

    /**
     * A mapping at an offset reaches the pages of the buffer from that offset on; munmap calls vm_ops->close and
     * takes the mapping out of the file's i_mmap, so a later revocation has nothing to zap.
     */
    @Test
    void aMappingAtAnOffsetReachesThosePagesAndMunmapEndsIt() {
        int id = harness.export(0, DmabufArg.export(false), true);
        assertTrue(id > 0, "EXPORT O_RDWR: " + id);
        int handle = harness.mmap(id, 2, 2, true, true);
        assertTrue(handle > 0, "mmap at page 2: " + handle);
        // plain pages fault in, at the first access, each the page of the buffer at its offset
        assertEquals(-2, harness.mappedPage(handle, 0));
        assertEquals(((long) BUFFER << 32) | 2, harness.touchPage(handle, 0));
        assertEquals(((long) BUFFER << 32) | 3, harness.touchPage(handle, 1));
        assertEquals(((long) BUFFER << 32) | 3, harness.mappedPage(handle, 1));
        assertEquals(1, harness.mappings(id));
        assertEquals(0, harness.munmap(handle));
        assertEquals(0, harness.mappings(id));
        harness.disconnect(0);
        assertEquals(0, harness.sigbus(id));
        assertEquals(0, harness.bugs(), harness.lastBug());
    }

    @Test
    void aDisconnectRevokesTheExportAndItsMappingFaultsWithSigbus() {
        int id = harness.export(0, DmabufArg.export(false), true);
        assertTrue(id > 0, "EXPORT O_RDWR: " + id);
        assertEquals(1, harness.fileWritable(id));
        int handle = harness.mmap(id, 0, BYTES / 4096, true, true);
        assertTrue(handle > 0, "mmap: " + handle);
        assertEquals(0, harness.sigbus(id));
        harness.disconnect(0);
        assertEquals(1, harness.revoked(id));
        assertEquals(1, harness.orphaned(id));
        assertEquals(1, harness.sigbus(id));
        assertEquals(-2, harness.mappedPage(handle, 3));
        assertEquals(0, harness.bugs(), harness.lastBug());
    }

    /**
     * PLAT-FILE-LIFETIME: the dma-buf ends at its dentry's d_release, so a path reference keeps it after its
     * file's last fput() freed the file; the next export's file takes the freed slot and the kept dma-buf has no
     * file left; the path's dput() releases it.
     */
    @Test
    void aPathReferenceKeepsTheDmaBufPastItsFileUntilTheDentryGoes() {
        int id = harness.export(0, DmabufArg.export(false), true);
        assertTrue(id > 0, "EXPORT: " + id);
        int path = harness.pathGet(id);
        assertTrue(path >= 0, "path_get: " + path);
        // the fd's reference, then the runtime's at hw_free: the file's last
        assertEquals(0, harness.fileRef(id, false));
        harness.hwFree(0);
        assertEquals(0, harness.fileCount(id));
        assertEquals(1, harness.liveDmabufs());
        assertEquals(0, harness.addSubstream(1, 1, 0, true, false, 1, Harness.DRIVER_MANAGED,
                Harness.CAP_EXPORT));
        assertEquals(0, harness.setRuntime(1, true, Uapi.state(PcmState.SETUP), Uapi.access(Access.MMAP_INTERLEAVED),
                Uapi.SNDRV_PCM_INFO_MMAP, BYTES, 0, BUFFER + 1, BYTES, true));
        int other = harness.export(1, DmabufArg.export(false), true);
        assertTrue(other > 0 && other != id, "the other substream's EXPORT: " + other);
        assertEquals(0, harness.fileCount(id));
        assertEquals(2, harness.fileCount(other));
        assertEquals(2, harness.liveDmabufs());
        assertEquals(0, harness.pathPut(path));
        assertEquals(-1, harness.fileCount(id));
        assertEquals(1, harness.liveDmabufs());
        assertEquals(0, harness.bugs(), harness.lastBug());
    }
}
