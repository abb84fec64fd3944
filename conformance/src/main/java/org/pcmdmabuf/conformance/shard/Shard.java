package org.pcmdmabuf.conformance.shard;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shard {@code index} of {@code count} of a campaign's space (explore's seeds, mutate's mutants, the differential's
 * sequences, the fault sweep's cases): the items whose position, from 0, is {@code index - 1} modulo {@code count}.
 * Round robin rather than blocks, so that every shard gets as many of the slow items as of the quick ones wherever
 * they cluster; the shards of one count are disjoint and their union is the whole space.
 */
public record Shard(int index, int count) {
    /** The whole space: what a run without {@code --shard} is. */
    public static final Shard WHOLE = new Shard(1, 1);

    private static final Pattern FORM = Pattern.compile("(\\d{1,9})/(\\d{1,9})");

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("no shard " + index + "/" + count + ": K/N needs 1 <= K <= N");
        }
    }

    /** {@code K/N}, or IllegalArgumentException whose message names {@code text} and the form. */
    public static Shard parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is no shard: K/N, as 2/4, with 1 <= K <= N");
        }
        int k = Integer.parseInt(m.group(1));
        int n = Integer.parseInt(m.group(2));
        if (n < 1 || k < 1 || k > n) {
            throw new IllegalArgumentException("'" + text + "' is no shard: K/N needs 1 <= K <= N");
        }
        return new Shard(k, n);
    }

    /** Whether the item at {@code position} (from 0) is this shard's. */
    public boolean has(long position) {
        return position % count == index - 1;
    }

    /** This shard's items of {@code all}, in their order. */
    public <T> List<T> of(List<T> all) {
        List<T> mine = new ArrayList<>();
        for (int i = index - 1; i < all.size(); i += count) {
            mine.add(all.get(i));
        }
        return mine;
    }

    /** How many of {@code total} items are this shard's. */
    public int size(int total) {
        return total < index ? 0 : (total - index) / count + 1;
    }

    public boolean whole() {
        return count == 1;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
