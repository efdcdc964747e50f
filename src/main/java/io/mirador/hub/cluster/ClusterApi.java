package io.mirador.hub.cluster;

import io.mirador.hub.security.Access;
import io.mirador.hub.security.Role;
import io.mirador.hub.web.Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;

/**
 * GET /api/v1/cluster: the hub nodes (up while they said they were alive within {@code downAfterMs}, down after) and,
 * for each piece of single-owner work, the node that holds its lease now and since when.
 */
public final class ClusterApi implements Api {

  private final NodeStore nodes;
  private final LeaseStore leases;
  private final long downAfterMs;

  public ClusterApi(NodeStore nodes, LeaseStore leases, long downAfterMs) {
    this.nodes = nodes;
    this.leases = leases;
    this.downAfterMs = downAfterMs;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/v1/cluster").handler(Access.requires(Role.VIEWER)).handler(this::cluster);
  }

  private void cluster(RoutingContext ctx) {
    nodes.nodes().compose(seen -> leases.all().map(held -> {
      JsonArray nodeList = new JsonArray();
      seen.nodes().forEach(node -> nodeList.add(node.toJson().put("status", status(node, seen.now()))));
      JsonArray owners = new JsonArray();
      held.stream().sorted(Comparator.comparing(Lease::name)).forEach(lease -> owners.add(new JsonObject()
          .put("role", lease.name()).put("node", LocalNode.nodeOf(lease.owner())).put("owner", lease.owner())
          .put("since", lease.since()).put("token", lease.token()).put("expiresAt", lease.expiresAt())));
      return new JsonObject().put("now", seen.now()).put("nodes", nodeList).put("owners", owners);
    })).onSuccess(body -> Api.ok(ctx, body)).onFailure(ctx::fail);
  }

  /** {@code up} or {@code down}, judged on the store's clock like {@code lastSeen}. */
  public String status(HubNode node, long now) {
    return now - node.lastSeen() <= downAfterMs ? "up" : "down";
  }
}
