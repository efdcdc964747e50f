package io.mirador.hub.engine;

import io.mirador.store.AgentRecord;
import io.mirador.store.AgentRegistry;
import io.vertx.core.Vertx;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound on how many agents the registry holds ({@code hub.agents.max}): an event of an agent the hub does not know
 * yet is refused while that many are known, so junk on the ingest queue cannot fill the registry with made-up agents.
 * The engine's view of the registry is read at start and every {@code refreshMs}, and grows with each agent it admits;
 * in a cluster each engine keeps its own view, so the registry can go beyond the bound by at most what the other
 * engines admitted since their last refresh. Agents that stay down expire ({@code hub.agents.expireAfterSeconds}, the
 * heartbeat owner removes them) and free their place.
 */
final class AgentCap {

  private static final Logger LOG = LoggerFactory.getLogger(AgentCap.class);

  private final int max;
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final AgentRegistry registry;
  private final Vertx vertx;
  private final long timer;

  AgentCap(Vertx vertx, AgentRegistry registry, int max, long refreshMs) {
    this.vertx = vertx;
    this.registry = registry;
    this.max = max;
    refresh();
    this.timer = vertx.setPeriodic(refreshMs, id -> refresh());
  }

  private void refresh() {
    registry.agents().onSuccess(agents -> {
      Set<String> ids = ConcurrentHashMap.newKeySet();
      agents.stream().map(AgentRecord::id).forEach(ids::add);
      known.retainAll(ids); // removed or expired ones free their place...
      known.addAll(ids); // ...and the ones other engines admitted take theirs
    }).onFailure(e -> LOG.debug("agent cap: registry not read: {}", e.toString()));
  }

  /** True when events of this agent may be stored: it is known, or there is room for one more. */
  boolean admits(String agentId) {
    if (known.contains(agentId)) {
      return true;
    }
    if (known.size() >= max) {
      return false;
    }
    known.add(agentId);
    return true;
  }

  int max() {
    return max;
  }

  void close() {
    vertx.cancelTimer(timer);
  }
}
