package io.mirador.transport;

import io.mirador.metrics.Meters;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BooleanSupplier;

/**
 * Which broker connections the transports of this process hold and whether they are up, for
 * {@code /api/v1/health} and the {@code mirador_transport_up} gauge. One registry per Vert.x instance.
 */
public final class TransportStatus implements Shareable {

  private static final String MAP = "mirador.transport.status";

  private final ConcurrentMap<Object, Link> links = new ConcurrentHashMap<>();
  private final Meters meters;

  private TransportStatus(Meters meters) {
    this.meters = meters;
  }

  public static TransportStatus of(Vertx vertx) {
    Meters meters = Meters.of(vertx);
    return vertx.sharedData().<String, TransportStatus>getLocalMap(MAP).computeIfAbsent("default", key -> new TransportStatus(meters));
  }

  /** Registers one connection of a transport of the given kind (e.g. "rabbitmq"), until {@link #unregister}. */
  public void register(Object owner, String kind, BooleanSupplier connected) {
    links.put(owner, new Link(kind, connected));
    meters.gauge("mirador_transport_up", "1 when every broker connection of this kind on this node is up, else 0",
        Map.of("transport", kind), () -> up(kind) ? 1 : 0);
  }

  public void unregister(Object owner) {
    links.remove(owner);
  }

  /** One health check per transport kind in use here: {@code {"status":"UP"|"DOWN","connections":n,"connected":k}}. */
  public Map<String, JsonObject> checks() {
    Map<String, JsonObject> checks = new TreeMap<>();
    for (Link link : links.values()) {
      JsonObject check = checks.computeIfAbsent(link.kind(), kind -> new JsonObject().put("connections", 0).put("connected", 0));
      check.put("connections", check.getInteger("connections") + 1);
      if (link.connected().getAsBoolean()) {
        check.put("connected", check.getInteger("connected") + 1);
      }
    }
    checks.values().forEach(check -> check.put("status", check.getInteger("connected").equals(check.getInteger("connections")) ? "UP" : "DOWN"));
    return checks;
  }

  private boolean up(String kind) {
    return links.values().stream().filter(link -> link.kind().equals(kind)).allMatch(link -> link.connected().getAsBoolean());
  }

  private record Link(String kind, BooleanSupplier connected) {
  }
}
