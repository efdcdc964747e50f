package io.mirador.store;

import java.util.List;
import java.util.Map;

/**
 * An agent as the registry holds it.
 *
 * @param interval      the agent's heartbeat interval in seconds
 * @param lastSeen      when the hub last stored any event of the agent, epoch ms
 * @param statusSince   when {@code status} last changed, epoch ms
 * @param agentCounters counters the agent reports about itself (outbox drops, spool evictions…)
 * @param subscriptions the check subscriptions the agent declared; empty when it declared none (read as {@code ["all"]})
 */
public record AgentRecord(
    String id,
    String hostname,
    List<String> ips,
    String os,
    String version,
    boolean busy,
    long startedAt,
    int interval,
    long registeredAt,
    long lastSeen,
    AgentStatus status,
    long statusSince,
    IngestCounters ingest,
    Map<String, Long> agentCounters,
    List<String> subscriptions) {

  public AgentRecord {
    subscriptions = subscriptions == null ? List.of() : subscriptions;
  }
}
