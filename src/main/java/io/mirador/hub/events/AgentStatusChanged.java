package io.mirador.hub.events;

import io.mirador.store.AgentStatus;

/** The heartbeat role changed an agent's liveness; published by the one caller whose compare-and-set applied it. */
public record AgentStatusChanged(String agent, String hostname, AgentStatus from, AgentStatus to, long at) implements HubEvent {
}
