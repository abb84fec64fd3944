package org.pcmdmabuf.script;

import org.pcmdmabuf.model.PcmHardware;

/**
 * Something that executes op scripts and answers each op: the model, the patch's C code in its harness,
 * a real kernel. One instance runs one script.
 */
public interface Target extends AutoCloseable {
    /** The target's name as {@code --target} spells it. */
    String name();

    /** Creates the script's devices and processes; called once, before the first op. */
    void declare(Script script);

    Outcome execute(Op op, Names names);

    /**
     * The answer {@code op} gives when the kernel refuses it with {@code errno} before it changed anything, the
     * names it would bind left unbound: what an op refused because another in flight held its runtime's buffer
     * accesses answers (SCRIPT-CONCURRENT-BUSY). Only the model, which gives the answers a concurrent group
     * allows ({@link Linearizability}), knows the state it answers with.
     */
    default Outcome refuse(Op op, Names names, String errno) {
        throw new UnsupportedOperationException(name() + " does not give the answers of refused ops");
    }

    /**
     * The one line this target refuses {@code script} with (a platform it does not model, an op only the model
     * answers), or null when it runs it; {@link #declare} throws it as an IllegalArgumentException.
     */
    default String refusal(Script script) {
        return refusal(script, name());
    }

    /**
     * The one line a target other than the model refuses a script with when it holds an op only the model
     * answers ({@link Op#modelOnly}); null when it holds none. Refused, not skipped, so that no comparison
     * of targets silently leaves out the designs' ops.
     */
    static String refusal(Script script, String target) {
        if (platformRefusal(script, target) instanceof String why) {
            return why;
        }
        if (faultRefusal(script, target) instanceof String why) {
            return why;
        }
        if (notOnDeviceRefusal(script, target) instanceof String why) {
            return why;
        }
        for (Op op : script.ops()) {
            if (Op.modelOnly(op)) {
                return "line " + op.line() + ": op " + op.name() + " is model-only (docs/designs.md);"
                        + " --target " + target + " does not implement it";
            }
        }
        return null;
    }

    /**
     * The one line a target refuses a script with when a device sits on a platform (buffer type, IOMMU,
     * bounce buffers, driver profile, opt-in; docs/spec.md section 3) that the target does not model yet; null
     * when every device has the default platform. A target that answered such a script as if the platform were
     * the default would judge a patch on a kinder machine than the script asked for (SCRIPT-PLATFORM).
     */
    static String platformRefusal(Script script, String target) {
        for (PcmHardware hw : script.devices()) {
            // The C harness models every platform attribute in its kernel shim: buffer types, driver profiles,
            // opt-ins, an IOMMU (drivers/iommu/dma-iommu.c) and bounce buffers (kernel/dma/swiotlb.c).
            if (!target.equals("harness") && !hw.defaultPlatform()) {
                return "device " + hw.name() + ": --target " + target + " does not model its platform ("
                        + ScriptWriter.device(hw).substring(("device " + hw.name() + " ").length()) + ") yet";
            }
        }
        return null;
    }

    /**
     * The one line a target refuses a script with when it asks for a fault ({@code fail_nth}, docs/op-scripts.md)
     * and the target cannot inject one: only the harness runs the kernel code under test with fail-nth; the model
     * has no fallible calls to fail, and a real kernel's fault injection is not driven from here. Null when the
     * target injects, or the script asks for none (FAULT-NO-CHANGE).
     */
    static String faultRefusal(Script script, String target) {
        if (target.equals("harness")) {
            return null;
        }
        for (Op op : script.ops()) {
            if (op instanceof Op.FailNth) {
                return "line " + op.line() + ": fail_nth: --target " + target + " cannot inject faults into the"
                        + " kernel code (--target harness does)";
            }
        }
        return null;
    }

    /**
     * The one line the device target refuses a script with when it pins pages ({@code gup}, {@code unpin}) or
     * imports with another driver ({@code import}): the model and the harness answer them (PERM-GUP-EFAULT through
     * the harness's mm/gup.c, IMPORT-* through its importer); the device target would need a vmsplice(2) of the
     * mapping and an importing driver (a DRM PRIME import of vgem), not written yet. Null for another target, or a
     * script with none.
     */
    static String notOnDeviceRefusal(Script script, String target) {
        if (!target.equals("device")) {
            return null;
        }
        for (Op op : script.ops()) {
            if (op instanceof Op.Gup || op instanceof Op.Unpin) {
                return "line " + op.line() + ": " + op.name() + ": --target " + target + " does not pin pages yet"
                        + " (the model and --target harness do)";
            }
            if (op instanceof Op.Import) {
                return "line " + op.line() + ": import: --target " + target + " has no importer of another driver"
                        + " to drive yet (the model and --target harness do)";
            }
        }
        return null;
    }

    /**
     * The one line a target speaking uAPI revision 1 refuses a script with when an EXPORT or ATTACH passes what
     * only revision 2's structs carry ({@code flags=}, {@code reserved=}, {@code arg=}):
     * revision 1's bare int has no such field (UAPI-V1), so the line cannot be issued as written. Null when the
     * script has none.
     */
    static String uapiV1Refusal(Script script, String target) {
        for (Op op : script.ops()) {
            boolean raw = op instanceof Op.DmabufExport x && x.rawArg() || op instanceof Op.DmabufAttach a && a.rawArg();
            if (raw) {
                return "line " + op.line() + ": " + op.name() + " with flags=, reserved= or arg=: --target " + target + " speaks uAPI revision 1, whose argument is a bare int"
                        + " (UAPI-V1)";
            }
        }
        return null;
    }

    @Override
    default void close() {
    }
}
