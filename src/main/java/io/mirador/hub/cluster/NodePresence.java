package io.mirador.hub.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the store, every {@code beatMs}, that this hub node is alive, so every node can list the cluster and judge
 * which nodes are up; a clean stop removes the entry at once, a killed node is judged down after {@code downAfterMs}.
 */
public final class NodePresence {

  private static final Logger LOG = LoggerFactory.getLogger(NodePresence.class);

  private final Vertx vertx;
  private final NodeStore nodes;
  private final long beatMs;
  private long timer = -1;
  private boolean failing;

  public NodePresence(Vertx vertx, NodeStore nodes, long beatMs) {
    this.vertx = vertx;
    this.nodes = nodes;
    this.beatMs = beatMs;
  }

  public Future<Void> start() {
    timer = vertx.setPeriodic(beatMs, id -> beat());
    return nodes.beat(LocalNode.of(vertx)).otherwiseEmpty();
  }

  private void beat() {
    nodes.beat(LocalNode.of(vertx)).onComplete(done -> {
      if (done.failed() && !failing) {
        LOG.warn("hub node {} could not say it is alive: {}", LocalNode.of(vertx).id(), done.cause().toString());
      }
      failing = done.failed();
    });
  }

  public Future<Void> stop() {
    vertx.cancelTimer(timer);
    return nodes.remove(LocalNode.of(vertx).id()).otherwiseEmpty();
  }
}
