package io.mirador.model;

import static io.mirador.model.InvalidEventException.require;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code register} and {@code heartbeat}: who the agent is and how it is doing.
 *
 * @param interval the agent's heartbeat interval in seconds, so the hub can judge staleness per agent
 * @param counters the agent's own counters (spool evictions, dropped batches…), reported as they are
 * @param subscriptions the check subscriptions the agent declares ({@code agent.subscriptions}); absent on the wire
 *     (an older agent) it is empty, which the hub reads as {@code ["all"]}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AgentInfo(
    String id,
    String hostname,
    List<String> ips,
    String os,
    String version,
    boolean busy,
    long startedAt,
    int interval,
    Map<String, Long> counters,
    List<String> subscriptions) implements EventBody {

  /**
   * Counter: the revision of the last check assignment the agent applied (absent before its first), so that the hub
   * sees an agent that missed a push and sends it again.
   */
  public static final String CHECKS_REVISION = "checks_revision";

  /**
   * Counter: check runs the agent skipped because the previous run of the same check was still going (a timeout
   * longer than the interval, or a run slower than its interval), since the agent started.
   */
  public static final String CHECKS_SKIPPED_OVERLAP = "checks_skipped_overlap";

  public AgentInfo {
    ips = ips == null ? List.of() : ips;
    counters = counters == null ? Map.of() : counters;
    subscriptions = subscriptions == null ? List.of() : subscriptions;
  }

  @Override
  public void validate() {
    require(id != null && Envelope.AGENT_ID.matcher(id).matches(), "agent id must match " + Envelope.AGENT_ID.pattern());
    require(hostname != null && !hostname.isBlank() && hostname.length() <= 255, "hostname is required (at most 255 chars)");
    require(ips.size() <= 64 && ips.stream().allMatch(ip -> ip != null && ip.length() <= 64), "ips must be a list of at most 64 addresses");
    require(interval >= 0, "interval must not be negative");
    require(subscriptions.size() <= 64 && subscriptions.stream().allMatch(s -> s != null && Envelope.NAME.matcher(s).matches()),
        "subscriptions must be a list of at most 64 names matching " + Envelope.NAME.pattern());
  }
}
