package io.mirador.hub.alert.pipeline;

import io.mirador.hub.alert.AlertState;
import io.mirador.hub.alert.Rule;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stage 1, inhibition: while an agent is down (a firing alert of an {@code agent} rule with {@code status: down}), that
 * agent's other alerts — its checks and series, which are failing because it is down — notify nobody. They still show
 * in the API. {@code hub.alert.inhibitWhenAgentDown: false} turns it off.
 */
public final class Inhibitor {

  private final boolean enabled;

  public Inhibitor(boolean enabled) {
    this.enabled = enabled;
  }

  /** The agents whose down alert fires now. */
  public Set<String> downAgents(Collection<AlertState> all, Map<String, Rule> rules) {
    Set<String> down = new HashSet<>();
    if (!enabled) {
      return down;
    }
    for (AlertState alert : all) {
      Rule rule = rules.get(alert.rule());
      if (alert.state() == AlertState.State.FIRING && rule != null && rule.kind() == Rule.Kind.AGENT && rule.status().equals("down")) {
        down.add(alert.labels().get("agent"));
      }
    }
    return down;
  }

  public boolean inhibited(AlertState alert, Set<String> downAgents, Map<String, Rule> rules) {
    if (downAgents.isEmpty()) {
      return false;
    }
    Rule rule = rules.get(alert.rule());
    return (rule == null || rule.kind() != Rule.Kind.AGENT) && downAgents.contains(alert.labels().get("agent"));
  }

  public List<AlertState> filter(List<AlertState> alerts, Set<String> downAgents, Map<String, Rule> rules) {
    return downAgents.isEmpty() ? alerts : alerts.stream().filter(a -> !inhibited(a, downAgents, rules)).toList();
  }
}
