package io.mirador.hub.checks;

/**
 * The outcome of a put or remove of a check definition.
 *
 * @param existed  whether a definition of that name was there before (put: replaced; remove: removed)
 * @param revision the revision of the whole set of definitions after the call; it grows by one with each change
 */
public record DefinitionChange(boolean existed, long revision) {
}
