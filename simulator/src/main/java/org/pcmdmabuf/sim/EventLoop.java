package org.pcmdmabuf.sim;

import java.util.PriorityQueue;
import java.util.function.LongSupplier;
import java.util.function.LongConsumer;

/**
 * The one place virtual time moves. Events run in (time, insertion) order; between events the hardware
 * runs ({@code advance}), stopping at every hardware interrupt ({@code nextInterrupt}) so that whoever waits
 * on one is woken at the right nanosecond. Nothing here reads a wall clock.
 */
public final class EventLoop {
    private record Event(long at, long seq, String label, Runnable action) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final LongConsumer advance;
    private final LongSupplier nextInterrupt;
    private long now;
    private long seq;
    private long executed;

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

    public void at(long time, String label, Runnable action) {
        if (time < now) {
            throw new IllegalArgumentException("event '" + label + "' scheduled in the past: " + time + " < " + now);
        }
        queue.add(new Event(time, seq++, label, action));
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
                queue.poll();
                executed++;
                next.action.run();
                continue;
            }
            long target = next == null ? end : Math.min(end, next.at);
            if (now >= target) {
                return;
            }
            long irq = nextInterrupt.getAsLong();
            long step = irq < 0 ? target - now : Math.min(target - now, irq);
            // Time moves first, so whatever an interrupt wakes is scheduled at the interrupt's time.
            now += step;
            advance.accept(step);
        }
    }
}
