package org.pcmdmabuf.sim;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.pcmdmabuf.model.BufferType;

/**
 * The machine a simulated run's device sits on (docs/spec.md section 3, the op scripts' device attributes of the
 * same names): the buffer type its memory is, whether its device addresses are IOVAs of an IOMMU, whether its
 * streaming mappings bounce through swiotlb slots, and whether the server attaches a dma-buf another substream
 * exported (a streaming mapping: the only one the dma-buf flow makes). {@link Flaw}s are the broken variants a
 * test flips to see the simulator catch them.
 *
 * @param buffer  the buffer type, or null for the one the device's coherence implies ({@link BufferType#implied})
 * @param foreign the server attaches a dma-buf exported by another substream instead of its own export
 */
public record Platform(BufferType buffer, boolean iommu, boolean bounce, boolean foreign, Set<Flaw> flaws) {
    /** What scenarios got before platforms existed: the implied buffer type, no IOMMU, no bounce, own export. */
    public static final Platform DEFAULT = new Platform(null, false, false, false, Set.of());

    /** Broken variants of the kernel side, for tests: each one a patch or driver mistake the simulator must catch. */
    public enum Flaw {
        /** The dma-buf's user mapping is cacheable whatever the buffer type (remap_pfn_range without dma_pgprot()). */
        CACHEABLE_ALIAS,
        /** The attachment's sg table takes its pages from virt_to_page() of the buffer's kernel address. */
        VIRT_TO_PAGE,
        /** The swiotlb copy of sync_for_device is skipped (a sync done with DMA_ATTR_SKIP_CPU_SYNC-like shortcut). */
        BOUNCE_NO_SYNC_FOR_DEVICE,
        /** Attachments are synced with the opposite direction of their mapping. */
        WRONG_DIRECTION_SYNC,
        /** DETACH forgets dma_buf_unmap_attachment(): the mapping stays. */
        LEAK_MAPPING;

        /** As {@code --flaw} spells it: {@code cacheable-alias}. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Flaw fromCli(String s) {
            for (Flaw f : values()) {
                if (f.cliName().equals(s)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown flaw '" + s + "' (" + String.join(", ",
                    java.util.Arrays.stream(values()).map(Flaw::cliName).toList()) + ")");
        }
    }

    public Platform {
        flaws = flaws.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flaws));
        if (buffer != null && !buffer.pages) {
            throw new IllegalArgumentException("buffer type " + buffer.scriptName() + " has no struct pages: the "
                    + "server could not export it");
        }
    }

    public Platform(BufferType buffer, boolean iommu, boolean bounce, boolean foreign) {
        this(buffer, iommu, bounce, foreign, Set.of());
    }

    public Platform withFlaws(Flaw... f) {
        return new Platform(buffer, iommu, bounce, foreign, f.length == 0 ? Set.of() : EnumSet.of(f[0], f));
    }

    public boolean isDefault() {
        return equals(DEFAULT);
    }

    /** The buffer type on a device of this coherence. */
    public BufferType bufferOn(boolean coherent) {
        return buffer != null ? buffer : BufferType.implied(coherent, true);
    }

    /** Why this platform cannot run on a device of this coherence, or null. */
    public String invalidOn(boolean coherent) {
        BufferType t = bufferOn(coherent);
        // memalloc.c gives CONTINUOUS and VMALLOC no sync op: memory for devices that copy with the CPU
        // (snd-usb-audio's URBs, virtual devices), which only a device that sees the CPU's cache can run on.
        if (!coherent && (t == BufferType.CONTINUOUS || t == BufferType.VMALLOC)) {
            return "buffer type " + t.scriptName() + " has no cache maintenance (memalloc.c): simulate it with --coherent";
        }
        return null;
    }

    /** The buffer types {@code explore} draws for a device of this coherence. */
    static BufferType[] typesFor(boolean coherent) {
        return coherent
                ? new BufferType[] {BufferType.CONTINUOUS, BufferType.VMALLOC, BufferType.DEV, BufferType.DEV_WC,
                        BufferType.DEV_SG, BufferType.NONCONTIG, BufferType.NONCOHERENT}
                : new BufferType[] {BufferType.DEV, BufferType.DEV_WC, BufferType.DEV_SG, BufferType.NONCONTIG,
                        BufferType.NONCOHERENT};
    }

    /** The pcmsim flags of this platform (none for the default). */
    String cliArgs() {
        StringBuilder sb = new StringBuilder();
        if (buffer != null) {
            sb.append(" --buffer-type ").append(buffer.scriptName());
        }
        if (iommu) {
            sb.append(" --iommu");
        }
        if (bounce) {
            sb.append(" --bounce");
        }
        if (foreign) {
            sb.append(" --foreign");
        }
        if (!flaws.isEmpty()) {
            sb.append(" --flaw ").append(String.join(",", flaws.stream().map(Flaw::cliName).sorted().toList()));
        }
        return sb.toString();
    }

    /** One line for the report. */
    String describe(boolean coherent) {
        return "platform: buffer " + bufferOn(coherent).scriptName() + (iommu ? ", iommu" : "")
                + (bounce ? ", bounce" : "") + (foreign ? ", foreign dma-buf attached" : ", own export attached")
                + (flaws.isEmpty() ? "" : ", flaws " + String.join(",", flaws.stream().map(Flaw::cliName).sorted().toList()));
    }
}
