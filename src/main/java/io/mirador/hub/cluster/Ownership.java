package io.mirador.hub.cluster;

import io.mirador.metrics.Meters;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps trying to hold one named lease for one owner, and says whether this node may act as its owner now.
 *
 * <p>{@link #start} asks the store at once and then every ttl/3 ({@link LeaseStore#acquire}, which takes a free
 * lease or renews ours). Belief is conservative: after a successful request the owner believes it holds the lease
 * until the monotonic time at which that request was <em>sent</em>, plus the ttl, minus a margin of a tenth of the
 * ttl. The store started its ttl later than that, so the store's lease outlives the belief; a process that was
 * paused (GC, a blocked event loop, a suspended VM) and wakes up after its lease lapsed finds its deadline passed
 * and does not act, whether or not its timers have run. The writes it may still have in flight are stopped where
 * they are written, by the {@link Fence} they carry.
 *
 * <p>A failing store never throws here: the owner just stops believing when its deadline passes, and tries again
 * on the next tick. Listeners ({@link #onChange}) are called on this ownership's Vert.x context with true when it
 * gains the lease and false when it loses or gives it up; {@link #fence} and {@link #held} may be called from any
 * thread. The owner string must be unique per process: two ownerships with the same owner share one lease.
 */
public final class Ownership {

  private static final Logger LOG = LoggerFactory.getLogger(Ownership.class);
  private static final String NODE_OWNERSHIPS = "mirador.lease.ownerships";

  private final Vertx vertx;
  private final LeaseStore leases;
  private final String name;
  private final String owner;
  private final long ttlMs;
  private final long ttlNanos;
  private final long marginNanos;
  private final long periodMs;
  private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
  private final LongAdder acquired;
  private final LongAdder lost;
  private final LongAdder released;
  private final AtomicBoolean started = new AtomicBoolean();

  /** Null while not holding; replaced whole, so a reader on another thread sees a fence with its own deadline. */
  private volatile Belief belief;
  private volatile Context context;

  // the rest is only touched on the context
  private long periodic = -1;
  private long deadlineTimer = -1;
  private long attempts;
  private boolean inFlight;
  private long inFlightSince;
  /** The last token the store granted us: what stop() gives back, even after belief ran out. */
  private long lastToken;
  private boolean failing;
  private boolean stopped;

  private record Belief(Fence fence, long deadlineNanos) {
  }

  public Ownership(Vertx vertx, LeaseStore leases, String name, String owner, long ttlMs) {
    if (vertx == null || leases == null) {
      throw new IllegalArgumentException("an ownership needs a Vert.x and a lease store");
    }
    this.vertx = vertx;
    this.leases = leases;
    this.name = Lease.requireName(name);
    this.owner = Lease.requireOwner(owner);
    this.ttlMs = Lease.requireTtl(ttlMs);
    this.ttlNanos = TimeUnit.MILLISECONDS.toNanos(ttlMs);
    this.marginNanos = ttlNanos / 10;
    this.periodMs = Math.max(1, ttlMs / 3);
    Meters meters = Meters.of(vertx);
    Map<String, String> labels = Map.of("lease", name);
    this.acquired = meters.counter("mirador_lease_acquired_total",
        "Times this node gained a lease it did not hold.", labels);
    this.lost = meters.counter("mirador_lease_lost_total",
        "Times this node stopped believing it holds a lease it had not given up: renewals failed or came too late, or another node holds it.",
        labels);
    this.released = meters.counter("mirador_lease_released_total",
        "Times this node gave a lease up on stop, so another node could take it at once.", labels);
    Set<Ownership> onThisNode = onThisNode(vertx, name);
    onThisNode.add(this);
    // one gauge per node and lease, over every ownership of it here: a node may run several verticles of one role
    meters.gauge("mirador_lease_held", "1 while this node believes it holds the lease, else 0.", labels,
        () -> onThisNode.stream().anyMatch(Ownership::held) ? 1 : 0);
  }

  /** The ownerships of lease {@code name} in this Vert.x instance that have not been stopped. */
  private static Set<Ownership> onThisNode(Vertx vertx, String name) {
    LocalMap<String, Ownerships> map = vertx.sharedData().getLocalMap(NODE_OWNERSHIPS);
    return map.computeIfAbsent(name, key -> new Ownerships(new CopyOnWriteArraySet<>())).set();
  }

  private record Ownerships(Set<Ownership> set) implements Shareable {
  }

  public String name() {
    return name;
  }

  public String owner() {
    return owner;
  }

  /**
   * Starts trying: the first request goes out at once, the next every ttl/3. The future tells whether this owner
   * holds the lease after the first answer (false on a store failure too); it never fails, except when started twice.
   */
  public Future<Boolean> start() {
    if (!started.compareAndSet(false, true)) {
      return Future.failedFuture(new IllegalStateException("ownership of lease " + name + " already started"));
    }
    Promise<Boolean> first = Promise.promise();
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      if (stopped) {
        first.complete(false);
        return;
      }
      periodic = vertx.setPeriodic(periodMs, id -> attempt(null));
      attempt(first);
    });
    return first.future();
  }

  /** The fence to carry with writes, while this owner believes it holds the lease; empty otherwise. */
  public Optional<Fence> fence() {
    Belief now = belief;
    return now != null && System.nanoTime() - now.deadlineNanos < 0 ? Optional.of(now.fence) : Optional.empty();
  }

  public boolean held() {
    return fence().isPresent();
  }

  /** Called on this ownership's context: true when it gains the lease, false when it loses or gives it up. */
  public void onChange(Consumer<Boolean> listener) {
    listeners.add(listener);
  }

  /** Stops trying and gives the lease up, so another node takes it at once; completes when the store answered (never fails). */
  public Future<Void> stop() {
    onThisNode(vertx, name).remove(this);
    Context on = context;
    if (on == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    onContext(() -> {
      if (stopped) {
        done.complete();
        return;
      }
      stopped = true;
      vertx.cancelTimer(periodic);
      vertx.cancelTimer(deadlineTimer);
      if (belief != null) {
        belief = null;
        released.increment();
        LOG.info("gave up lease {} ({})", name, owner);
        tell(false);
      }
      if (lastToken == 0) {
        done.complete();
        return;
      }
      giveBack(lastToken).onComplete(given -> done.complete());
    });
    return done.future();
  }

  private void attempt(Promise<Boolean> first) {
    if (stopped) {
      return;
    }
    long sentAt = System.nanoTime();
    if (inFlight && sentAt - inFlightSince < ttlNanos) {
      return; // a slow store must not pile requests up; one that never answers is given up after a ttl
    }
    long attempt = ++attempts;
    inFlight = true;
    inFlightSince = sentAt;
    call(() -> leases.acquire(name, owner, ttlMs)).onComplete(done -> onContext(() -> {
      settle(attempt, sentAt, done);
      if (first != null) {
        first.complete(held());
      }
    }));
  }

  private void settle(long attempt, long sentAt, AsyncResult<Optional<Lease>> done) {
    if (attempt == attempts) {
      inFlight = false;
    }
    if (stopped) {
      if (done.succeeded() && done.result().isPresent()) {
        giveBack(done.result().get().token()); // granted after stop(): nobody would renew it
      }
      return;
    }
    if (attempt != attempts) {
      return; // a newer request went out after this one: its answer counts
    }
    if (done.failed()) {
      if (!failing) {
        failing = true;
        LOG.warn("lease {} ({}): the store failed ({}); {} until it answers", name, owner, done.cause().toString(),
            belief == null ? "not holding it" : "holding it only up to its deadline");
      } else {
        LOG.debug("lease {} ({}): the store failed again: {}", name, owner, done.cause().toString());
      }
      return;
    }
    if (failing) {
      failing = false;
      LOG.info("lease {} ({}): the store answers again", name, owner);
    }
    Optional<Lease> granted = done.result();
    if (granted.isEmpty()) {
      lose("another owner holds it");
      return;
    }
    Lease lease = granted.get();
    lastToken = lease.token();
    Belief was = belief;
    if (was != null && was.fence.token() != lease.token()) {
      lose("the store gave a new token " + lease.token() + " in place of " + was.fence.token());
    }
    long deadline = sentAt + ttlNanos - marginNanos;
    if (System.nanoTime() - deadline >= 0) {
      lose("the store's answer came after the deadline");
      return;
    }
    boolean gained = belief == null;
    belief = new Belief(lease.fence(), deadline);
    armDeadline(deadline);
    if (gained) {
      acquired.increment();
      LOG.info("holding lease {} ({}) with token {}", name, owner, lease.token());
      tell(true);
    }
  }

  /** A timer at the deadline, so listeners hear of a loss even when nothing asks for the fence. */
  private void armDeadline(long deadlineNanos) {
    vertx.cancelTimer(deadlineTimer);
    long delayMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) + 1);
    deadlineTimer = vertx.setTimer(delayMs, id -> {
      Belief now = belief;
      if (now == null || stopped) {
        return;
      }
      if (System.nanoTime() - now.deadlineNanos >= 0) {
        lose("no renewal within the ttl");
      } else {
        armDeadline(now.deadlineNanos);
      }
    });
  }

  private void lose(String why) {
    if (belief == null) {
      return;
    }
    belief = null;
    vertx.cancelTimer(deadlineTimer);
    lost.increment();
    LOG.warn("lost lease {} ({}): {}", name, owner, why);
    tell(false);
  }

  private void tell(boolean holds) {
    for (Consumer<Boolean> listener : listeners) {
      try {
        listener.accept(holds);
      } catch (RuntimeException e) {
        LOG.warn("a listener of lease {} failed: {}", name, e.toString());
      }
    }
  }

  private Future<Void> giveBack(long token) {
    return call(() -> leases.release(name, owner, token))
        .onFailure(e -> LOG.warn("lease {} ({}): releasing token {} failed, it lapses by itself: {}", name, owner, token, e.toString()));
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private static <T> Future<T> call(Supplier<Future<T>> operation) {
    try {
      return operation.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
