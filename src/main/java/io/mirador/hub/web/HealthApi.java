package io.mirador.hub.web;

import io.mirador.config.Settings;
import io.mirador.hub.cluster.ClusterApi;
import io.mirador.hub.cluster.LocalNode;
import io.mirador.hub.cluster.NodeStore;
import io.mirador.store.StoreBackend;
import io.mirador.transport.TransportStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * GET /api/v1/health: which node answered, whether the store and the broker connections of this node are up, the
 * Hazelcast members it sees, and the hub nodes it sees in the store with their status. 503 when a check is down.
 */
public final class HealthApi implements Api {

  private final Vertx vertx;
  private final StoreBackend store;
  private final NodeStore nodes;
  private final ClusterApi cluster;
  private final String storeCheckName;

  public HealthApi(Vertx vertx, JsonObject config, StoreBackend store, NodeStore nodes, ClusterApi cluster) {
    this.vertx = vertx;
    this.store = store;
    this.nodes = nodes;
    this.cluster = cluster;
    // DESIGN §5 names the production store's check after it ("redis"); the embedded one stays "store"
    this.storeCheckName = "redis".equals(Settings.section(config, "store").getString("type")) ? "redis" : "store";
  }

  @Override
  public void mount(Router router) {
    // open (SecurityApi.isOpen): load balancers and probes ask it without a token, and it must answer 503 when the
    // store that keeps the tokens is down; it shows statuses, no secret
    router.get("/api/v1/health").handler(this::health);
  }

  private void health(RoutingContext ctx) {
    JsonObject checks = new JsonObject();
    Future<Void> storeCheck = store.ping()
        .onSuccess(ok -> checks.put(storeCheckName, new JsonObject().put("status", "UP")))
        .recover(e -> {
          checks.put(storeCheckName, new JsonObject().put("status", "DOWN").put("detail", e.getMessage()));
          return Future.succeededFuture();
        });
    // the broker connections this node's transports hold (rabbitmq), when it runs any
    TransportStatus.of(vertx).checks().forEach(checks::put);
    if (vertx.isClustered()) {
      List<String> members = ((VertxInternal) vertx).clusterManager().getNodes();
      checks.put("cluster", new JsonObject().put("status", "UP").put("nodes", members.size()));
    }
    JsonArray hubNodes = new JsonArray();
    Future<Void> nodeList = storeCheck.compose(done -> nodes.nodes()).map(seen -> {
      seen.nodes().forEach(node -> hubNodes.add(new JsonObject().put("id", node.id()).put("status", cluster.status(node, seen.now()))
          .put("lastSeen", node.lastSeen())));
      return (Void) null;
    }).otherwiseEmpty();
    nodeList.onComplete(done -> {
      boolean up = checks.stream().allMatch(check -> "UP".equals(((JsonObject) check.getValue()).getString("status")));
      Api.reply(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN").put("node", LocalNode.of(vertx).id())
          .put("checks", checks).put("nodes", hubNodes));
    });
  }
}
