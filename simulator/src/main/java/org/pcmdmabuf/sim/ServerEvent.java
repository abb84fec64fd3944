package org.pcmdmabuf.sim;

import java.util.Locale;
import org.pcmdmabuf.script.Json;

/**
 * What a server reconfiguration or restart in the middle of a run gave on the scenario's design.
 *
 * @param kind          {@code reconfigure} or {@code restart}
 * @param atNs          when the server began it
 * @param refused       the server's calls the clients' fds refused meanwhile: HW_PARAMS given {@code EBADFD}
 *                      (DESIGN-RESTRICT-MMAP-BLOCKS) at a reconfiguration, the open of the device given {@code EBUSY}
 *                      (DESIGN-RESTRICT-PINS) at a restart
 * @param recoveredAtNs when the last client had switched to the new buffer and written into it, or -1 if the run
 *                      ended first
 * @param framesLost    the frames the device did not play as the clients wrote them, from the event until a buffer
 *                      after the clients switched: the frames of the time its stream was stopped, plus the integrity
 *                      errors judged in that window (a frame the client wrote into the old buffer is never played:
 *                      the device plays silence in its place, judged missing)
 * @param oldBufferEnodev the clients' {@code DMA_BUF_IOCTL_SYNC} calls on the old dma-buf that gave {@code ENODEV}
 *                      (it was orphaned, LIFETIME-ENODEV) before they learnt of the event
 */
public record ServerEvent(String kind, long atNs, long refused, long recoveredAtNs, long framesLost,
                          long oldBufferEnodev) {

    /** The errno the design refuses the server's call with, for the report. */
    static String refusal(String kind) {
        return kind.equals("reconfigure") ? "HW_PARAMS refused (EBADFD)" : "open refused (EBUSY)";
    }

    /** Time from the event until the clients were back, in microseconds (to the end of the run if they never were). */
    public long recoveryUs(long durationNs) {
        return ((recoveredAtNs < 0 ? durationNs : recoveredAtNs) - atNs) / 1000;
    }

    String text(long durationNs) {
        return String.format(Locale.ROOT, "server %s at %d ns: %s %d times, %s, frames lost %d,"
                        + " syncs on the old dma-buf refused (ENODEV) %d%n", kind, atNs, refusal(kind), refused,
                recoveredAtNs < 0 ? "clients not back by the end" : "clients back after " + recoveryUs(durationNs)
                        + " us", framesLost, oldBufferEnodev);
    }

    String json(long durationNs) {
        return "{\"at_ns\":" + atNs + ",\"refused\":" + refused + ",\"refusal\":" + Json.string(kind.equals("reconfigure") ? "EBADFD" : "EBUSY") + ",\"recovered\":" + (recoveredAtNs >= 0)
                + ",\"recovery_us\":" + recoveryUs(durationNs) + ",\"frames_lost\":" + framesLost
                + ",\"old_buffer_enodev\":" + oldBufferEnodev + "}";
    }

    /** The event's figures as the server and its clients gather them during the run. */
    static final class Tracker {
        final String kind;
        final long atNs;
        long refused;
        long recoveredAtNs = -1;
        long silentFrames;
        long windowErrors;
        long oldBufferEnodev;
        /** Clients still to switch. */
        int pending;
        /** Each client's integrity errors when the event began (by client index), to count the window's. */
        long[] errorsAtStart;
        boolean windowClosed;

        Tracker(String kind, long atNs) {
            this.kind = kind;
            this.atNs = atNs;
        }

        ServerEvent outcome() {
            return new ServerEvent(kind, atNs, refused, recoveredAtNs, silentFrames + windowErrors, oldBufferEnodev);
        }
    }
}
