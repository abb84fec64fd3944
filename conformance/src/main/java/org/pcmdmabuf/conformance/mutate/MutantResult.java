package org.pcmdmabuf.conformance.mutate;

/** A mutant, what validate made of it and how long that took (wall clock, seconds). */
public record MutantResult(Mutant mutant, Outcome outcome, double seconds) {
}
