package io.mirador.hub.alert.pipeline;

import io.vertx.core.json.JsonObject;

/** How a failed send is tried again: exponential backoff from {@code initialMs}, doubling to {@code maxMs}, at most {@code attempts} tries. */
public record Retry(long initialMs, long maxMs, int attempts) {

  public static Retry from(JsonObject section) {
    long initial = section.getLong("initialBackoffMs", 250L);
    long max = section.getLong("maxBackoffMs", 10_000L);
    int attempts = section.getInteger("maxAttempts", 6);
    if (initial <= 0 || max < initial || attempts < 1 || attempts > 100) {
      throw new IllegalArgumentException("hub.alert.retry: initialBackoffMs > 0, maxBackoffMs >= it, maxAttempts 1..100; got " + section.encode());
    }
    return new Retry(initial, max, attempts);
  }

  /** The wait after the {@code attempt}-th failed try (1-based). */
  public long backoff(int attempt) {
    long wait = initialMs;
    for (int i = 1; i < attempt && wait < maxMs; i++) {
      wait *= 2;
    }
    return Math.min(wait, maxMs);
  }

  /** The longest a whole send can take with its retries, each bounded by {@code timeoutMs}: how long a claim is honoured. */
  public long worstCaseMs(long timeoutMs) {
    long total = 0;
    for (int i = 1; i <= attempts; i++) {
      total += timeoutMs + (i < attempts ? backoff(i) : 0);
    }
    return total;
  }
}
