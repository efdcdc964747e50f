package io.mirador.hub.events;

/** The alert role stored transitions of alerts (count: how many changed, firing: how many fire now), for whoever shows them. */
public record AlertsChanged(int count, int firing) implements HubEvent {
}
