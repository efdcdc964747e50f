package io.mirador.hub.cluster;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where hub nodes say they are alive, so any node can show the whole cluster (GET /api/v1/cluster) even without
 * Hazelcast (hub nodes that share only Redis and RabbitMQ). Times are the store's own clock, so the clocks of the
 * nodes do not matter.
 */
public interface NodeStore {

  /** How long a node that stopped beating stays listed (as down) before it is forgotten. */
  long FORGET_AFTER_MS = 3_600_000;

  /** Records that the node is alive now: its entry with {@code lastSeen} = the store's now. */
  Future<Void> beat(HubNode node);

  /** Every node seen within {@link #FORGET_AFTER_MS}, with the store's now to judge them by. */
  Future<Nodes> nodes();

  /** Forgets a node (a clean stop). */
  Future<Void> remove(String nodeId);

  /** The nodes and the store's clock when they were read. */
  record Nodes(long now, List<HubNode> nodes) {

    public Nodes {
      nodes = List.copyOf(nodes);
    }
  }
}
