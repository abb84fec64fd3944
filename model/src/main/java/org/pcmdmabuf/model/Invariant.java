package org.pcmdmabuf.model;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The model's invariants by name, in the order a check reports them: when several are broken, the first is
 * the one described. {@code Invariants} states each rule and holds its one predicate.
 */
public enum Invariant {
    FILE_HOLDERS_LIVE,
    FILE_COUNT,
    DMABUF_UNRELEASED,
    BUFFER_HOLDERS_LIVE,
    BUFFER_REFCOUNT,
    CARD_CHARGED,
    ATTACHMENT_LISTED_LIVE,
    ATTACHMENT_LISTED_HELD,
    ATTACHMENTS_LISTED,
    RUNTIME_ATTACHMENT_LIVE,
    SUBSTREAM_OPENS,
    SUBSTREAM_MMAP_COUNT,
    SUBSTREAM_GROUP,
    RUNTIME_EXPORT,
    RUNTIME_BUFFER,
    RUNTIME_POINTERS_UNSET,
    RUNTIME_POINTERS_BOUNDED,
    RUNTIME_AVAIL,
    EXITED_HOLDS_NOTHING,
    NOTHING_LEFT;

    private static final Invariant[] ALL = values();

    /**
     * Its bit in a set of broken invariants held in a long, which the check after every op keeps without
     * allocating; so there are at most 64.
     */
    long bit() {
        return 1L << ordinal();
    }

    /** The invariants whose {@link #bit}s are set in {@code bits}, in report order. */
    static Set<Invariant> of(long bits) {
        EnumSet<Invariant> set = EnumSet.noneOf(Invariant.class);
        for (Invariant i : ALL) {
            if ((bits & i.bit()) != 0) {
                set.add(i);
            }
        }
        return Collections.unmodifiableSet(set);
    }
}
