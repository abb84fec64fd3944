package org.pcmdmabuf.conformance.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The split of a campaign's space: every item in exactly one shard, the same items for the same K/N. */
class ShardTest {
    @Test
    void theShardsOfACountPartitionTheSpaceInOrder() {
        for (int total = 0; total <= 23; total++) {
            List<Integer> all = IntStream.range(0, total).boxed().toList();
            for (int n = 1; n <= 7; n++) {
                List<Integer> union = new ArrayList<>();
                for (int k = 1; k <= n; k++) {
                    Shard s = new Shard(k, n);
                    List<Integer> mine = s.of(all);
                    assertEquals(s.size(total), mine.size(), s + " of " + total);
                    for (int i : mine) {
                        assertTrue(s.has(i), s + " has " + i);
                    }
                    union.addAll(mine);
                }
                assertEquals(all, union.stream().sorted().toList(), total + " items in " + n + " shards");
                assertEquals(total, union.size(), "no item in two shards of " + n);
            }
        }
    }

    /**
     * For every N in 1..6 and spaces of any size: each position is in exactly one of the N shards ({@code has} and
     * {@code of} agree), so their union is the whole space and they are disjoint.
     */
    @Test
    void forEveryCountTheShardsAreDisjointAndCoverTheSpace() {
        qt().withExamples(300).withFixedSeed(Long.getLong("pcmdmabuf.seed", 1L))
                .forAll(integers().between(1, 6), integers().between(0, 2000))
                .checkAssert((n, total) -> {
                    List<Integer> all = IntStream.range(0, total).boxed().toList();
                    int[] owners = new int[total];
                    List<Integer> union = new ArrayList<>();
                    for (int k = 1; k <= n; k++) {
                        Shard s = new Shard(k, n);
                        List<Integer> mine = s.of(all);
                        assertEquals(s.size(total), mine.size(), s + " of " + total);
                        for (int i = 0; i < total; i++) {
                            owners[i] += s.has(i) ? 1 : 0;
                        }
                        union.addAll(mine);
                    }
                    for (int i = 0; i < total; i++) {
                        assertEquals(1, owners[i], "position " + i + " of " + total + " in " + n + " shards");
                    }
                    assertEquals(all, union.stream().sorted().toList(), total + " items in " + n + " shards");
                });
    }

    @Test
    void parsesKOfN() {
        assertEquals(new Shard(2, 4), Shard.parse("2/4"));
        assertEquals("3/3", Shard.parse("3/3").toString());
        assertTrue(Shard.parse("1/1").whole());
    }

    @Test
    void refusesWhatIsNoShardNamingIt() {
        for (String bad : List.of("0/3", "4/3", "a/b", "3", "1/0", "-1/2", "1/2/3", "", "99999999999/2")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("'" + bad + "' is no shard: K/N"), e.getMessage());
        }
    }
}
