package org.pcmdmabuf.model;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The invariant check trusts World.Live's change count to know when to copy a set: every change must move it. */
class LiveSetTest {
    private static void moves(Consumer<World.Live<Integer>> change) {
        World.Live<Integer> live = new World.Live<>();
        live.addAll(List.of(1, 2, 3));
        long before = live.changes();
        change.accept(live);
        assertNotEquals(before, live.changes());
    }

    @Test
    void everyWayToChangeTheSetCounts() {
        moves(s -> s.add(4));
        moves(s -> s.remove(2));
        moves(World.Live::clear);
        moves(s -> s.removeIf(x -> x == 1));
        moves(s -> s.removeAll(List.of(3)));
        moves(s -> s.retainAll(List.of(1)));
        moves(s -> {
            var it = s.iterator();
            it.next();
            it.remove();
        });
    }
}
