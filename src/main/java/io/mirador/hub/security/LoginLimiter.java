package io.mirador.hub.security;

import io.vertx.core.shareddata.Shareable;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Failed logins per source address and per user name, within a sliding window: past {@code maxFailures} in the window,
 * further attempts from that address, or for that user, are refused before any password is checked. Per node, and
 * bounded: at most {@code maxKeys} addresses and names are followed (the least recently seen is forgotten, and
 * counted).
 */
public final class LoginLimiter implements Shareable {

  private final int maxFailures;
  private final long windowMs;
  private final int maxKeys;
  private final LongSupplier clock;
  private long forgotten;
  private final Map<String, ArrayDeque<Long>> failures;

  public LoginLimiter(int maxFailures, long windowMs, int maxKeys, LongSupplier clock) {
    this.maxFailures = maxFailures;
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
    this.clock = clock;
    this.failures = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Long>> eldest) {
        if (size() > LoginLimiter.this.maxKeys) {
          forgotten++;
          return true;
        }
        return false;
      }
    };
  }

  /** Seconds until an attempt from {@code address} for {@code user} may be made, 0 when it may now. */
  public synchronized long retryAfterSeconds(String address, String user) {
    long now = clock.getAsLong();
    long wait = Math.max(waitMs("addr:" + address, now), waitMs("user:" + user, now));
    return wait == 0 ? 0 : Math.max(1, (wait + 999) / 1000);
  }

  public synchronized void failed(String address, String user) {
    long now = clock.getAsLong();
    add("addr:" + address, now);
    add("user:" + user, now);
  }

  /** A good password clears the user's failures (not the address's: one right guess does not excuse the others). */
  public synchronized void succeeded(String user) {
    failures.remove("user:" + user);
  }

  /** Addresses and names forgotten because the map was full. */
  public synchronized long forgotten() {
    return forgotten;
  }

  private void add(String key, long now) {
    ArrayDeque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    prune(times, now);
    times.addLast(now);
    while (times.size() > maxFailures) {
      times.removeFirst();
    }
  }

  private long waitMs(String key, long now) {
    ArrayDeque<Long> times = failures.get(key);
    if (times == null) {
      return 0;
    }
    prune(times, now);
    return times.size() < maxFailures ? 0 : times.peekFirst() + windowMs - now;
  }

  private void prune(ArrayDeque<Long> times, long now) {
    while (!times.isEmpty() && times.peekFirst() <= now - windowMs) {
      times.removeFirst();
    }
  }
}
