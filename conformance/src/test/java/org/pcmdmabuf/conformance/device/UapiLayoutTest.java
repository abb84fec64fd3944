package org.pcmdmabuf.conformance.device;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pcmdmabuf.conformance.Uapi;

/**
 * The device target's structs, ioctl numbers and flags against what the C compiler makes of the uAPI headers
 * (kernel-patch/tests/uapi-layout.c, built on the host): an ABI slip in the device target, which otherwise runs
 * only in a QEMU guest, fails here, on every machine, naming the field or number.
 *
 * <p>The host's headers are linux-libc-dev's, not the patched 6.12 ones. For what the device target marshals
 * they differ in one place, handled in the C program: hw_params' {@code sync[16]} and {@code reserved[48]} were
 * one {@code reserved[64]} before protocol 2.0.18 (Linux 6.9). check.sh builds the same program against the
 * patched headers and requires the same output, and the three ioctls and two structs patch 0001 adds (revision 2)
 * are defined in the program as the patch defines them, revision 1's numbers as known-bad/v1 defines them
 * (checked below).
 */
class UapiLayoutTest {
    private static final Path SERIES = Path.of("..", "kernel-patch", "series");
    private static final Path KNOWN_BAD_V1 = Path.of("..", "kernel-patch", "known-bad", "v1");

    @Test
    void theDeviceTargetMarshalsWhatTheUapiLaysOut() {
        UapiLayout c = UapiLayout.host();
        Map<String, Long> target = DeviceAbi.of(DeviceAbi.Structs.deviceTarget(), DeviceAbi.numbers());
        List<String> wrong = DeviceAbi.differences(target, c.entries);
        assertEquals(List.of(), wrong, "the device target against uapi-layout.c compiled with SNDRV_PCM_VERSION "
                + c.headers + ":\n" + String.join("\n", wrong));
    }

    /** A field one int too far, as a forgotten padding or a swapped pair would put it, is named with both offsets. */
    @Test
    void aWrongStructOffsetFailsNamingTheField() {
        StructLayout sw = UapiStructs.SW_PARAMS_STRUCT;
        // start_threshold and stop_threshold in each other's place
        List<MemoryLayout> members = new ArrayList<>(sw.memberLayouts());
        int start = indexOf(members, "start_threshold");
        int stop = indexOf(members, "stop_threshold");
        members.set(start, JAVA_LONG.withName("stop_threshold"));
        members.set(stop, JAVA_LONG.withName("start_threshold"));
        DeviceAbi.Structs real = DeviceAbi.Structs.deviceTarget();
        DeviceAbi.Structs wrong = new DeviceAbi.Structs(real.hwParams(),
                MemoryLayout.structLayout(members.toArray(MemoryLayout[]::new)), real.syncPtr(), real.xferi(),
                real.dmaBufSync(), real.dmabufExport(), real.dmabufAttach(), real.iovec(), real.msghdr(),
                real.cmsgFd());
        List<String> d = DeviceAbi.differences(DeviceAbi.of(wrong, DeviceAbi.numbers()), UapiLayout.host().entries);
        assertEquals(List.of(
                "offsetof(snd_pcm_sw_params.start_threshold): the device target says 40, the uAPI headers say 32",
                "offsetof(snd_pcm_sw_params.stop_threshold): the device target says 32, the uAPI headers say 40"), d);
    }

    @Test
    void aWrongIoctlNumberFailsNamingIt() {
        Map<String, Long> numbers = new HashMap<>(DeviceAbi.numbers());
        // _IOWR('A', 0x23, 132 bytes): the size the struct would have without the padding after flags
        numbers.put("SNDRV_PCM_IOCTL_SYNC_PTR", 0xc0844123L);
        List<String> d = DeviceAbi.differences(DeviceAbi.of(DeviceAbi.Structs.deviceTarget(), numbers),
                UapiLayout.host().entries);
        assertEquals(List.of("SNDRV_PCM_IOCTL_SYNC_PTR: the device target says " + 0xc0844123L
                + ", the uAPI headers say " + 0xc0884123L), d);
    }

    /**
     * Revision 2, the series': uapi-layout.c defines the three ioctls and both structs line for line as patch
     * 0001 adds them to asound.h (for headers without them), and sw_params.proto is the protocol version the
     * series bumps to, in patch 0002 with the implementation (the cover letter: a header the Kconfig option
     * does not change; user space probes with the ioctl), not in patch 0001.
     */
    @Test
    void theNewIoctlsAreThoseOfPatch0001() throws IOException {
        String patch = Files.readString(patch("0001-"), StandardCharsets.UTF_8);
        List<String> added = patch.lines().filter(l -> l.startsWith("+#define SNDRV_PCM_IOCTL_DMABUF_"))
                .map(l -> l.substring(1)).toList();
        assertEquals(3, added.size(), patch);
        String program = Files.readString(UapiLayout.SOURCE, StandardCharsets.UTF_8);
        List<String> lines = program.lines().toList();
        for (String define : added) {
            assertTrue(lines.contains(define), "uapi-layout.c does not define, as patch 0001 does: " + define);
        }
        for (String struct : List.of("snd_pcm_dmabuf_export", "snd_pcm_dmabuf_attach")) {
            String body = structAdded(patch, struct);
            assertTrue(program.contains(body), "uapi-layout.c does not define, as patch 0001 does:\n" + body);
        }
        assertEquals(-1, version(patch), "revision 2 bumps the protocol version in patch 0002, not 0001");
        assertEquals(version(Files.readString(patch("0002-"), StandardCharsets.UTF_8)), UapiStructs.PROTOCOL,
                "sw_params.proto is the protocol of the patched kernel (patch 0002)");
    }

    /**
     * Revision 1 (UAPI-V1), which {@code --uapi 1} still drives on a kernel of kernel-patch/known-bad/v1: the
     * numbers uapi-layout.c prints with a _V1 suffix are defined as its patch 0001 defines them, and DETACH
     * is the same in both revisions. (Revision 1 bumped the protocol in patch 0001, to the same 2.0.19.)
     */
    @Test
    void revisionOnesNumbersAreThoseOfKnownBadV1() throws IOException {
        String patch = Files.readString(patch(KNOWN_BAD_V1, "0001-"), StandardCharsets.UTF_8);
        List<String> program = Files.readAllLines(UapiLayout.SOURCE, StandardCharsets.UTF_8);
        for (String define : patch.lines().filter(l -> l.startsWith("+#define SNDRV_PCM_IOCTL_DMABUF_"))
                .map(l -> l.substring(1)).toList()) {
            String v1 = define.startsWith("#define SNDRV_PCM_IOCTL_DMABUF_DETACH") ? define
                    : define.replace("SNDRV_PCM_IOCTL_", "DEVICE_V1_").replace("\t", "\t\t");
            assertTrue(program.contains(v1), "uapi-layout.c does not define, as known-bad/v1 patch 0001 does: "
                    + v1);
        }
        assertEquals(UapiStructs.PROTOCOL, version(patch));
        Map<String, Long> c = UapiLayout.host().entries;
        assertEquals(Uapi.Revision.V1.export, c.get("SNDRV_PCM_IOCTL_DMABUF_EXPORT_V1"));
        assertEquals(Uapi.Revision.V1.attach, c.get("SNDRV_PCM_IOCTL_DMABUF_ATTACH_V1"));
        assertEquals(Uapi.Revision.V2.export, c.get("SNDRV_PCM_IOCTL_DMABUF_EXPORT"));
        assertEquals(Uapi.Revision.V2.attach, c.get("SNDRV_PCM_IOCTL_DMABUF_ATTACH"));
        assertEquals(Uapi.Revision.DETACH, c.get("SNDRV_PCM_IOCTL_DMABUF_DETACH"));
        assertEquals((long) Uapi.Revision.V2.argBytes, c.get("sizeof(struct snd_pcm_dmabuf_export)"));
        assertEquals((long) Uapi.Revision.V2.argBytes, c.get("sizeof(struct snd_pcm_dmabuf_attach)"));
    }

    /** The lines patch 0001 adds for {@code struct name { ... };}, without their '+'. */
    private static String structAdded(String patch, String name) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : patch.lines().toList()) {
            if (l.equals("+struct " + name + " {")) {
                in = true;
            }
            if (in) {
                out.add(l.substring(1));
                if (l.equals("+};")) {
                    return String.join("\n", out);
                }
            }
        }
        throw new AssertionError("patch 0001 adds no struct " + name);
    }

    /** The SNDRV_PCM_VERSION a patch sets, or -1. */
    private static int version(String patch) {
        Matcher v = Pattern.compile("(?m)^\\+#define SNDRV_PCM_VERSION\\s+SNDRV_PROTOCOL_VERSION\\((\\d+), (\\d+), (\\d+)\\)$")
                .matcher(patch);
        if (!v.find()) {
            return -1;
        }
        return (Integer.parseInt(v.group(1)) << 16) | (Integer.parseInt(v.group(2)) << 8)
                | Integer.parseInt(v.group(3));
    }

    /** Every errno the targets name has the headers' number; ENOTSUPP is the kernel's own (include/linux/errno.h). */
    @Test
    void everyErrnoHasTheHeadersNumber() {
        Map<String, Integer> c = UapiLayout.host().errnos;
        Map<String, Integer> java = new HashMap<>();
        for (Uapi.Errnum e : Uapi.Errnum.values()) {
            if (e != Uapi.Errnum.ENOTSUPP) {
                java.put(e.name(), e.number);
            }
        }
        assertEquals(c, java);
    }

    private static int indexOf(List<MemoryLayout> members, String name) {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).name().orElse("").equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static Path patch(String prefix) throws IOException {
        return patch(SERIES, prefix);
    }

    private static Path patch(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }
}
