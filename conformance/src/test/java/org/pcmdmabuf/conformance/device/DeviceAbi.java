package org.pcmdmabuf.conformance.device;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.pcmdmabuf.conformance.Uapi;
import org.pcmdmabuf.model.Access;
import org.pcmdmabuf.model.DmaBufSync;
import org.pcmdmabuf.model.Format;
import org.pcmdmabuf.model.PcmState;
import org.pcmdmabuf.model.PcmStream;

/**
 * The device target's side of every entry kernel-patch/tests/uapi-layout.c prints, in the same words
 * ({@link UapiLayout}): what the device target's layouts and numbers say each size, offset and number is.
 * Built from a {@link Structs} and a table of numbers, so that a test can hand it a deliberately wrong one.
 */
final class DeviceAbi {
    /** The layouts the device target marshals. */
    record Structs(StructLayout hwParams, StructLayout swParams, StructLayout syncPtr, StructLayout xferi,
                   StructLayout dmaBufSync, StructLayout dmabufExport, StructLayout dmabufAttach, StructLayout iovec,
                   StructLayout msghdr, StructLayout cmsgFd) {
        static Structs deviceTarget() {
            return new Structs(UapiStructs.HW_PARAMS_STRUCT, UapiStructs.SW_PARAMS_STRUCT, UapiStructs.SYNC_PTR_STRUCT,
                    UapiStructs.XFERI_STRUCT, UapiStructs.DMA_BUF_SYNC_STRUCT, UapiStructs.DMABUF_EXPORT_STRUCT,
                    UapiStructs.DMABUF_ATTACH_STRUCT, UapiStructs.IOVEC, UapiStructs.MSGHDR, UapiStructs.CMSG_FD);
        }
    }

    private DeviceAbi() {
    }

    /** The ioctl numbers and flags the device target passes, by their C names. */
    static Map<String, Long> numbers() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("SNDRV_PCM_IOCTL_HW_PARAMS", UapiStructs.HW_PARAMS);
        m.put("SNDRV_PCM_IOCTL_HW_FREE", UapiStructs.HW_FREE);
        m.put("SNDRV_PCM_IOCTL_SW_PARAMS", UapiStructs.SW_PARAMS);
        m.put("SNDRV_PCM_IOCTL_HWSYNC", UapiStructs.HWSYNC);
        m.put("SNDRV_PCM_IOCTL_DELAY", UapiStructs.DELAY);
        m.put("SNDRV_PCM_IOCTL_SYNC_PTR", UapiStructs.SYNC_PTR);
        // the number the 6.12 kernel itself decodes on x86_64 (__SND_STRUCT_TIME64)
        m.put("__SNDRV_PCM_IOCTL_SYNC_PTR64", UapiStructs.SYNC_PTR);
        m.put("SNDRV_PCM_IOCTL_PREPARE", UapiStructs.PREPARE);
        m.put("SNDRV_PCM_IOCTL_RESET", UapiStructs.RESET);
        m.put("SNDRV_PCM_IOCTL_START", UapiStructs.START);
        m.put("SNDRV_PCM_IOCTL_DROP", UapiStructs.DROP);
        m.put("SNDRV_PCM_IOCTL_DRAIN", UapiStructs.DRAIN);
        m.put("SNDRV_PCM_IOCTL_PAUSE", UapiStructs.PAUSE);
        m.put("SNDRV_PCM_IOCTL_RESUME", UapiStructs.RESUME);
        m.put("SNDRV_PCM_IOCTL_XRUN", UapiStructs.XRUN);
        m.put("SNDRV_PCM_IOCTL_LINK", UapiStructs.LINK);
        m.put("SNDRV_PCM_IOCTL_UNLINK", UapiStructs.UNLINK);
        m.put("SNDRV_PCM_IOCTL_WRITEI_FRAMES", UapiStructs.WRITEI);
        m.put("SNDRV_PCM_IOCTL_READI_FRAMES", UapiStructs.READI);
        m.put("SNDRV_PCM_IOCTL_DMABUF_EXPORT", UapiStructs.DMABUF_EXPORT);
        m.put("SNDRV_PCM_IOCTL_DMABUF_ATTACH", UapiStructs.DMABUF_ATTACH);
        m.put("SNDRV_PCM_IOCTL_DMABUF_DETACH", UapiStructs.DMABUF_DETACH);
        // revision 1 (UAPI-V1), which --uapi 1 issues: uapi-layout.c prints its numbers with a _V1 suffix
        m.put("SNDRV_PCM_IOCTL_DMABUF_EXPORT_V1", UapiStructs.DMABUF_EXPORT_V1);
        m.put("SNDRV_PCM_IOCTL_DMABUF_ATTACH_V1", UapiStructs.DMABUF_ATTACH_V1);
        m.put("DMA_BUF_IOCTL_SYNC", UapiStructs.DMA_BUF_SYNC);

        m.put("SNDRV_MASK_MAX", UapiStructs.MASK.byteSize() * 8);
        m.put("SNDRV_PCM_SUBFORMAT_STD", (long) UapiStructs.SUBFORMAT_STD);
        m.put("SNDRV_PCM_SYNC_PTR_APPL", (long) UapiStructs.SYNC_PTR_APPL);
        m.put("SNDRV_PCM_SYNC_PTR_AVAIL_MIN", (long) UapiStructs.SYNC_PTR_AVAIL_MIN);
        m.put("SNDRV_PCM_INFO_MMAP", (long) Uapi.SNDRV_PCM_INFO_MMAP);
        for (PcmStream s : PcmStream.values()) {
            m.put("SNDRV_PCM_STREAM_" + s.name(), (long) Uapi.stream(s));
        }
        for (Access a : Access.values()) {
            m.put("SNDRV_PCM_ACCESS_" + a.name(), (long) Uapi.access(a));
        }
        for (Format f : Format.values()) {
            m.put("SNDRV_PCM_FORMAT_" + f.name(), (long) Uapi.format(f));
        }
        for (PcmState s : PcmState.values()) {
            m.put("SNDRV_PCM_STATE_" + s.name(), (long) Uapi.state(s));
        }
        // sync ops pass the model's flags unchanged
        m.put("DMA_BUF_SYNC_READ", (long) DmaBufSync.READ);
        m.put("DMA_BUF_SYNC_WRITE", (long) DmaBufSync.WRITE);
        m.put("DMA_BUF_SYNC_RW", (long) DmaBufSync.RW);
        m.put("DMA_BUF_SYNC_START", (long) DmaBufSync.START);
        m.put("DMA_BUF_SYNC_END", (long) DmaBufSync.END);
        m.put("DMA_BUF_SYNC_VALID_FLAGS_MASK", (long) DmaBufSync.VALID_FLAGS_MASK);

        m.put("O_RDONLY", (long) UapiStructs.O_RDONLY);
        m.put("O_WRONLY", (long) UapiStructs.O_WRONLY);
        m.put("O_RDWR", (long) UapiStructs.O_RDWR);
        m.put("O_APPEND", (long) UapiStructs.O_APPEND);
        m.put("O_NONBLOCK", (long) UapiStructs.O_NONBLOCK);
        m.put("O_CLOEXEC", (long) UapiStructs.O_CLOEXEC);
        m.put("F_GETFD", (long) UapiStructs.F_GETFD);
        m.put("FD_CLOEXEC", (long) UapiStructs.FD_CLOEXEC);
        m.put("F_GETFL", (long) UapiStructs.F_GETFL);
        m.put("F_SETFL", (long) UapiStructs.F_SETFL);
        m.put("PROT_READ", (long) UapiStructs.PROT_READ);
        m.put("PROT_WRITE", (long) UapiStructs.PROT_WRITE);
        m.put("MAP_SHARED", (long) UapiStructs.MAP_SHARED);
        m.put("MAP_PRIVATE", (long) UapiStructs.MAP_PRIVATE);
        m.put("MAP_FAILED", Native.MAP_FAILED);
        m.put("AF_UNIX", (long) UapiStructs.AF_UNIX);
        m.put("SOCK_STREAM", (long) UapiStructs.SOCK_STREAM);
        m.put("SOCK_CLOEXEC", (long) UapiStructs.SOCK_CLOEXEC);
        m.put("SOL_SOCKET", (long) UapiStructs.SOL_SOCKET);
        m.put("SCM_RIGHTS", (long) UapiStructs.SCM_RIGHTS);
        m.put("MSG_CMSG_CLOEXEC", (long) UapiStructs.MSG_CMSG_CLOEXEC);
        return m;
    }

    /** Every entry, in uapi-layout.c's words, as {@code structs} and {@code numbers} declare it. */
    static Map<String, Long> of(Structs s, Map<String, Long> numbers) {
        Map<String, Long> m = new LinkedHashMap<>();
        MemoryLayout mask = UapiStructs.MASK;
        StructLayout interval = UapiStructs.INTERVAL;
        struct(m, "snd_mask", mask.byteSize());
        field(m, "snd_mask.bits", 0, mask.byteSize());
        struct(m, "snd_interval", interval.byteSize());
        field(m, "snd_interval", interval, "min");
        field(m, "snd_interval", interval, "max");
        m.put("offsetof(snd_interval.integer)", interval.byteOffset(groupElement("bits")));
        m.put("mask(snd_interval.integer)", (long) UapiStructs.INTERVAL_INTEGER);

        StructLayout hw = s.hwParams();
        struct(m, "snd_pcm_hw_params", hw.byteSize());
        for (String f : List.of("flags", "masks", "mres", "intervals", "ires", "rmask", "cmask", "info", "msbits",
                "rate_num", "rate_den", "fifo_size", "sync", "reserved")) {
            field(m, "snd_pcm_hw_params", hw, f);
        }
        long masks = hw.byteOffset(groupElement("masks"));
        long intervals = hw.byteOffset(groupElement("intervals"));
        Map<String, Integer> maskParams = Map.of("ACCESS", UapiStructs.ACCESS, "FORMAT", UapiStructs.FORMAT,
                "SUBFORMAT", UapiStructs.SUBFORMAT);
        maskParams.forEach((name, p) -> field(m, "snd_pcm_hw_params.masks[" + name + "]",
                masks + mask.byteSize() * p, mask.byteSize()));
        Map<String, Integer> intervalParams = Map.of("CHANNELS", UapiStructs.CHANNELS, "RATE", UapiStructs.RATE,
                "PERIOD_SIZE", UapiStructs.PERIOD_SIZE, "PERIODS", UapiStructs.PERIODS);
        intervalParams.forEach((name, p) -> field(m, "snd_pcm_hw_params.intervals[" + name + "]",
                intervals + interval.byteSize() * (p - UapiStructs.FIRST_INTERVAL), interval.byteSize()));

        StructLayout sw = s.swParams();
        struct(m, "snd_pcm_sw_params", sw.byteSize());
        for (String f : List.of("tstamp_mode", "period_step", "sleep_min", "avail_min", "xfer_align", "start_threshold",
                "stop_threshold", "silence_threshold", "silence_size", "boundary", "proto", "tstamp_type",
                "reserved")) {
            field(m, "snd_pcm_sw_params", sw, f);
        }

        // one layout for both: the user-space struct and the one the x86_64 kernel decodes
        for (String name : List.of("snd_pcm_sync_ptr", "__snd_pcm_sync_ptr64")) {
            StructLayout sp = s.syncPtr();
            struct(m, name, sp.byteSize());
            field(m, name, sp, "flags");
            field(m, name + ".s", sp.byteOffset(groupElement("s")), sp.select(groupElement("s")).byteSize());
            field(m, name, sp, "s", "status", "state");
            field(m, name + ".c", sp.byteOffset(groupElement("c")), sp.select(groupElement("c")).byteSize());
            field(m, name, sp, "c", "control", "appl_ptr");
            field(m, name, sp, "c", "control", "avail_min");
        }

        struct(m, "snd_xferi", s.xferi().byteSize());
        for (String f : List.of("result", "buf", "frames")) {
            field(m, "snd_xferi", s.xferi(), f);
        }
        struct(m, "dma_buf_sync", s.dmaBufSync().byteSize());
        field(m, "dma_buf_sync", s.dmaBufSync(), "flags");
        struct(m, "snd_pcm_dmabuf_export", s.dmabufExport().byteSize());
        for (String f : List.of("flags", "fd", "reserved")) {
            field(m, "snd_pcm_dmabuf_export", s.dmabufExport(), f);
        }
        struct(m, "snd_pcm_dmabuf_attach", s.dmabufAttach().byteSize());
        for (String f : List.of("fd", "flags", "reserved")) {
            field(m, "snd_pcm_dmabuf_attach", s.dmabufAttach(), f);
        }

        struct(m, "iovec", s.iovec().byteSize());
        field(m, "iovec", s.iovec(), "iov_base");
        field(m, "iovec", s.iovec(), "iov_len");
        struct(m, "msghdr", s.msghdr().byteSize());
        for (String f : List.of("msg_name", "msg_namelen", "msg_iov", "msg_iovlen", "msg_control", "msg_controllen",
                "msg_flags")) {
            field(m, "msghdr", s.msghdr(), f);
        }
        StructLayout cmsg = s.cmsgFd();
        long data = cmsg.byteOffset(groupElement("data"));
        struct(m, "cmsghdr", data);
        for (String f : List.of("cmsg_len", "cmsg_level", "cmsg_type", "data")) {
            field(m, "cmsghdr", cmsg, f);
        }
        m.put("CMSG_LEN(sizeof(int))", data + cmsg.select(groupElement("data")).byteSize());
        m.put("CMSG_SPACE(sizeof(int))", cmsg.byteSize());

        m.putAll(numbers);
        return m;
    }

    /**
     * Every entry on which the device target and uapi-layout.c disagree, or that only one of them has, one
     * line each naming it: empty when the device target marshals what the uAPI lays out.
     */
    static List<String> differences(Map<String, Long> deviceTarget, Map<String, Long> c) {
        List<String> out = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(deviceTarget.keySet());
        keys.addAll(c.keySet());
        for (String k : keys) {
            Long d = deviceTarget.get(k);
            Long u = c.get(k);
            if (d == null) {
                out.add(k + ": printed by uapi-layout.c, not declared by the device target");
            } else if (u == null) {
                out.add(k + ": declared by the device target, not printed by uapi-layout.c");
            } else if (!d.equals(u)) {
                out.add(k + ": the device target says " + d + ", the uAPI headers say " + u);
            }
        }
        return out;
    }

    private static void struct(Map<String, Long> m, String name, long size) {
        m.put("sizeof(struct " + name + ")", size);
    }

    private static void field(Map<String, Long> m, String name, long offset, long size) {
        m.put("offsetof(" + name + ")", offset);
        m.put("sizeof(" + name + ")", size);
    }

    private static void field(Map<String, Long> m, String struct, StructLayout layout, String... path) {
        MemoryLayout.PathElement[] p = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            p[i] = groupElement(path[i]);
        }
        field(m, struct + "." + String.join(".", path), layout.byteOffset(p), layout.select(p).byteSize());
    }
}
