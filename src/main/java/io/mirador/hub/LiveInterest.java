package io.mirador.hub;

import io.mirador.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Which per-agent live addresses browsers listen to, so that engines build and publish an agent's live samples
 * only while a dashboard shows that agent. Without it every stored batch would be turned into JSON, and in a
 * cluster shipped to every web node, for nobody.
 *
 * <p>Each web verticle keeps a {@link Watchers} of its bridge sockets and announces the addresses they listen to on
 * {@link Addresses#LIVE_INTEREST}: at once when the set changes, and again every {@link #REFRESH_MS}. Engines keep
 * what each web verticle announced until it is {@link #EXPIRY_MS} old, so a web node that is gone stops counting on
 * its own; an engine that starts asks on {@link Addresses#LIVE_INTEREST_QUERY} and learns the current interest
 * within one round trip. A browser that subscribes sees samples from the next stored batch on.
 */
public final class LiveInterest {

  public static final long REFRESH_MS = 5_000;
  static final long EXPIRY_MS = 3 * REFRESH_MS;

  private final LongSupplier clock;
  /** Web verticle id → what it announced last, and when. */
  private final Map<String, Announcement> announced = new HashMap<>();
  private Set<String> watched = Set.of();
  private final MessageConsumer<JsonObject> consumer;
  private final long sweep;
  private final Vertx vertx;

  private record Announcement(Set<String> addresses, long at) {
  }

  /** Follows the announcements; call from the owning verticle's context, and {@link #close} in its stop. */
  public LiveInterest(Vertx vertx) {
    this(vertx, System::currentTimeMillis, REFRESH_MS);
  }

  /** For tests: a clock they drive, and how often announcements are checked for expiry. */
  LiveInterest(Vertx vertx, LongSupplier clock, long sweepMs) {
    this.vertx = vertx;
    this.clock = clock;
    consumer = vertx.eventBus().consumer(Addresses.LIVE_INTEREST, message -> {
      JsonObject body = message.body();
      Set<String> addresses = new HashSet<>();
      body.getJsonArray("addresses", new JsonArray()).forEach(address -> addresses.add((String) address));
      announced.put(body.getString("node"), new Announcement(addresses, clock.getAsLong()));
      merge();
    });
    consumer.completion().onSuccess(registered -> vertx.eventBus().publish(Addresses.LIVE_INTEREST_QUERY, new JsonObject()));
    sweep = vertx.setPeriodic(sweepMs, id -> {
      long now = clock.getAsLong();
      if (announced.values().removeIf(last -> now - last.at > EXPIRY_MS)) {
        merge();
      }
    });
  }

  /** Whether some browser listens to this address now. */
  public boolean watched(String address) {
    return watched.contains(address);
  }

  public void close() {
    vertx.cancelTimer(sweep);
    consumer.unregister();
  }

  private void merge() {
    Set<String> all = new HashSet<>();
    announced.values().forEach(last -> all.addAll(last.addresses));
    watched = all;
  }

  /**
   * The web verticle's side: the bridge's register and unregister events, per socket, and the announcements. Call
   * from the web verticle's context.
   */
  public static final class Watchers {

    private final Vertx vertx;
    private final String node = UUID.randomUUID().toString();
    private final Map<Object, Set<String>> bySocket = new HashMap<>();
    private final MessageConsumer<JsonObject> queries;
    private final long refresh;

    public Watchers(Vertx vertx) {
      this.vertx = vertx;
      queries = vertx.eventBus().consumer(Addresses.LIVE_INTEREST_QUERY, query -> announce());
      refresh = vertx.setPeriodic(REFRESH_MS, id -> announce());
    }

    public void registered(Object socket, String address) {
      if (bySocket.computeIfAbsent(socket, s -> new HashSet<>()).add(address)) {
        announce();
      }
    }

    public void unregistered(Object socket, String address) {
      Set<String> addresses = bySocket.get(socket);
      if (addresses != null && addresses.remove(address)) {
        if (addresses.isEmpty()) {
          bySocket.remove(socket);
        }
        announce();
      }
    }

    public void closed(Object socket) {
      if (bySocket.remove(socket) != null) {
        announce();
      }
    }

    public void close() {
      vertx.cancelTimer(refresh);
      queries.unregister();
      bySocket.clear();
      announce();
    }

    private void announce() {
      JsonArray addresses = new JsonArray();
      Set<String> all = new HashSet<>();
      bySocket.values().forEach(all::addAll);
      all.forEach(addresses::add);
      vertx.eventBus().publish(Addresses.LIVE_INTEREST, new JsonObject().put("node", node).put("addresses", addresses));
    }
  }
}
