package org.pcmdmabuf.script;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pcmdmabuf.model.BufferType;
import org.pcmdmabuf.model.DmabufArg;
import org.pcmdmabuf.model.HwParams;
import org.pcmdmabuf.model.PcmHardware;
import org.pcmdmabuf.model.SwParams;

/**
 * Renders a {@link Script} as op-script text that {@link ScriptParser} reads back to the same script: how
 * generated and minimized op sequences become reproducers a person can read and {@code pcmsim run}.
 */
public final class ScriptWriter {
    private ScriptWriter() {
    }

    public static String write(Script s) {
        StringBuilder sb = new StringBuilder();
        for (PcmHardware hw : s.devices()) {
            sb.append(device(hw)).append('\n');
        }
        for (String p : s.procs()) {
            sb.append("proc ").append(p).append('\n');
        }
        List<Op> ops = s.ops();
        for (int i = 0; i < ops.size(); i++) {
            Script.Concurrent c = s.groupOf(i);
            if (c != null && c.first() == i) {
                sb.append("concurrently\n");
            }
            sb.append(c == null ? "" : "  ").append(line(ops.get(i))).append('\n');
            if (c != null && c.first() + c.size() == i + 1) {
                sb.append("end\n");
            }
        }
        return sb.toString();
    }

    /**
     * The platform attributes of a device line (docs/op-scripts.md) that differ from the defaults, as a script
     * spells them: {@code buffer=dev-wc iommu=true}. Empty for the default platform.
     */
    public static List<String> platform(PcmHardware hw) {
        PcmHardware d = PcmHardware.dummy(hw.name(), hw.stream());
        List<String> t = new ArrayList<>();
        if (hw.buffer() != BufferType.implied(hw.coherent(), hw.contiguous())) {
            t.add("buffer=" + hw.buffer().scriptName());
        }
        if (hw.iommu()) {
            t.add("iommu=true");
        }
        if (hw.bounce()) {
            t.add("bounce=true");
        }
        if (hw.cpuMover()) {
            t.add("mover=cpu");
        }
        if (hw.driver() != d.driver()) {
            t.add("driver=" + hw.driver().scriptName());
        }
        if (hw.optIn() != d.optIn()) {
            t.add("optin=" + hw.optIn().scriptName());
        }
        return t;
    }

    static String device(PcmHardware hw) {
        PcmHardware d = PcmHardware.dummy(hw.name(), hw.stream());
        List<String> t = new ArrayList<>();
        t.add("device " + hw.name() + " " + hw.stream().name().toLowerCase(Locale.ROOT));
        t.add("coherent=" + hw.coherent());
        t.add("contiguous=" + hw.contiguous());
        t.addAll(platform(hw));
        if (hw.substreams() != d.substreams()) {
            t.add("substreams=" + hw.substreams());
        }
        if (hw.pause() != d.pause()) {
            t.add("pause=" + hw.pause());
        }
        if (hw.resume() != d.resume()) {
            t.add("resume=" + hw.resume());
        }
        if (hw.mmap() != d.mmap()) {
            t.add("mmap=" + hw.mmap());
        }
        if (hw.nonInterleaved() != d.nonInterleaved()) {
            t.add("noninterleaved=" + hw.nonInterleaved());
        }
        if (!hw.formats().equals(d.formats())) {
            t.add("formats=" + String.join(",", hw.formats().stream().map(Enum::name).sorted().toList()));
        }
        if (hw.channelsMax() != d.channelsMax()) {
            t.add("channels_max=" + hw.channelsMax());
        }
        if (hw.rateMax() != d.rateMax()) {
            t.add("rate_max=" + hw.rateMax());
        }
        if (hw.bufferBytesMax() != d.bufferBytesMax()) {
            t.add("buffer_bytes_max=" + hw.bufferBytesMax());
        }
        return String.join(" ", t);
    }

    /** One op as a script line (without its line number). */
    public static String line(Op op) {
        String p = op.proc() == null ? "" : op.proc() + " ";
        return p + switch (op) {
            case Op.Open o -> "open " + o.device() + (o.append() ? " append" : "") + (o.nonblock() ? " nonblock" : "")
                    + (o.readOnly() ? " rdonly" : "") + " as " + o.as();
            case Op.HwParamsOp o -> "hw_params " + o.fd() + " " + hwParams(o.params());
            case Op.SwParamsOp o -> "sw_params " + o.fd() + swParams(o.params());
            case Op.Simple o -> o.name() + " " + o.fd();
            case Op.Pause o -> "pause " + o.fd() + (o.push() ? " on" : " off");
            case Op.SyncPtr o -> "sync_ptr " + o.fd() + (o.applPtr() == null ? "" : " appl_ptr=" + o.applPtr());
            case Op.Xfer o -> o.name() + " " + o.fd() + " frames=" + o.frames();
            case Op.Mmap o -> "mmap " + o.fd() + " off=" + o.offset() + " len=" + o.length() + " prot="
                    + (o.read() ? "r" : "") + (o.write() ? "w" : "") + (o.shared() ? "" : " private") + " as " + o.as();
            case Op.Munmap o -> "munmap " + o.map() + (o.keep() == null ? "" : " keep=" + o.keep());
            case Op.Gup o -> "gup " + o.map() + (o.write() ? " write" : "");
            case Op.Unpin o -> "unpin " + o.map();
            case Op.MapAccess o -> o.name() + " " + o.map() + " off=" + o.offset() + " len=" + o.length();
            case Op.Sync o -> "sync " + o.fd() + " " + o.flags();
            case Op.DmabufExport o -> "dmabuf_export " + o.fd()
                    + (!o.rawArg() ? (o.readOnly() ? " rdonly" : "") : uapiArg(o.arg())) + " as " + o.as();
            case Op.DmabufAttach o -> "dmabuf_attach " + o.fd() + " " + o.dmabufFd() + (o.rawArg() ? uapiArg(o.arg()) : "");
            case Op.DmabufDetach o -> "dmabuf_detach " + o.fd();
            case Op.Import o -> "import " + o.fd() + (o.dmaMask() ? "" : " nodma");
            case Op.Link o -> "link " + o.fd() + " " + o.other();
            case Op.Unlink o -> "unlink " + o.fd();
            case Op.Restrict o -> "restrict " + o.fd() + " " + o.role().name().toLowerCase(Locale.ROOT);
            case Op.BufferFd o -> "buffer_fd " + o.fd() + " as " + o.as();
            case Op.Close o -> "close " + o.fd();
            case Op.Dup o -> "dup " + o.fd() + " as " + o.as();
            case Op.OpenPath o -> "open_path " + o.fd() + " as " + o.as();
            case Op.Send o -> "send " + o.fd() + " " + o.to() + " as " + o.as();
            case Op.Exit o -> "exit";
            case Op.CardEvent o -> o.name() + " " + o.device();
            case Op.Advance o -> o.nanos() != null ? "advance " + o.nanos() + "ns" : "advance frames=" + o.frames();
            case Op.LeaksOp o -> "leaks";
            case Op.DmaDebug o -> "dma_debug";
            case Op.FailNth o -> "fail_nth " + o.nth();
        };
    }

    /** A revision-2 argument that is not what a line without these keys passes. */
    private static String uapiArg(DmabufArg a) {
        return " flags=0x" + Integer.toHexString(a.flags())
                + (a.reserved() != 0 ? " reserved=0x" + Integer.toHexString(a.reserved()) : "")
                + (a.reservedWord() != 0 ? " reserved_word=" + a.reservedWord() : "") + switch (a.pointer()) {
                    case MAPPED -> "";
                    case UNMAPPED -> " arg=fault";
                    case READ_ONLY -> " arg=readonly";
                };
    }

    private static String hwParams(HwParams h) {
        return "access=" + h.access() + " format=" + h.format() + " channels=" + h.channels() + " rate=" + h.rate()
                + " period_frames=" + h.periodFrames() + " periods=" + h.periods();
    }

    private static String swParams(SwParams s) {
        StringBuilder sb = new StringBuilder();
        if (s.startThreshold() != null) {
            sb.append(" start_threshold=").append(threshold(s.startThreshold()));
        }
        if (s.stopThreshold() != null) {
            sb.append(" stop_threshold=").append(threshold(s.stopThreshold()));
        }
        if (s.availMin() != null) {
            sb.append(" avail_min=").append(s.availMin());
        }
        return sb.toString();
    }

    private static String threshold(long v) {
        return v == SwParams.BOUNDARY ? "boundary" : Long.toString(v);
    }
}
