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
 * patched headers and requires the same output, and the three ioctls patch 0001 adds are defined in the program
 * as the patch defines them (checked below).
 */
class UapiLayoutTest {
    private static final Path SERIES = Path.of("..", "kernel-patch", "series");

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
                real.dmaBufSync(), real.iovec(), real.msghdr(), real.cmsgFd());
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

    @Test
    void theNewIoctlsAreThoseOfPatch0001() throws IOException {
        String patch = Files.readString(patch0001(), StandardCharsets.UTF_8);
        List<String> added = patch.lines().filter(l -> l.startsWith("+#define SNDRV_PCM_IOCTL_DMABUF_"))
                .map(l -> l.substring(1)).toList();
        assertEquals(3, added.size(), patch);
        List<String> program = Files.readAllLines(UapiLayout.SOURCE, StandardCharsets.UTF_8);
        for (String define : added) {
            assertTrue(program.contains(define), "uapi-layout.c does not define, as patch 0001 does: " + define);
        }
        Matcher v = Pattern.compile("(?m)^\\+#define SNDRV_PCM_VERSION\\s+SNDRV_PROTOCOL_VERSION\\((\\d+), (\\d+), (\\d+)\\)$")
                .matcher(patch);
        assertTrue(v.find(), "patch 0001 sets no SNDRV_PCM_VERSION");
        int version = (Integer.parseInt(v.group(1)) << 16) | (Integer.parseInt(v.group(2)) << 8)
                | Integer.parseInt(v.group(3));
        assertEquals(version, UapiStructs.PROTOCOL, "sw_params.proto is the protocol of the patched kernel");
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

    static Path patch0001() throws IOException {
        try (Stream<Path> s = Files.list(SERIES)) {
            return s.filter(p -> p.getFileName().toString().startsWith("0001-")).findFirst().orElseThrow();
        }
    }
}
