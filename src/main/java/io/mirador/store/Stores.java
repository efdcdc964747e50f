package io.mirador.store;

import io.mirador.store.memory.MemoryStore;
import io.mirador.store.redis.RedisStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * Opens the store the configuration names, once per Vert.x instance: every verticle of a node
 * (deployed by name, so it cannot be handed objects) gets the same one.
 */
public final class Stores {

  private static final String MAP = "mirador.stores";

  private Stores() {
  }

  public static Store shared(Vertx vertx, JsonObject config) {
    JsonObject storeConfig = config.getJsonObject("store", new JsonObject());
    String type = storeConfig.getString("type", "memory");
    LocalMap<String, Holder> stores = vertx.sharedData().getLocalMap(MAP);
    return stores.computeIfAbsent(type, key -> new Holder(open(vertx, type, storeConfig))).store();
  }

  private static Store open(Vertx vertx, String type, JsonObject storeConfig) {
    return switch (type) {
      case "memory" -> new MemoryStore(MemoryStore.Limits.from(storeConfig.getJsonObject("memory", new JsonObject())));
      case "redis" -> new RedisStore(vertx, storeConfig.getJsonObject("redis"));
      default -> throw new IllegalArgumentException("unknown store.type '" + type + "' (known: memory, redis)");
    };
  }

  private record Holder(Store store) implements Shareable {
  }
}
