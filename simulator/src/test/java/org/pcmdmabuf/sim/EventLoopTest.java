package org.pcmdmabuf.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the loop lets the hardware run, and when an event the hardware may not see runs ahead of its time. */
class EventLoopTest {
    /** The steps the hardware ran, and the loop's time when each event ran. */
    private final List<Long> steps = new ArrayList<>();
    private final List<String> ran = new ArrayList<>();
    /** Absolute time of the one hardware interrupt, or -1. */
    private long interruptAt = -1;
    private final EventLoop loop = new EventLoop(steps::add,
            () -> interruptAt < 0 || interruptAt <= loopNow() ? -1 : interruptAt - loopNow());

    private long loopNow() {
        return loop == null ? 0 : loop.now();
    }

    private void event(long at, String name) {
        loop.at(at, name, () -> ran.add(name + "@" + loop.now()));
    }

    private void unseen(long at, String name, boolean unseen) {
        loop.atUnseen(at, name, () -> ran.add(name + "@" + loop.now()), () -> unseen);
    }

    @Test
    void eventsRunAtTheirTimesWithTheHardwareStoppedAtEach() {
        event(300, "a");
        unseen(100, "noise", true);
        loop.runUntil(500, now -> {
        });
        assertEquals(List.of("noise@100", "a@300"), ran);
        assertEquals(List.of(100L, 200L, 200L), steps);
    }

    @Test
    void anUnseenEventRunsAheadAndTheHardwareRunsPastItsTimeInOneStep() {
        loop.runAhead(true);
        event(300, "a");
        unseen(100, "noise", true);
        unseen(200, "noise2", true);
        loop.runUntil(500, now -> {
        });
        assertEquals(List.of("noise@0", "noise2@0", "a@300"), ran);
        assertEquals(List.of(300L, 200L), steps);
        assertEquals(2, loop.ranAhead());
        assertEquals(3, loop.executed());
    }

    @Test
    void anEventThatMaySeeTheHardwareRunsAtItsTime() {
        loop.runAhead(true);
        unseen(100, "noise", false);
        loop.runUntil(500, now -> {
        });
        assertEquals(List.of("noise@100"), ran);
        assertEquals(List.of(100L, 400L), steps);
        assertEquals(0, loop.ranAhead());
    }

    @Test
    void anInterruptAtOrBeforeTheEventsTimeStopsTheRunAhead() {
        loop.runAhead(true);
        // Whatever the interrupt at 100 wakes is scheduled after the event, as when the event runs at its time.
        interruptAt = 100;
        unseen(100, "noise", true);
        unseen(250, "late", true);
        loop.runUntil(500, now -> {
        });
        assertEquals(List.of("noise@100", "late@100"), ran);
        assertEquals(List.of(100L, 400L), steps);
        assertEquals(1, loop.ranAhead());
    }

    @Test
    void anEventPastTheEndDoesNotRunAhead() {
        loop.runAhead(true);
        unseen(600, "after", true);
        loop.runUntil(500, now -> {
        });
        assertEquals(List.of(), ran);
        assertEquals(List.of(500L), steps);
    }
}
