package org.pcmdmabuf.model;

import java.util.Set;

/**
 * The model's invariants checked both ways on one state: by the fast recount that runs after every op, and by
 * the full map-based recount that describes what broke, which otherwise runs only once the fast one found
 * something. The fast one is only an optimisation, so it must find exactly what the full one finds.
 *
 * @param fast        the invariants the fast recount found broken; empty when all hold
 * @param full        the invariants the full recount found broken
 * @param description the first of {@code full} described; null when {@code full} is empty
 */
public record InvariantVerdicts(Set<Invariant> fast, Set<Invariant> full, String description) {
}
