package io.mirador.store.memory;

import io.mirador.hub.cluster.HubNode;
import io.mirador.hub.cluster.NodeStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** The node list of one process: standalone has one node, so this mostly shows that one. */
public final class MemoryNodes implements NodeStore {

  private final LongSupplier clock;
  private final Map<String, HubNode> nodes = new LinkedHashMap<>();

  public MemoryNodes() {
    this(System::currentTimeMillis);
  }

  MemoryNodes(LongSupplier clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Future<Void> beat(HubNode node) {
    nodes.put(node.id(), node.seenAt(clock.getAsLong()));
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Nodes> nodes() {
    long now = clock.getAsLong();
    nodes.values().removeIf(node -> now - node.lastSeen() > FORGET_AFTER_MS);
    List<HubNode> list = new ArrayList<>(nodes.values());
    list.sort(Comparator.comparing(HubNode::upSince).thenComparing(HubNode::id));
    return Future.succeededFuture(new Nodes(now, list));
  }

  @Override
  public synchronized Future<Void> remove(String nodeId) {
    nodes.remove(nodeId);
    return Future.succeededFuture();
  }
}
