package org.pcmdmabuf.sim;

import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.LongConsumer;

/**
 * The one place virtual time moves. Events run in (time, insertion) order; between events the hardware
 * runs ({@code advance}), stopping at every hardware interrupt ({@code nextInterrupt}) so that whoever waits
 * on one is woken at the right nanosecond. Nothing here reads a wall clock.
 */
public final class EventLoop {
    /** {@code unseen}: null, or whether the event may run before the hardware has run up to its time. */
    private record Event(long at, long seq, String label, Runnable action, BooleanSupplier unseen) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final LongConsumer advance;
    private final LongSupplier nextInterrupt;
    private long now;
    private long seq;
    private long executed;
    private long ranAhead;
    private boolean runAhead;

    /**
     * @param advance       lets the hardware run for the given nanoseconds
     * @param nextInterrupt nanoseconds to the next hardware interrupt, or -1 when none is pending
     */
    public EventLoop(LongConsumer advance, LongSupplier nextInterrupt) {
        this.advance = advance;
        this.nextInterrupt = nextInterrupt;
    }

    public long now() {
        return now;
    }

    public long executed() {
        return executed;
    }

    /** Of {@link #executed()}, the events that ran ahead of their time. */
    public long ranAhead() {
        return ranAhead;
    }

    public void at(long time, String label, Runnable action) {
        at(time, label, action, null);
    }

    /**
     * As {@link #at}, for an event the hardware may not see. When it is the next event, no interrupt comes
     * at or before its time and {@code unseen} answers true, it runs at once, and the hardware then runs past
     * its time in one step instead of stopping there. {@code unseen} must answer true only when neither can
     * tell the other ran first, and the action must take its time from where it was scheduled, not from
     * {@link #now()}: the run is then the same as if the event had run at its time, in fewer steps.
     */
    public void atUnseen(long time, String label, Runnable action, BooleanSupplier unseen) {
        at(time, label, action, unseen);
    }

    private void at(long time, String label, Runnable action, BooleanSupplier unseen) {
        if (time < now) {
            throw new IllegalArgumentException("event '" + label + "' scheduled in the past: " + time + " < " + now);
        }
        queue.add(new Event(time, seq++, label, action, unseen));
    }

    /**
     * Lets {@link #atUnseen} events run ahead of their time. Off by default: whoever turns it on says that
     * nothing it records depends on where the hardware's time steps end.
     */
    public void runAhead(boolean on) {
        runAhead = on;
    }

    public void after(long delay, String label, Runnable action) {
        at(now + Math.max(0, delay), label, action);
    }

    /**
     * Runs every event up to {@code end}, letting the hardware run in between, and stops at {@code end};
     * {@code progress} hears the virtual time every few thousand steps.
     */
    public void runUntil(long end, LongConsumer progress) {
        int steps = 0;
        while (true) {
            if (++steps % 4096 == 0) {
                progress.accept(now);
            }
            Event next = queue.peek();
            if (next != null && next.at <= now) {
                run(next);
                continue;
            }
            long target = next == null ? end : Math.min(end, next.at);
            if (now >= target) {
                return;
            }
            long irq = nextInterrupt.getAsLong();
            if (runAhead && next != null && next.unseen != null && next.at <= end && (irq < 0 || irq > next.at - now)
                    && next.unseen.getAsBoolean()) {
                ranAhead++;
                run(next);
                continue;
            }
            long step = irq < 0 ? target - now : Math.min(target - now, irq);
            // Time moves first, so whatever an interrupt wakes is scheduled at the interrupt's time.
            now += step;
            advance.accept(step);
        }
    }

    private void run(Event e) {
        queue.poll();
        executed++;
        e.action.run();
    }
}
