package io.mirador.store;

/** What {@link Store#write} made of an event's sequence number. */
public enum Admission { ACCEPTED, DUPLICATE }
