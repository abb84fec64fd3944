package org.pcmdmabuf.conformance.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pcmdmabuf.model.Access;
import org.pcmdmabuf.model.Format;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.model.PcmStream;
import org.pcmdmabuf.script.Op;
import org.pcmdmabuf.script.Script;
import org.pcmdmabuf.script.ScriptWriter;

/**
 * The real PCMs of the machine and how an op script's device declarations are bound to them.
 *
 * <p>Known kinds, with the properties the dma-buf rules depend on (kernel-patch/docs/decisions.md 5-7):
 * <ul>
 * <li>{@code dummy} (snd-dummy, {@code fake_buffer=0}): CONTINUOUS buffer (contiguous), no DMA mask (accepts
 * any memory), no PAUSE, interleaved only, the limits of {@link PcmHardware#dummy};</li>
 * <li>{@code hda} (snd-hda-intel): DEV_SG buffer (scattered) from the card's preallocation, DMA mask (needs
 * contiguous memory of a foreign dma-buf), PAUSE; playback only with QEMU's hda-output. Its driver opts in to
 * EXPORT only (series patch 8: ATTACH is ENXIO), and its buffer is the card's preallocation, reused by the
 * next runtime (the spec's {@code driver=prealloc}, docs/decisions.md 3e): its export is revoked at HW_FREE
 * instead of handed over, and no other device may attach it ({@code snd_pcm_dmabuf_create()} marks only
 * plain CONTINUOUS and VMALLOC pages of the runtime's own allocation shareable);</li>
 * <li>{@code aloop} (snd-aloop, devices 0 and 1): VMALLOC buffer (scattered, accepts anything), PAUSE,
 * non-interleaved;</li>
 * <li>{@code pcmtest} (snd-pcmtest): no MMAP.</li>
 * </ul>
 * A declaration binds to the first free PCM (dummy, hda, aloop 0, aloop 1, pcmtest) whose properties match
 * the ones the script depends on: MMAP always; the ATTACH opt-in when the script attaches to the device, a
 * buffer of the runtime's own ({@code driver=managed}) when the script exports it; PAUSE when the script pauses; the
 * substream count when the
 * script opens the device more than once; non-interleaved access when the script asks for it; contiguity
 * when the script attaches dma-bufs across devices with {@code contiguous=false} among them. Declarations
 * with limits other than snd-dummy's (formats, channels, rates, sizes) bind to nothing.
 *
 * <p>A card whose device translates its DMA through an IOMMU (its IOMMU group's domain is {@code DMA} or
 * {@code DMA-FQ}, as with {@code intel_iommu=on}) is the platform {@code iommu=true}: the IOMMU maps a scattered
 * dma-buf's segments to one IOVA range, so a contiguous-only device attaches it (docs/decisions.md 3b,
 * {@code iommu_dma_map_sg()} in drivers/iommu/dma-iommu.c). A declaration with {@code iommu=false} that
 * attaches scattered memory contiguous-only therefore never binds to such a card.
 */
public final class Cards {
    /** One real PCM device and direction. */
    public record Pcm(String kind, int card, int device, PcmStream stream) {
        public String path() {
            return "/dev/snd/pcmC" + card + "D" + device + (stream == PcmStream.PLAYBACK ? 'p' : 'c');
        }

        @Override
        public String toString() {
            return kind + " " + path().substring("/dev/snd/".length());
        }
    }

    /**
     * What a card's PCMs offer. {@code attach}: the driver opts in to ATTACH; {@code managed}: the buffer is
     * the runtime's own allocation ({@code driver=managed}: an export is handed over at HW_FREE and other
     * devices may attach it), not a preallocation the card reuses.
     */
    record Kind(String name, boolean mmap, boolean pause, boolean nonInterleaved, boolean allocContiguous,
                boolean needsContiguous, boolean attach, boolean managed) {
    }

    static final Map<String, Kind> KINDS = Map.of(
            "dummy", new Kind("dummy", true, false, false, true, false, true, true),
            "hda", new Kind("hda", true, true, false, false, true, false, false),
            "aloop", new Kind("aloop", true, true, true, false, false, true, true),
            "pcmtest", new Kind("pcmtest", false, false, true, false, false, true, false));

    /** The kinds of card the device target knows, sorted. */
    public static List<String> kinds() {
        return KINDS.keySet().stream().sorted().toList();
    }

    private final Map<String, Integer> cardOf;
    /** Bind without /dev/snd, as if every PCM of {@link #cardOf} existed: to list the bindings on a host. */
    private final boolean assume;
    /** The kinds whose card's DMA an IOMMU translates. */
    private final Set<String> translated;
    private final Map<String, Kind> kinds;

    /** The cards; without {@code assume}, which of them an IOMMU translates is read from sysfs. */
    public Cards(Map<String, Integer> cardOf, boolean assume) {
        this(cardOf, assume, assume ? Set.of() : translated(cardOf, Path.of("/sys/class/sound")), KINDS);
    }

    Cards(Map<String, Integer> cardOf, boolean assume, Set<String> translated, Map<String, Kind> kinds) {
        this.cardOf = new LinkedHashMap<>(cardOf);
        this.assume = assume;
        this.translated = Set.copyOf(translated);
        this.kinds = Map.copyOf(kinds);
    }

    /**
     * The kinds whose card's device is in an IOMMU group with a translating domain: {@code DMA} (strict) or
     * {@code DMA-FQ} (lazy), the names drivers/iommu/iommu.c's {@code iommu_group_show_type()} prints; not
     * {@code identity} (passthrough), and no group at all means DMA addresses are physical.
     */
    static Set<String> translated(Map<String, Integer> cardOf, Path soundClass) {
        Set<String> out = new HashSet<>();
        for (Map.Entry<String, Integer> e : cardOf.entrySet()) {
            Path type = soundClass.resolve("card" + e.getValue()).resolve("device/iommu_group/type");
            try {
                String t = Files.readString(type).strip();
                if (t.equals("DMA") || t.equals("DMA-FQ")) {
                    out.add(e.getKey());
                }
            } catch (IOException notThere) {
                // no IOMMU group: the device's DMA addresses are physical
            }
        }
        return out;
    }

    /** The cards by kind, from /proc/asound/cards (drivers Dummy, HDA-Intel, Loopback, PCM-TEST Driver). */
    public static Map<String, Integer> discover() throws IOException {
        Map<String, Integer> found = new LinkedHashMap<>();
        Path cards = Path.of("/proc/asound/cards");
        if (!Files.exists(cards)) {
            return found;
        }
        for (String line : Files.readAllLines(cards)) {
            // " 2 [pcmtest        ]: PCM-TEST Driver - PCM-Test": number, id, driver
            var m = java.util.regex.Pattern.compile("^\\s*(\\d+)\\s+\\[([^]]*)\\]:\\s+(.*?) - ").matcher(line);
            if (!m.find()) {
                continue;
            }
            int n = Integer.parseInt(m.group(1));
            String id = m.group(2).strip();
            String driver = m.group(3).strip();
            String kind = driver.equals("Dummy") ? "dummy" : driver.equals("HDA-Intel") ? "hda"
                    : driver.equals("Loopback") ? "aloop" : id.equals("pcmtest") || driver.startsWith("PCM-TEST")
                    ? "pcmtest" : null;
            if (kind != null) {
                found.putIfAbsent(kind, n);
            }
        }
        return found;
    }

    public Map<String, Integer> cards() {
        return cardOf;
    }

    /**
     * Whether the running kernel has CONFIG_PM (kernel/power/main.c makes /sys/power): without it the PCM
     * core's RESUME is -ENOSYS. Assumed cards assume it.
     */
    boolean powerManagement() {
        return assume || Files.isDirectory(Path.of("/sys/power"));
    }

    /** The PCMs in order of preference that exist on this machine. */
    List<Pcm> slots(PcmStream stream) {
        List<Pcm> out = new ArrayList<>();
        for (String k : List.of("dummy", "hda", "aloop", "pcmtest")) {
            Integer c = cardOf.get(k);
            if (c == null || c < 0) {
                continue;
            }
            for (int dev = 0; dev < (k.equals("aloop") ? 2 : 1); dev++) {
                Pcm p = new Pcm(k, c, dev, stream);
                if (assume || Files.exists(Path.of(p.path()))) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private int substreams(Pcm p) {
        if (assume) {
            return p.kind().equals("aloop") ? 8 : 1;
        }
        Path info = Path.of("/proc/asound/card" + p.card() + "/pcm" + p.device()
                + (p.stream() == PcmStream.PLAYBACK ? 'p' : 'c') + "/info");
        try {
            for (String l : Files.readAllLines(info)) {
                if (l.startsWith("subdevices_count:")) {
                    return Integer.parseInt(l.substring(l.indexOf(':') + 1).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown
        }
        return -1;
    }

    /**
     * Binds every declared device to a real PCM; throws IllegalArgumentException naming the first one that
     * has no match.
     */
    public Map<String, Pcm> assign(Script script) {
        // what the script depends on
        boolean pauses = false;
        boolean nonInterleaved = false;
        Map<String, Integer> opens = new HashMap<>();
        Map<String, String> fdDev = new HashMap<>();     // "proc/name" -> device of a PCM fd
        Map<String, String> bufDev = new HashMap<>();    // "proc/name" -> device whose buffer a dma-buf fd is
        Set<String> needContig = new HashSet<>();        // contiguous=true devices attaching scattered memory
        Set<String> crossAttach = new HashSet<>();       // devices in an attach across devices
        Set<String> attachers = new HashSet<>();         // devices a dma-buf is attached to
        Set<String> exporters = new HashSet<>();         // devices whose buffer the script exports
        Set<String> disconnected = new HashSet<>();      // devices the script disconnects: their card goes
        Set<String> uncommonParams = new HashSet<>();    // devices asked for other than S16_LE, 2 channels, 48 kHz
        Map<String, PcmHardware> decl = new HashMap<>();
        for (PcmHardware hw : script.devices()) {
            decl.put(hw.name(), hw);
        }
        for (Op op : script.ops()) {
            switch (op) {
                case Op.Open o -> {
                    // O_APPEND shares a busy substream; on a PCM of more than one it is EINVAL, else EBADFD
                    // while none is open (snd_pcm_attach_substream(), sound/core/pcm.c): the count decides
                    opens.merge(o.device(), o.append() ? 2 : 1, Integer::sum);
                    fdDev.put(o.proc() + "/" + o.as(), o.device());
                }
                case Op.Pause o -> pauses = true;
                case Op.CardEvent o when o.name().equals("disconnect") -> disconnected.add(o.device());
                case Op.HwParamsOp o -> {
                    nonInterleaved |= o.params().access() == Access.MMAP_NONINTERLEAVED
                            || o.params().access() == Access.RW_NONINTERLEAVED;
                    // the other cards' limits are wider or narrower than the declared (snd-dummy's): snd-aloop
                    // takes 6 channels where the declaration says EINVAL (random sequence 558 on v3)
                    if (o.params().format() != Format.S16_LE || o.params().channels() != 2
                            || o.params().rate() != 48000) {
                        String d = fdDev.get(o.proc() + "/" + o.fd());
                        uncommonParams.add(d == null ? "*" : d);
                    }
                }
                case Op.DmabufExport o -> {
                    String d = fdDev.get(o.proc() + "/" + o.fd());
                    if (d != null) {
                        bufDev.put(o.proc() + "/" + o.as(), d);
                        exporters.add(d);
                    }
                }
                case Op.Dup o -> {
                    copy(fdDev, o.proc() + "/" + o.fd(), o.proc() + "/" + o.as());
                    copy(bufDev, o.proc() + "/" + o.fd(), o.proc() + "/" + o.as());
                }
                case Op.Send o -> {
                    copy(fdDev, o.proc() + "/" + o.fd(), o.to() + "/" + o.as());
                    copy(bufDev, o.proc() + "/" + o.fd(), o.to() + "/" + o.as());
                }
                case Op.DmabufAttach o -> {
                    String att = fdDev.get(o.proc() + "/" + o.fd());
                    String src = bufDev.get(o.proc() + "/" + o.dmabufFd());
                    if (att != null) {
                        attachers.add(att);
                    }
                    if (att != null && src != null && !att.equals(src)) {
                        crossAttach.add(att);
                        crossAttach.add(src);
                        if (decl.get(att).contiguous() && !decl.get(src).contiguous()) {
                            needContig.add(att);
                        }
                    }
                }
                default -> {
                }
            }
        }
        boolean contigMatters = false;
        for (String d : crossAttach) {
            contigMatters |= !decl.get(d).contiguous();
        }
        PcmHardware dflt = PcmHardware.dummy("x", PcmStream.PLAYBACK);
        Map<String, Pcm> out = new LinkedHashMap<>();
        Set<Pcm> used = new HashSet<>();
        // a disconnect unbinds the whole card: a disconnected device has its card to itself
        Set<Integer> usedCards = new HashSet<>();
        Set<Integer> goneCards = new HashSet<>();
        for (PcmHardware hw : script.devices()) {
            if (!hw.formats().equals(dflt.formats()) || hw.channelsMin() != dflt.channelsMin()
                    || hw.channelsMax() != dflt.channelsMax() || hw.rateMin() != dflt.rateMin()
                    || hw.rateMax() != dflt.rateMax() || hw.bufferBytesMax() != dflt.bufferBytesMax()
                    || hw.periodBytesMin() != dflt.periodBytesMin() || hw.periodsMax() != dflt.periodsMax()) {
                throw new IllegalArgumentException("device " + hw.name()
                        + ": declared limits differ from the real cards' (formats, channels, rates, sizes)");
            }
            if (!hw.defaultPlatform()) {
                // the cards' buffer types, IOMMUs and driver profiles are not described here yet: binding such a
                // device to any card would judge the kernel on a platform the script did not ask for
                throw new IllegalArgumentException("device " + hw.name() + ": its platform ("
                        + String.join(" ", ScriptWriter.platform(hw)) + ") is not matched to a real card");
            }
            List<String> why = new ArrayList<>();
            Pcm chosen = null;
            for (Pcm p : slots(hw.stream())) {
                Kind k = kinds.get(p.kind());
                String no = null;
                if (used.contains(p)) {
                    no = "in use";
                } else if (goneCards.contains(p.card())
                        || disconnected.contains(hw.name()) && usedCards.contains(p.card())) {
                    no = "its card is another device's and one of them is disconnected";
                } else if ((uncommonParams.contains(hw.name()) || uncommonParams.contains("*"))
                        && !p.kind().equals("dummy")) {
                    no = "hw_params other than S16_LE, 2 channels, 48000 Hz: only snd-dummy's limits are the declared";
                } else if (hw.mmap() != k.mmap()) {
                    no = "mmap=" + k.mmap();
                } else if (attachers.contains(hw.name()) && !k.attach()) {
                    no = "its driver does not opt in to ATTACH";
                } else if (exporters.contains(hw.name()) && !k.managed()) {
                    no = "its buffer is the card's preallocation (driver=prealloc)";
                } else if (pauses && hw.pause() != k.pause()) {
                    no = "pause=" + k.pause();
                } else if (nonInterleaved && hw.nonInterleaved() != k.nonInterleaved()) {
                    no = "noninterleaved=" + k.nonInterleaved();
                } else if (opens.getOrDefault(hw.name(), 0) > 1 && substreams(p) != hw.substreams()) {
                    no = "substreams=" + substreams(p);
                } else if (contigMatters && crossAttach.contains(hw.name()) && !hw.contiguous()
                        && (k.allocContiguous() || k.needsContiguous())) {
                    no = "not scatter-gather";
                } else if (needContig.contains(hw.name()) && !k.needsContiguous()) {
                    no = "does not need contiguous memory";
                } else if (needContig.contains(hw.name()) && translated.contains(p.kind())) {
                    no = "behind a translating IOMMU (iommu=true)";
                }
                if (no == null) {
                    chosen = p;
                    break;
                }
                why.add(p + ": " + no);
            }
            if (chosen == null) {
                throw new IllegalArgumentException("device " + hw.name() + ": no real PCM matches ("
                        + (why.isEmpty() ? "no /dev/snd PCM of the known cards " + cardOf + ", from /proc/asound/cards and --card"
                        : String.join("; ", why)) + ")");
            }
            used.add(chosen);
            usedCards.add(chosen.card());
            if (disconnected.contains(hw.name())) {
                goneCards.add(chosen.card());
            }
            out.put(hw.name(), chosen);
        }
        return out;
    }

    private static void copy(Map<String, String> m, String from, String to) {
        String v = m.get(from);
        if (v != null) {
            m.put(to, v);
        }
    }
}
