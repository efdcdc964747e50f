package io.mirador.hub.events;

/** An agent's {@code register} event was stored (it started, or came back with a new configuration). */
public record AgentRegistered(String agent, String hostname) implements HubEvent {
}
