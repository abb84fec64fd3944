package org.pcmdmabuf.sim;

import java.util.HashMap;
import java.util.Map;
import org.pcmdmabuf.model.DmaClock;
import org.pcmdmabuf.model.DmaObserver;
import org.pcmdmabuf.model.Stamp;
import org.pcmdmabuf.model.Substream;

/**
 * The data-integrity checker. Every frame a client writes carries its stamp (client, frame); every frame the
 * playback DMA consumes is compared with the stamp it should carry, and every frame a capture client reads
 * with the device's. Verdicts: good; stale (the client wrote the frame but the device saw an older one:
 * a cache or sync problem); duplicated (the device replayed an old frame the client never replaced: late);
 * missing (nothing, or a newer frame overwrote it before it was played); torn (a frame of mixed words).
 */
public final class Integrity implements DmaObserver {
    /** Who owns the frames of a stream, and what each owner wrote. */
    static final class Stream {
        final ClientStats[] owners;
        final int[] sources;
        final long periodFrames;
        final long bufferFrames;
        final long[] writtenUpTo;
        /** By ring slot: when the frame there was last written; kept for the first frame of each period. */
        final long[] writeTime;
        final boolean[] retired;
        /** The advance the DMA is in: when it began, its clock, and the frames moved in it so far. */
        long advanceStartNs;
        DmaClock clock;
        long moved;

        Stream(ClientStats[] owners, int[] sources, long periodFrames, long bufferFrames) {
            this.owners = owners;
            this.sources = sources;
            this.periodFrames = periodFrames;
            this.bufferFrames = bufferFrames;
            this.writtenUpTo = new long[owners.length];
            this.writeTime = new long[(int) bufferFrames];
            this.retired = new boolean[owners.length];
        }

        /**
         * When the DMA had moved the advance's {@code k}-th frame: the moment a frame was played or captured, the
         * same however time was cut into steps (the loop's clock is where the current step ends).
         */
        long movedAt(long k, long now) {
            return clock == null ? now : advanceStartNs + clock.nanosUntil(k);
        }

        /** The owner index of a frame: with several owners, each has every N-th period. */
        int owner(long frame) {
            return ownerOf(frame, periodFrames, owners.length);
        }

        static int ownerOf(long frame, long periodFrames, int owners) {
            return owners == 1 ? 0 : (int) ((frame / periodFrames) % owners);
        }
    }

    enum Verdict { GOOD, STALE, TORN, MISSING, DUPLICATED }

    private final Map<Substream, Stream> streams = new HashMap<>();
    private final Map<Substream, Runnable> onPeriod = new HashMap<>();
    private final Map<Substream, long[]> captureTime = new HashMap<>();
    private final EventLoop loop;
    private final TraceLog trace;
    private long lastErrorTraceNs = -1;

    Integrity(EventLoop loop, TraceLog trace) {
        this.loop = loop;
        this.trace = trace;
    }

    void watch(Substream s, ClientStats[] owners, int[] sources, long periodFrames, long bufferFrames) {
        streams.put(s, new Stream(owners, sources, periodFrames, bufferFrames));
    }

    void onPeriod(Substream s, Runnable r) {
        onPeriod.put(s, r);
    }

    /** A client wrote frames [from, to) of {@code s} now. */
    void wrote(Substream s, int owner, long from, long to) {
        Stream st = streams.get(s);
        if (st == null) {
            // A stream the server stopped to reconfigure or lost at its restart: no frame of it is judged now.
            return;
        }
        st.writtenUpTo[owner] = Math.max(st.writtenUpTo[owner], to);
        // Latency is taken at a period's first frame only (played()), so only those frames' slots are stamped.
        long firstStart = Math.ceilDiv(from, st.periodFrames) * st.periodFrames;
        for (long f = firstStart; f < to; f += st.periodFrames) {
            st.writeTime[(int) (f % st.bufferFrames)] = loop.now();
        }
    }

    /** The owner's client is gone; its frames are no longer judged. */
    void retire(Substream s, int owner) {
        Stream st = streams.get(s);
        if (st != null) {
            st.retired[owner] = true;
        }
    }

    void forget(Substream s) {
        streams.remove(s);
        onPeriod.remove(s);
    }

    @Override
    public void advancing(Substream s, long ns, DmaClock clock) {
        Stream st = streams.get(s);
        if (st != null) {
            st.advanceStartNs = loop.now() - ns;
            st.clock = clock;
            st.moved = 0;
        }
    }

    @Override
    public void played(Substream s, long firstFrame, int frames, long[] words, int wordsPerFrame) {
        Stream st = streams.get(s);
        if (st == null) {
            return;
        }
        if (wordsPerFrame == 1) {
            playedWords(st, firstFrame, frames, words);
        } else {
            playedFrames(st, firstFrame, frames, words, wordsPerFrame);
        }
        st.moved += frames;
    }

    private void playedFrames(Stream st, long firstFrame, int frames, long[] words, int wordsPerFrame) {
        long[] one = new long[wordsPerFrame];
        // The frame's place in its period, stepped rather than divided for: this runs for every frame played.
        long phase = firstFrame % st.periodFrames;
        int owner = st.owner(firstFrame);
        for (int i = 0; i < frames; i++, phase = phase + 1 == st.periodFrames ? 0 : phase + 1) {
            long frame = firstFrame + i;
            if (phase == 0) {
                owner = st.owner(frame);
            }
            if (st.retired[owner]) {
                continue;
            }
            System.arraycopy(words, i * wordsPerFrame, one, 0, wordsPerFrame);
            judged(st, owner, frame, phase, classify(one, st.sources[owner], frame, st.writtenUpTo[owner] > frame),
                    st.moved + i + 1);
        }
    }

    /**
     * {@link #played} of one-word frames, a period's part at a time (one owner): the run of frames carrying
     * exactly their stamps, the common case, is counted good in one step; the rest are judged one by one.
     */
    private void playedWords(Stream st, long firstFrame, int frames, long[] words) {
        long phase = firstFrame % st.periodFrames;
        int i = 0;
        while (i < frames) {
            long frame = firstFrame + i;
            int owner = st.owner(frame);
            int end = (int) Math.min(frames, i + (st.periodFrames - phase));
            if (!st.retired[owner]) {
                ClientStats c = st.owners[owner];
                int source = st.sources[owner];
                int good = Stamp.mismatch(words, i, end, source, frame);
                c.good += good - i;
                if (good > i && phase == 0) {
                    periodStartPlayed(st, c, frame, st.moved + i + 1);
                }
                for (int k = good; k < end; k++) {
                    long f = firstFrame + k;
                    judged(st, owner, f, phase + (k - i),
                            classifyWord(words[k], source, f, st.writtenUpTo[owner] > f), st.moved + k + 1);
                }
            }
            i = end;
            phase = 0;
        }
    }

    /** A period's first frame, the advance's {@code k}-th, was played good: a write-to-DMA latency sample. */
    private void periodStartPlayed(Stream st, ClientStats c, long frame, long k) {
        c.latency(st.movedAt(k, loop.now()) - st.writeTime[(int) (frame % st.bufferFrames)]);
    }

    /**
     * Counts a frame's verdict, the advance's {@code k}-th frame: a good period start gives a latency sample, an
     * error a trace mark.
     */
    private void judged(Stream st, int owner, long frame, long phase, Verdict v, long k) {
        ClientStats c = st.owners[owner];
        count(c, v);
        if (v == Verdict.GOOD && phase == 0) {
            periodStartPlayed(st, c, frame, k);
        } else if (v != Verdict.GOOD && loop.now() != lastErrorTraceNs) {
            lastErrorTraceNs = loop.now();
            trace.instant("integrity errors", c.name + ": " + v.name().toLowerCase(java.util.Locale.ROOT)
                    + " frame " + frame, loop.now());
        }
    }

    @Override
    public void captured(Substream s, long frame) {
        Stream st = streams.get(s);
        if (st != null) {
            st.moved++;
            long[] times = captureTime.computeIfAbsent(s, k -> new long[(int) st.bufferFrames]);
            // only a period's first frame is read for latency (readLatency())
            if (frame % st.periodFrames == 0) {
                times[(int) (frame % st.bufferFrames)] = st.movedAt(st.moved, loop.now());
            }
        }
    }

    /** A capture client read frame {@code frame}: its latency from the DMA write, once per period. */
    void readLatency(Substream s, ClientStats c, long frame) {
        Stream st = streams.get(s);
        long[] times = captureTime.get(s);
        if (st != null && times != null && frame % st.periodFrames == 0) {
            c.latency(loop.now() - times[(int) (frame % st.bufferFrames)]);
        }
    }

    @Override
    public void xrun(Substream s) {
        Stream st = streams.get(s);
        if (st != null) {
            for (ClientStats c : st.owners) {
                c.xruns++;
            }
            trace.instant("xruns", "xrun " + s, loop.now());
        }
    }

    @Override
    public void periodElapsed(Substream s) {
        if (trace.records()) {
            trace.instant("DMA " + s, "period", loop.now());
        }
        Runnable r = onPeriod.get(s);
        if (r != null) {
            r.run();
        }
    }

    static void count(ClientStats c, Verdict v) {
        switch (v) {
            case GOOD -> c.good++;
            case STALE -> c.stale++;
            case TORN -> c.torn++;
            case MISSING -> c.missing++;
            case DUPLICATED -> c.duplicated++;
        }
    }

    /**
     * The verdict on one frame that should carry {@code source}'s stamp for {@code frame}; {@code written} says
     * whether the writer had written it (an old stamp is then stale, else duplicated).
     */
    static Verdict classify(long[] words, int source, long frame, boolean written) {
        Verdict verdict = null;
        for (long w : words) {
            Verdict v = classifyWord(w, source, frame, written);
            if (verdict == null) {
                verdict = v;
            } else if (verdict != v) {
                return Verdict.TORN;
            }
        }
        return verdict == null ? Verdict.MISSING : verdict;
    }

    /** The verdict on one word (a whole frame when frames are one word). */
    static Verdict classifyWord(long w, int source, long frame, boolean written) {
        if (w == Stamp.of(source, frame)) {
            return Verdict.GOOD;
        }
        if (w == 0) {
            return Verdict.MISSING;
        }
        if (Stamp.source(w) != source) {
            return Verdict.TORN;
        }
        if (Stamp.frame(w) < frame) {
            return written ? Verdict.STALE : Verdict.DUPLICATED;
        }
        return Verdict.MISSING;
    }
}
