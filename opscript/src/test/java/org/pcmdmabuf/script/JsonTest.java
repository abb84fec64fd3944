package org.pcmdmabuf.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What the JSON writer prints, and what it refuses to: a value no JSON reader would take. */
class JsonTest {
    @Test
    void numbersAreJsonNumbers() {
        assertEquals("[1,0.25,-3]", Json.value(List.of(1, 0.25, -3L)));
        assertEquals("0.250", Json.decimal(0.25));
    }

    @Test
    void nanAndTheInfinitiesAreABugNotOutput() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertThrows(IllegalStateException.class, () -> Json.decimal(bad));
            assertThrows(IllegalStateException.class, () -> Json.value(bad));
            assertThrows(IllegalStateException.class, () -> Json.value(List.of(1.0, bad)));
            assertThrows(IllegalStateException.class, () -> Json.value((float) bad));
        }
    }
}
