package io.mirador.hub.events;

/** A central check definition was created, replaced or removed; {@code revision} is the set's revision after it. */
public record ChecksChanged(String name, long revision) implements HubEvent {
}
