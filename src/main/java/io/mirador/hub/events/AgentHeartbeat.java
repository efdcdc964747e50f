package io.mirador.hub.events;

/**
 * An agent's {@code heartbeat} event was stored.
 *
 * @param checksRevision the revision of the check assignment the agent says it applied, or -1 when it reports none
 */
public record AgentHeartbeat(String agent, long checksRevision) implements HubEvent {
}
