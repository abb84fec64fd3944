package org.pcmdmabuf.model;

import java.util.List;
import java.util.function.Supplier;

import static org.pcmdmabuf.model.PcmState.DISCONNECTED;
import static org.pcmdmabuf.model.PcmState.DRAINING;
import static org.pcmdmabuf.model.PcmState.OPEN;
import static org.pcmdmabuf.model.PcmState.PAUSED;
import static org.pcmdmabuf.model.PcmState.PREPARED;
import static org.pcmdmabuf.model.PcmState.RUNNING;
import static org.pcmdmabuf.model.PcmState.SETUP;
import static org.pcmdmabuf.model.PcmState.SUSPENDED;
import static org.pcmdmabuf.model.PcmState.XRUN;

/**
 * What sound/core/pcm_native.c does to a substream: the ioctls and the power-management and release paths,
 * each method named after its function there. The state checks come first, in the kernel's order, so the
 * errno a combination of faults gives is the kernel's; the pointer arithmetic and the transfers they share
 * with the read/write path are {@link PcmLib}'s.
 */
final class PcmNative {
    private PcmNative() {
    }

    // ---- configuration ------------------------------------------------------------------------------

    /** snd_pcm_hw_params(). A refused request leaves the substream in OPEN with its buffer freed. */
    static Result<Long> hwParams(Substream s, HwParams p) {
        return withBufferAccessBlocked(s, () -> doHwParams(s, p));
    }

    private static Result<Long> doHwParams(Substream s, HwParams p) {
        PcmRuntime rt = s.runtime;
        switch (rt.state) {
            case OPEN, SETUP, PREPARED -> {
                if (s.mmapCount > 0) {
                    return Result.err(Errno.EBADFD);
                }
            }
            default -> {
                return Result.err(Errno.EBADFD);
            }
        }
        if (!p.fits(s.pcm.hw)) {
            rt.state = OPEN;
            PcmDmabuf.hwFree(s);
            freeBuffer(s);
            return Result.err(Errno.EINVAL);
        }
        // A reconfiguration hands an exported buffer over to its dma-buf (pcm_dmabuf.c hw_free hook) and
        // takes new memory, so apps never see the new stream's data in the old mapping.
        boolean handedOver = PcmDmabuf.hwFree(s);
        long bytes = p.bufferBytes();
        if (rt.dmaBuffer != null && (handedOver || rt.dmaBuffer.bytes < bytes)) {
            freeBuffer(s);
        }
        if (rt.dmaBuffer == null) {
            rt.dmaBuffer = s.pcm.world.registry.allocBuffer(bytes, !s.pcm.hw.buffer().scattered, s.pcm);
            // snd_pcm_lib_malloc_pages() fails past max_alloc_per_card, and snd_pcm_hw_params() falls back to
            // OPEN; memory handed over to a dma-buf still counts (LIFETIME-CHARGED).
            if (rt.dmaBuffer == null) {
                rt.state = OPEN;
                rt.dmaBytes = 0;
                return Result.err(Errno.ENOMEM);
            }
        } else {
            s.pcm.world.bus.clearForReuse(rt.dmaBuffer);
        }
        rt.dmaBytes = bytes;
        // A driver that builds descriptors does it here, from the runtime's buffer (atiixp_build_dma_packets()
        // from snd_atiixp_pcm_hw_params(), sound/pci/atiixp.c).
        rt.programmed = rt.dmaBuffer;
        rt.info = s.pcm.hw;
        rt.access = p.access();
        rt.format = p.format();
        rt.channels = p.channels();
        rt.rate = p.rate();
        rt.periodSize = p.periodFrames();
        rt.periods = p.periods();
        rt.bufferSize = p.bufferFrames();
        rt.frameBits = p.format().physicalWidth * p.channels();
        rt.availMin = rt.periodSize;
        rt.startThreshold = 1;
        rt.stopThreshold = rt.bufferSize;
        rt.boundary = PcmRuntime.boundaryFor(rt.bufferSize);
        rt.hwPtr %= rt.boundary;
        rt.applPtr %= rt.boundary;
        rt.devicePtr = rt.hwPtr;
        rt.state = SETUP;
        return Result.ok(0L);
    }

    /**
     * snd_pcm_hw_free() (sound/core/pcm_native.c): the state is checked under the stream lock, do_hw_free() runs
     * without it, under runtime->buffer_mutex alone, so a card disconnect (which takes no buffer_mutex) runs
     * beside it; snd_pcm_set_state() then keeps a DISCONNECTED state such a disconnect set meanwhile.
     */
    static Result<Long> hwFree(Substream s) {
        return withBufferAccessBlocked(s, () -> lockedHwFree(s));
    }

    private static Result<Long> lockedHwFree(Substream s) {
        DmabufDriver driver = s.pcm.world.driver();
        driver.streamLock(s, true);
        boolean refused = switch (s.runtime.state) {
            case SETUP, PREPARED -> s.mmapCount > 0;
            default -> true;
        };
        driver.streamLock(s, false);
        if (refused) {
            return Result.err(Errno.EBADFD);
        }
        doHwFree(s);
        driver.streamLock(s, true);
        if (s.runtime.state != DISCONNECTED) {
            s.runtime.state = OPEN;
        }
        driver.streamLock(s, false);
        return Result.ok(0L);
    }

    /** do_hw_free(): stop the DMA, run the dma-buf hook, free the managed buffer. */
    private static void doHwFree(Substream s) {
        s.runtime.dmaRunning = false;
        PcmDmabuf.hwFree(s);
        freeBuffer(s);
    }

    /**
     * sound/core/pcm_memory.c: snd_pcm_lib_free_pages(): drop the runtime's reference; an export keeps the
     * memory alive.
     */
    private static void freeBuffer(Substream s) {
        PcmRuntime rt = s.runtime;
        if (rt.dmaBuffer != null) {
            s.pcm.world.registry.putBuffer(rt.dmaBuffer);
            rt.dmaBuffer = null;
        }
        rt.programmed = null;
        rt.dmaBytes = 0;
    }

    /** snd_pcm_sw_params(). {@link SwParams} fields left null keep their value. */
    static Result<Long> swParams(Substream s, SwParams p) {
        PcmRuntime rt = s.runtime;
        if (rt.state == OPEN) {
            return Result.err(Errno.EBADFD);
        }
        long availMin = p.availMin() != null ? p.availMin() : rt.availMin;
        if (availMin == 0) {
            return Result.err(Errno.EINVAL);
        }
        rt.availMin = availMin;
        if (p.startThreshold() != null) {
            rt.startThreshold = resolveBoundary(rt, p.startThreshold());
        }
        if (p.stopThreshold() != null) {
            rt.stopThreshold = resolveBoundary(rt, p.stopThreshold());
        }
        if (s.running()) {
            return PcmLib.updateState(s);
        }
        return Result.ok(0L);
    }

    private static long resolveBoundary(PcmRuntime rt, long v) {
        return v == SwParams.BOUNDARY ? rt.boundary : v;
    }

    // ---- actions -------------------------------------------------------------------------------------

    /**
     * snd_pcm_prepare(): PAUSED and SUSPENDED are stopped first (a group stop), then snd_pcm_action_nonatomic()
     * with snd_pcm_pre_prepare/do/post on every member of the group.
     */
    static Result<Long> prepare(Substream s) {
        PcmRuntime rt = s.runtime;
        if (rt.state == PAUSED) {
            rt.state = RUNNING;
            rt.dmaRunning = true;
            stop(s, SETUP);
        } else if (rt.state == SUSPENDED) {
            stop(s, SETUP);
        }
        return action(s, true, PcmNative::prePrepare, PcmNative::doPrepare, PcmNative::postPrepare);
    }

    /** snd_pcm_pre_prepare(). */
    private static Errno prePrepare(Substream m) {
        PcmState state = m.runtime.state;
        if (state == OPEN || state == DISCONNECTED) {
            return Errno.EBADFD;
        }
        return m.running() ? Errno.EBUSY : null;
    }

    /** snd_pcm_do_prepare(): the series' hook (which may refuse), then snd_pcm_do_reset(). */
    private static Errno doPrepare(Substream m) {
        Errno e = PcmDmabuf.prepare(m);
        if (e != null) {
            return e;
        }
        PcmRuntime rt = m.runtime;
        // snd_pcm_do_reset() via snd_pcm_lib_ioctl_reset() (pcm_lib.c): the stream is not running here.
        rt.hwPtr %= rt.bufferSize;
        rt.devicePtr = rt.hwPtr;
        return null;
    }

    /** snd_pcm_post_prepare(). */
    private static void postPrepare(Substream m) {
        PcmRuntime rt = m.runtime;
        rt.applPtr = rt.hwPtr;
        rt.applPtrWild = false;
        rt.state = m.pcm.world.driver().postPrepareRevoked(m) ? XRUN : PREPARED;
    }

    /** A member's pre-action: the errno that refuses the whole action, or null. */
    private interface PreAction {
        Errno check(Substream m);
    }

    /**
     * A member's do-action: the errno that ends the action, the members after it not done and no post-action
     * run (snd_pcm_action_group()), or null.
     */
    private interface DoAction {
        Errno apply(Substream m);
    }

    /** A member's post-action, which cannot fail. */
    private interface PostAction {
        void apply(Substream m);
    }

    /** An action without a do-action that can fail: START, STOP and the others of snd_pcm_action(). */
    private static Result<Long> action(Substream s, boolean nonatomic, PreAction pre, PostAction post) {
        return action(s, nonatomic, pre, m -> null, post);
    }

    /**
     * snd_pcm_action() and snd_pcm_action_nonatomic(): a nonatomic action blocks the initiator's buffer accesses
     * first (EBUSY while a transfer copies); a substream that is not linked runs the action alone
     * (snd_pcm_action_single()); a linked one runs snd_pcm_action_group(): every member's pre-action in list
     * order, the first refusal refusing the whole action with nothing changed, then every member's do-action,
     * the first failure ending it there, then every member's post-action. The members are locked meanwhile
     * ({@link DmabufDriver#lockGroup}: the stream locks of an atomic action, the other members' buffer_mutex of a
     * nonatomic one).
     */
    private static Result<Long> action(Substream s, boolean nonatomic, PreAction pre, DoAction act,
            PostAction post) {
        DmabufDriver driver = s.pcm.world.driver();
        if (nonatomic) {
            Errno busy = driver.lockBufferAccess(s);
            if (busy != null) {
                return Result.err(busy);
            }
        }
        try {
            if (s.group == null) {
                // snd_pcm_action_single() of an atomic action runs under the stream lock its caller took; a
                // nonatomic one under the ioctl's runtime->buffer_mutex
                return nonatomic ? single(s, pre, act, post) : underStreamLock(s, () -> single(s, pre, act, post));
            }
            return group(s, nonatomic, pre, act, post);
        } finally {
            if (nonatomic) {
                driver.unlockBufferAccess(s);
            }
        }
    }

    private static Result<Long> group(Substream s, boolean nonatomic, PreAction pre, DoAction act, PostAction post) {
        List<Substream> members = List.copyOf(s.group.members);
        DmabufDriver driver = s.pcm.world.driver();
        driver.lockGroup(s, members, nonatomic);
        try {
            for (Substream m : members) {
                Errno e = pre.check(m);
                if (e != null) {
                    return Result.err(e);
                }
            }
            for (Substream m : members) {
                Errno e = act.apply(m);
                if (e != null) {
                    return Result.err(e);
                }
            }
            members.forEach(post::apply);
            return Result.ok(0L);
        } finally {
            driver.unlockGroup(s, members, nonatomic);
        }
    }

    /** snd_pcm_action_single(): the pre-action, then, unless it refused, the action. */
    private static Result<Long> single(Substream s, PreAction pre, DoAction act, PostAction post) {
        Errno e = pre.check(s);
        if (e == null) {
            e = act.apply(s);
        }
        if (e != null) {
            return Result.err(e);
        }
        post.apply(s);
        return Result.ok(0L);
    }

    /** snd_pcm_reset(), a nonatomic action: it blocks the buffer's accesses first. */
    static Result<Long> reset(Substream s) {
        return withBufferAccessBlocked(s, () -> doReset(s));
    }

    /** {@code op} between snd_pcm_buffer_access_lock() and its unlock; EBUSY while a transfer copies. */
    private static Result<Long> withBufferAccessBlocked(Substream s, Supplier<Result<Long>> op) {
        DmabufDriver driver = s.pcm.world.driver();
        Errno busy = driver.lockBufferAccess(s);
        if (busy != null) {
            return Result.err(busy);
        }
        try {
            return op.get();
        } finally {
            driver.unlockBufferAccess(s);
        }
    }

    private static Result<Long> doReset(Substream s) {
        PcmRuntime rt = s.runtime;
        switch (rt.state) {
            case RUNNING, PREPARED, PAUSED, SUSPENDED -> {
            }
            default -> {
                return Result.err(Errno.EBADFD);
            }
        }
        rt.hwPtr = (s.running() ? rt.devicePtr : rt.hwPtr) % rt.bufferSize;
        rt.devicePtr = rt.hwPtr;
        rt.applPtr = rt.hwPtr;
        rt.applPtrWild = false;
        return Result.ok(0L);
    }

    /** snd_pcm_start() through snd_pcm_pre_start/do_start/post_start, on every member of the group. */
    static Result<Long> start(Substream s) {
        return action(s, false, m -> preStart(m, true), m -> doStart(m, RUNNING));
    }

    /**
     * snd_pcm_pre_start(); a drain's start (snd_pcm_do_drain_init()) makes its state and data checks but not
     * snd_pcm_pre_start()'s one of the buffer accesses ({@code action} false).
     */
    private static Errno preStart(Substream m, boolean action) {
        PcmRuntime rt = m.runtime;
        if (rt.state != PREPARED) {
            return Errno.EBADFD;
        }
        if (action && m.pcm.world.driver().accessesBlocked(m)) {
            return Errno.EBADFD;
        }
        if (m.stream == PcmStream.PLAYBACK && !playbackData(rt)) {
            return Errno.EPIPE;
        }
        return null;
    }

    /** snd_pcm_do_start() and snd_pcm_post_start(). */
    private static void doStart(Substream m, PcmState to) {
        PcmRuntime rt = m.runtime;
        rt.dmaRunning = true;
        rt.devicePtr = rt.hwPtr;
        rt.nsRemainder = 0;
        rt.state = to;
    }

    /** A drain's start of one substream (snd_pcm_do_drain_init() calls do_start and post_start itself). */
    private static void start(Substream s, PcmState to) {
        if (preStart(s, false) == null) {
            doStart(s, to);
        }
    }

    /** include/sound/pcm.h: snd_pcm_playback_data(). */
    private static boolean playbackData(PcmRuntime rt) {
        if (rt.stopThreshold >= rt.boundary) {
            return true;
        }
        return rt.playbackHwAvail() > 0;
    }

    /**
     * snd_pcm_stop(): of every member of the group; snd_pcm_pre_stop refuses OPEN (any member's refuses the
     * whole stop); the DMA stops; the state becomes {@code to}.
     */
    static Result<Long> stop(Substream s, PcmState to) {
        return action(s, false, m -> m.runtime.state == OPEN ? Errno.EBADFD : null, m -> {
            m.runtime.dmaRunning = false;
            m.runtime.state = to;
        });
    }

    /** snd_pcm_drop(). */
    static Result<Long> drop(Substream s) {
        PcmRuntime rt = s.runtime;
        if (rt.state == OPEN || rt.state == DISCONNECTED) {
            return Result.err(Errno.EBADFD);
        }
        if (rt.state == PAUSED) {
            rt.state = RUNNING;
        }
        stop(s, SETUP);
        return Result.ok(0L);
    }

    /**
     * snd_pcm_drain(). A blocking drain lets time pass until the queued frames are played, as the kernel's
     * wait loop does; a non-blocking one only starts draining and answers EAGAIN.
     */
    static Result<Long> drain(Substream s, boolean nonblock) {
        PcmRuntime rt = s.runtime;
        if (rt.state == OPEN) {
            return Result.err(Errno.EBADFD);
        }
        if (rt.state == PAUSED) {
            rt.state = RUNNING;
            rt.dmaRunning = true;
        }
        switch (rt.state) {
            case OPEN, DISCONNECTED, SUSPENDED -> {
                return Result.err(Errno.EBADFD);
            }
            default -> {
            }
        }
        drainInit(s);
        if (nonblock) {
            return Result.err(Errno.EAGAIN);
        }
        long waited = 0;
        while (s.stream == PcmStream.PLAYBACK && rt.state == DRAINING) {
            if (waited >= PcmLib.waitTimeoutNs(rt)) {
                stop(s, SETUP);
                return Result.err(Errno.EIO);
            }
            long step = PcmLib.periodNanos(rt);
            s.pcm.world.letTimePass(step);
            waited += step;
        }
        return Result.ok(0L);
    }

    /** snd_pcm_do_drain_init(). */
    private static void drainInit(Substream s) {
        PcmRuntime rt = s.runtime;
        if (s.stream == PcmStream.PLAYBACK) {
            switch (rt.state) {
                case PREPARED -> {
                    if (rt.playbackAvail() < rt.bufferSize) {
                        start(s, DRAINING);
                    } else {
                        rt.state = SETUP;
                    }
                }
                case RUNNING -> rt.state = DRAINING;
                case XRUN -> rt.state = SETUP;
                default -> {
                }
            }
        } else if (rt.state == RUNNING) {
            stop(s, rt.captureAvail() > 0 ? DRAINING : SETUP);
        }
    }

    /** snd_pcm_pause(): snd_pcm_pre_pause() tests SNDRV_PCM_INFO_PAUSE in runtime->info before the state. */
    static Result<Long> pause(Substream s, boolean push) {
        return underStreamLock(s, () -> doPause(s, push));
    }

    /** snd_pcm_action_lock_irq(): the action under the substream's stream lock. */
    private static Result<Long> underStreamLock(Substream s, Supplier<Result<Long>> action) {
        DmabufDriver driver = s.pcm.world.driver();
        driver.streamLock(s, true);
        try {
            return action.get();
        } finally {
            driver.streamLock(s, false);
        }
    }

    private static Result<Long> doPause(Substream s, boolean push) {
        PcmRuntime rt = s.runtime;
        if (rt.info == null || !rt.info.pause()) {
            return Result.err(Errno.ENOSYS);
        }
        if (push ? rt.state != RUNNING : rt.state != PAUSED) {
            return Result.err(Errno.EBADFD);
        }
        rt.dmaRunning = !push;
        rt.state = push ? PAUSED : RUNNING;
        return Result.ok(0L);
    }

    /** snd_pcm_xrun(). */
    static Result<Long> xrun(Substream s) {
        switch (s.runtime.state) {
            case XRUN -> {
                return Result.ok(0L);
            }
            case RUNNING -> {
                PcmLib.xrun(s);
                return Result.ok(0L);
            }
            default -> {
                return Result.err(Errno.EBADFD);
            }
        }
    }

    /** do_pcm_hwsync(). */
    private static Result<Long> doHwsync(Substream s) {
        switch (s.runtime.state) {
            case DRAINING -> {
                if (s.stream == PcmStream.CAPTURE) {
                    return Result.err(Errno.EBADFD);
                }
                return PcmLib.updateHwPtr(s);
            }
            case RUNNING -> {
                return PcmLib.updateHwPtr(s);
            }
            case PREPARED, PAUSED -> {
                return Result.ok(0L);
            }
            case SUSPENDED -> {
                return Result.err(Errno.ESTRPIPE);
            }
            case XRUN -> {
                return Result.err(Errno.EPIPE);
            }
            default -> {
                return Result.err(Errno.EBADFD);
            }
        }
    }

    /** snd_pcm_hwsync(). */
    static Result<Long> hwsync(Substream s) {
        Result<Long> r = doHwsync(s);
        PcmLib.syncForCpu(s);
        return r;
    }

    /** snd_pcm_delay(): snd_pcm_calc_delay() of the updated pointers. */
    static Result<Long> delay(Substream s) {
        Result<Long> r = doHwsync(s);
        PcmLib.syncForCpu(s);
        if (!r.isOk()) {
            return r;
        }
        return Result.ok(s.stream == PcmStream.PLAYBACK ? s.runtime.playbackHwAvail() : s.runtime.captureAvail());
    }

    /** snd_pcm_resume(): needs SNDRV_PCM_INFO_RESUME; a stream that was moving moves again. */
    static Result<Long> resume(Substream s) {
        return underStreamLock(s, () -> doResume(s));
    }

    private static Result<Long> doResume(Substream s) {
        PcmRuntime rt = s.runtime;
        if (rt.state != SUSPENDED) {
            return Result.err(Errno.EBADFD);
        }
        if (!rt.info.resume()) {
            return Result.err(Errno.ENOSYS);
        }
        PcmState was = rt.suspendedState;
        rt.dmaRunning = was == RUNNING || (was == DRAINING && s.stream == PcmStream.PLAYBACK);
        rt.state = was;
        return Result.ok(0L);
    }

    /**
     * snd_pcm_sync_ptr() with an appl_ptr to apply (pcm_lib_apply_appl_ptr(): no state check, only the
     * boundary) or null to read. Like the kernel it does not start the stream or check for xrun.
     */
    static Result<Long> syncPtr(Substream s, Long applPtr) {
        PcmRuntime rt = s.runtime;
        if (applPtr == null) {
            return Result.ok(0L);
        }
        if (applPtr != rt.applPtr) {
            if (applPtr < 0 || applPtr >= rt.boundary) {
                return Result.err(Errno.EINVAL);
            }
            rt.applPtr = applPtr;
            checkApplWindow(s);
        }
        PcmLib.syncForDevice(s);
        return Result.ok(0L);
    }

    /**
     * The kernel takes any appl_ptr below the boundary (no SNDRV_PCM_INFO_NO_REWINDS here). One outside the
     * ring window is a client bug the next update turns into an xrun; until then the avail invariant is waived.
     */
    private static void checkApplWindow(Substream s) {
        PcmRuntime rt = s.runtime;
        long a = s.avail();
        if (rt.bufferSize > 0 && a > rt.bufferSize) {
            rt.applPtrWild = true;
            s.pcm.world.registry.violation(ProtocolViolation.APPL_PTR_OUT_OF_WINDOW,
                    s.pcm.name() + ": appl_ptr " + rt.applPtr + " leaves avail " + a + " > buffer " + rt.bufferSize);
        }
    }

    /** snd_pcm_suspend() of one substream: states that cannot resume are skipped. */
    static void suspend(Substream s) {
        PcmRuntime rt = s.runtime;
        if (rt == null) {
            return;
        }
        switch (rt.state) {
            case SUSPENDED, OPEN, SETUP, DISCONNECTED -> {
                return;
            }
            default -> {
            }
        }
        rt.dmaRunning = false;
        rt.suspendedState = rt.state;
        rt.state = SUSPENDED;
    }

    /**
     * snd_pcm_release_substream(): the last close drops (a linked stream's drop stops its whole group), frees,
     * unlinks (pcm_release_private()) and detaches the runtime.
     */
    static void release(Substream s) {
        if (--s.refCount > 0) {
            return;
        }
        drop(s);
        if (s.runtime.state != OPEN) {
            doHwFree(s);
        }
        if (s.group != null) {
            unlink(s);
        }
        s.runtime = null;
    }

    // ---- linked streams ------------------------------------------------------------------------------

    /**
     * snd_pcm_link(): SNDRV_PCM_IOCTL_LINK of {@code s} with the PCM file {@code other} names (null when the fd
     * is not open or is an O_PATH file, which fdget() does not return). A file that is no PCM of a registered
     * card is EBADFD (is_pcm_file(); a disconnected card's minors are unregistered), the same substream EINVAL,
     * {@code s} in OPEN or in another state than the other's EBADFD, the other already linked EALREADY; then the
     * other joins {@code s}'s group, made when {@code s} had none. Other cards and directions may be linked.
     */
    static Result<Long> link(Substream s, File other) {
        if (other == null || !(other.privateData instanceof PcmFile pf) || pf.substream().pcm.disconnected) {
            return Result.err(Errno.EBADFD);
        }
        Substream s1 = pf.substream();
        if (s == s1) {
            return Result.err(Errno.EINVAL);
        }
        if (s.runtime.state == OPEN || s.runtime.state != s1.runtime.state) {
            return Result.err(Errno.EBADFD);
        }
        if (s1.group != null) {
            return Result.err(Errno.EALREADY);
        }
        if (s.group == null) {
            new PcmGroup().assign(s);
        }
        s.group.assign(s1);
        return Result.ok(0L);
    }

    /**
     * snd_pcm_unlink(): EALREADY when not linked; a group left with one member is dissolved, that member unlinked
     * too.
     */
    static Result<Long> unlink(Substream s) {
        PcmGroup g = s.group;
        if (g == null) {
            return Result.err(Errno.EALREADY);
        }
        g.relinkToLocal(s);
        if (g.members.size() == 1) {
            g.relinkToLocal(g.members.getFirst());
        }
        return Result.ok(0L);
    }

}
