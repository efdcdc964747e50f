package io.mirador.store;

import io.mirador.config.TlsSettings;
import io.mirador.hub.alert.AlertStore;
import io.mirador.hub.checks.CheckStore;
import io.mirador.hub.cluster.LeaseStore;
import io.mirador.hub.cluster.NodeStore;
import io.mirador.hub.enroll.AgentKeys;
import io.mirador.hub.sched.JobStore;
import io.mirador.hub.security.AuditStore;
import io.mirador.hub.security.SecurityStore;
import io.mirador.store.memory.MemoryAgentKeys;
import io.mirador.store.memory.MemoryAlertStore;
import io.mirador.store.memory.MemoryAuditStore;
import io.mirador.store.memory.MemoryJobStore;
import io.mirador.store.memory.MemorySecurityStore;
import io.mirador.store.memory.MemoryLeases;
import io.mirador.store.memory.MemoryNodes;
import io.mirador.store.memory.MemoryStore;
import io.mirador.store.redis.RedisAgentKeys;
import io.mirador.store.redis.RedisAlertStore;
import io.mirador.store.redis.RedisAuditStore;
import io.mirador.store.redis.RedisJobStore;
import io.mirador.store.redis.RedisSecurityStore;
import io.mirador.store.redis.RedisLeases;
import io.mirador.store.redis.RedisNodes;
import io.mirador.store.redis.RedisStore;
import io.mirador.store.redis.RedisStoreConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Optional;

/**
 * The feature ports of one store backend, opened once per Vert.x instance: every verticle of a node (deployed by
 * name, so it cannot be handed objects) gets the same ones through {@link #shared}, and takes the narrow port its
 * feature needs. The memory backend is the standalone default; Redis the production one.
 */
public record Stores(StoreBackend backend, IngestStore ingest, AgentRegistry registry, SeriesStore series, CheckStore checks,
    LeaseStore leases, NodeStore nodes, AlertStore alerts, JobStore jobs, AgentKeys agentKeys, SecurityStore security,
    AuditStore audit) implements Shareable {

  private static final String MAP = "mirador.stores";

  public static Stores shared(Vertx vertx, JsonObject config) {
    JsonObject storeConfig = config.getJsonObject("store", new JsonObject());
    String type = storeConfig.getString("type", "memory");
    LocalMap<String, Stores> stores = vertx.sharedData().getLocalMap(MAP);
    return stores.computeIfAbsent(type, key -> open(vertx, storeConfig));
  }

  /** A new set of ports on the {@code store} section (tests; {@link #shared} for everything else). */
  public static Stores open(Vertx vertx, JsonObject storeConfig) {
    String type = storeConfig.getString("type", "memory");
    return switch (type) {
      case "memory" -> memory(MemoryStore.Limits.from(storeConfig.getJsonObject("memory", new JsonObject())));
      case "redis" -> redis(new RedisStore(vertx, storeConfig.getJsonObject("redis")));
      default -> throw new IllegalArgumentException("unknown store.type '" + type + "' (known: memory, redis)");
    };
  }

  public static Stores memory(MemoryStore.Limits limits) {
    MemoryLeases leases = new MemoryLeases();
    MemoryStore store = new MemoryStore(limits, leases::holdsNow);
    return new Stores(store, store, store, store, store, leases, new MemoryNodes(), new MemoryAlertStore(leases::holdsNow),
        new MemoryJobStore(leases::holdsNow), new MemoryAgentKeys(), new MemorySecurityStore(), new MemoryAuditStore());
  }

  public static Stores redis(RedisStore store) {
    return new Stores(store, store, store, store, store, new RedisLeases(store.client(), store.prefix()),
        new RedisNodes(store.client(), store.prefix()), new RedisAlertStore(store.client(), store.prefix()),
        new RedisJobStore(store.client(), store.prefix()), new RedisAgentKeys(store.client(), store.prefix()),
        new RedisSecurityStore(store.client(), store.prefix()), new RedisAuditStore(store.client(), store.prefix()));
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
}
