package io.mirador.store.memory;

import io.mirador.hub.cluster.Fence;
import io.mirador.hub.cluster.Lease;
import io.mirador.hub.cluster.LeaseStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;

/**
 * The leases of standalone mode, in this JVM: one monitor guards them all, and every call completes before it
 * returns. The highest token handed out is kept per name for the life of the instance, so tokens never go back,
 * whatever lapsed or was released.
 *
 * <p>Another memory store fences a write by calling {@link #holdsNow} inside its own lock: this class never calls
 * out while holding its monitor, so that lock order cannot deadlock.
 */
public final class MemoryLeases implements LeaseStore {

  private final LongSupplier clock;
  /** The last lease granted per name; it may have lapsed, which every read checks against the clock. */
  private final Map<String, Lease> leases = new HashMap<>();
  private final Map<String, Long> highestToken = new HashMap<>();

  public MemoryLeases() {
    this(System::currentTimeMillis);
  }

  /** For tests: a clock they drive (epoch ms); it decides when leases lapse. */
  public MemoryLeases(LongSupplier clock) {
    this.clock = clock;
  }

  @Override
  public Future<Optional<Lease>> acquire(String name, String owner, long ttlMs) {
    return call(() -> {
      Lease.requireName(name);
      Lease.requireOwner(owner);
      Lease.requireTtl(ttlMs);
      synchronized (this) {
        long now = clock.getAsLong();
        Lease held = unexpired(name, now);
        Lease granted;
        if (held == null) {
          long token = highestToken.merge(name, 1L, Long::sum);
          granted = new Lease(name, owner, token, now, now + ttlMs);
        } else if (held.owner().equals(owner)) {
          granted = new Lease(name, owner, held.token(), held.since(), now + ttlMs);
        } else {
          return Optional.empty();
        }
        leases.put(name, granted);
        return Optional.of(granted);
      }
    });
  }

  @Override
  public Future<Boolean> renew(String name, String owner, long token, long ttlMs) {
    return call(() -> {
      Lease.requireName(name);
      Lease.requireOwner(owner);
      Lease.requireToken(token);
      Lease.requireTtl(ttlMs);
      synchronized (this) {
        long now = clock.getAsLong();
        Lease held = unexpired(name, now);
        if (held == null || !held.owner().equals(owner) || held.token() != token) {
          return false;
        }
        leases.put(name, new Lease(name, owner, token, held.since(), now + ttlMs));
        return true;
      }
    });
  }

  @Override
  public Future<Void> release(String name, String owner, long token) {
    return call(() -> {
      Lease.requireName(name);
      Lease.requireOwner(owner);
      Lease.requireToken(token);
      synchronized (this) {
        Lease held = unexpired(name, clock.getAsLong());
        if (held != null && held.owner().equals(owner) && held.token() == token) {
          leases.remove(name);
        }
        return null;
      }
    });
  }

  @Override
  public Future<Optional<Lease>> current(String name) {
    return call(() -> {
      Lease.requireName(name);
      synchronized (this) {
        return Optional.ofNullable(unexpired(name, clock.getAsLong()));
      }
    });
  }

  @Override
  public Future<List<Lease>> all() {
    return call(() -> {
      synchronized (this) {
        long now = clock.getAsLong();
        List<Lease> all = new ArrayList<>();
        for (String name : leases.keySet().stream().sorted().toList()) {
          Lease held = unexpired(name, now);
          if (held != null) {
            all.add(held);
          }
        }
        return List.copyOf(all);
      }
    });
  }

  @Override
  public Future<Boolean> holds(Fence fence) {
    return call(() -> holdsNow(fence));
  }

  /**
   * {@link #holds} without a future, for a memory store that fences its own writes: call it inside that store's
   * lock, right before the write, and refuse the write when it says false.
   */
  public synchronized boolean holdsNow(Fence fence) {
    if (fence == null) {
      throw new IllegalArgumentException("fence must not be null");
    }
    Lease held = unexpired(fence.lease(), clock.getAsLong());
    return held != null && held.token() == fence.token();
  }

  /** The lease of that name unless it lapsed; a lapsed one is dropped (its token stays in {@link #highestToken}). */
  private Lease unexpired(String name, long now) {
    Lease held = leases.get(name);
    if (held != null && held.expiresAt() <= now) {
      leases.remove(name);
      return null;
    }
    return held;
  }

  private static <T> Future<T> call(Callable<T> operation) {
    try {
      return Future.succeededFuture(operation.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }
}
