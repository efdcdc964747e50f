package io.mirador.hub.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One hub node as the cluster sees it.
 *
 * @param id       the node's id: the Hazelcast member id in a cluster, a random UUID otherwise; owners of leases name it
 * @param address  the host other nodes reach this one at (cluster.host), or the HTTP host when not clustered
 * @param httpPort the port of its API, or -1 when it runs no web role
 * @param roles    the roles it was started with
 * @param upSince  when it started (ms)
 * @param lastSeen when it last said it was alive (ms, the store's clock)
 */
public record HubNode(String id, String address, int httpPort, List<String> roles, long upSince, long lastSeen) {

  public HubNode {
    roles = List.copyOf(roles);
  }

  public HubNode seenAt(long at) {
    return new HubNode(id, address, httpPort, roles, upSince, at);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("address", address).put("httpPort", httpPort).put("roles", new JsonArray(roles))
        .put("upSince", upSince).put("lastSeen", lastSeen);
  }

  public static HubNode fromJson(JsonObject json) {
    return new HubNode(json.getString("id"), json.getString("address"), json.getInteger("httpPort", -1),
        json.getJsonArray("roles", new JsonArray()).stream().map(String::valueOf).toList(), json.getLong("upSince", 0L),
        json.getLong("lastSeen", 0L));
  }
}
