package io.mirador.hub.events;

/**
 * A check changed status on an agent, or started or stopped flapping.
 *
 * @param from the previous status, or null for a first result that is not OK
 */
public record CheckStateChanged(String agent, String check, Integer from, int to, String output, boolean flapping,
    double percentStateChange, long executed) implements HubEvent {
}
