package org.pcmdmabuf.script;

import java.util.List;
import org.pcmdmabuf.model.PcmHardware;

/** A parsed op script: its devices and processes in declaration order, then its ops. */
public record Script(List<PcmHardware> devices, List<String> procs, List<Op> ops) {
    public Script {
        devices = List.copyOf(devices);
        procs = List.copyOf(procs);
        ops = List.copyOf(ops);
    }
}
