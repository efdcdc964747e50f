package io.mirador.store;

import io.vertx.core.Future;

/**
 * One store backend (memory or Redis) as a whole: whether it can serve, its sizes and overflow counters, and closing
 * it. What features read and write goes through their own narrow ports ({@link IngestStore}, {@link AgentRegistry},
 * {@link SeriesStore}, {@link io.mirador.hub.checks.CheckStore}, {@link io.mirador.hub.cluster.LeaseStore},
 * {@link io.mirador.hub.cluster.NodeStore}), which {@link Stores} hands out.
 */
public interface StoreBackend {

  /** Completes when the store can serve; fails with the reason when it cannot. */
  Future<Void> ping();

  /** Sizes and overflow counters for /metrics, each with its help text, by name without the {@code mirador_store_} prefix. */
  io.mirador.metrics.Stats stats();

  Future<Void> close();
}
