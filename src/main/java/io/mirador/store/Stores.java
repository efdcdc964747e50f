package io.mirador.store;

import io.mirador.config.TlsSettings;
import io.mirador.store.memory.MemoryStore;
import io.mirador.store.redis.RedisStore;
import io.mirador.store.redis.RedisStoreConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Optional;

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

  /** The TLS settings the configured store connects with, when it does ({@code rediss://}). */
  public static Optional<TlsSettings> tls(JsonObject config) {
    JsonObject storeConfig = config.getJsonObject("store", new JsonObject());
    if (!storeConfig.getString("type", "memory").equals("redis")) {
      return Optional.empty();
    }
    RedisStoreConfig redis = RedisStoreConfig.from(storeConfig.getJsonObject("redis"));
    return redis.usesTls() ? Optional.of(redis.tls()) : Optional.empty();
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
