package io.mirador.hub.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.List;
import java.util.UUID;

/**
 * This process's hub node, as every verticle of it sees it (verticles deployed by name cannot be handed objects, and
 * one redeployed by Vert.x HA on a survivor must see the survivor). Lease owners are named after it.
 */
public final class LocalNode {

  private static final String MAP = "mirador.node";
  private static final String KEY = "node";

  private LocalNode() {
  }

  public static void set(Vertx vertx, HubNode node) {
    vertx.sharedData().<String, Holder>getLocalMap(MAP).put(KEY, new Holder(node));
  }

  /** This process's node; one made up on the spot when nothing set it (a verticle deployed on its own, in a test). */
  public static HubNode of(Vertx vertx) {
    LocalMap<String, Holder> map = vertx.sharedData().getLocalMap(MAP);
    return map.computeIfAbsent(KEY, key -> new Holder(new HubNode(UUID.randomUUID().toString(), "127.0.0.1", -1, List.of(),
        System.currentTimeMillis(), System.currentTimeMillis()))).node();
  }

  /** A lease owner name unique to one verticle instance of this node: {@code <node id>/<role>/<random>}. */
  public static String owner(Vertx vertx, String role) {
    return of(vertx).id() + "/" + role + "/" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The node id part of an owner name made by {@link #owner}. */
  public static String nodeOf(String owner) {
    int slash = owner.indexOf('/');
    return slash < 0 ? owner : owner.substring(0, slash);
  }

  private record Holder(HubNode node) implements Shareable {
  }
}
