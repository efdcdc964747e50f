package io.mirador.hub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.metrics.Meters;
import io.mirador.store.memory.MemoryLeases;
import io.mirador.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two hub nodes — two Vert.x instances — contend for one lease in one store, on real time. The store is the
 * in-process one (its contract is held to the Redis one's by {@link LeaseStoreContractTest}); each node reaches it
 * through a {@link Link} the test can cut.
 */
class OwnershipTest {

  private static final long TTL = 600;
  private static final String LEASE = "heartbeat-sweep";
  private static final Duration POLL = Duration.ofMillis(5);

  private final MemoryLeases store = new MemoryLeases();
  private final List<Ownership> started = new ArrayList<>();
  private Vertx nodeA;
  private Vertx nodeB;
  private Link linkA;
  private Link linkB;

  @BeforeEach
  void startNodes() {
    // a test blocks an event loop on purpose, for about a ttl: no blocked-thread warnings for that
    VertxOptions options = new VertxOptions().setMaxEventLoopExecuteTime(10).setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS);
    nodeA = Vertx.vertx(options);
    nodeB = Vertx.vertx(options);
    linkA = new Link(store);
    linkB = new Link(store);
  }

  @AfterEach
  void stopNodes() {
    started.forEach(ownership -> Await.result(ownership.stop()));
    Await.result(nodeA.close());
    Await.result(nodeB.close());
  }

  private Ownership ownership(Vertx node, Link link, String owner) {
    Ownership ownership = new Ownership(node, link, LEASE, owner, TTL);
    started.add(ownership);
    return ownership;
  }

  /** Listener events of one ownership, in order. */
  private static List<Boolean> changes(Ownership ownership) {
    List<Boolean> changes = new CopyOnWriteArrayList<>();
    ownership.onChange(changes::add);
    return changes;
  }

  private static void awaitCondition(String what, Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
    Await.condition(timeout, POLL, condition, () -> what);
  }

  private static double counter(Vertx node, String name) {
    return Meters.of(node).value(name, Map.of("lease", LEASE));
  }

  @Test
  void ofTwoContendingOwnersExactlyOneHolds() throws InterruptedException {
    Ownership a = ownership(nodeA, linkA, "hub-a");
    Ownership b = ownership(nodeB, linkB, "hub-b");
    List<Boolean> changesA = changes(a);
    List<Boolean> changesB = changes(b);
    AtomicBoolean bothHeld = new AtomicBoolean();
    a.onChange(gained -> bothHeld.compareAndSet(false, gained && b.held()));
    b.onChange(gained -> bothHeld.compareAndSet(false, gained && a.held()));

    Await.result(Future.all(a.start(), b.start()));
    int callsA = linkA.acquires.get();
    int callsB = linkB.acquires.get();
    awaitCondition("both nodes asking a few times more", Duration.ofSeconds(10),
        () -> linkA.acquires.get() >= callsA + 4 && linkB.acquires.get() >= callsB + 4);

    Ownership holder = a.held() ? a : b;
    Ownership other = holder == a ? b : a;
    assertTrue(holder.held());
    assertFalse(other.held());
    assertEquals(Optional.empty(), other.fence());
    Fence fence = holder.fence().orElseThrow();
    assertEquals(new Fence(LEASE, 1), fence, "the first ownership, renewed since");
    assertTrue(store.holdsNow(fence));
    assertEquals(holder.owner(), Await.result(store.current(LEASE)).orElseThrow().owner());
    assertEquals(List.of(true), holder == a ? changesA : changesB);
    assertEquals(List.of(), holder == a ? changesB : changesA);
    assertFalse(bothHeld.get());
  }

  @Test
  void whenTheHolderStopsTheOtherHoldsWithinTheTtl() throws InterruptedException {
    Ownership a = ownership(nodeA, linkA, "hub-a");
    List<Boolean> changesA = changes(a);
    assertTrue(Await.result(a.start()), "alone, it holds at once");
    Fence old = a.fence().orElseThrow();
    Ownership b = ownership(nodeB, linkB, "hub-b");
    List<Boolean> changesB = changes(b);
    assertFalse(Await.result(b.start()));

    Await.result(a.stop());
    assertFalse(a.held());
    assertEquals(List.of(true, false), changesA);
    assertEquals(Optional.empty(), Await.result(store.current(LEASE)), "released, not left to lapse");
    awaitCondition("hub-b holding", Duration.ofMillis(TTL), b::held);

    Fence fence = b.fence().orElseThrow();
    assertTrue(fence.token() > old.token());
    assertFalse(store.holdsNow(old));
    assertTrue(store.holdsNow(fence));
    Await.condition(Duration.ofSeconds(5), POLL, () -> changesB.equals(List.of(true)), () -> "hub-b told it gained, got " + changesB);
    assertEquals(1, counter(nodeA, "mirador_lease_acquired_total"));
    assertEquals(0, counter(nodeA, "mirador_lease_lost_total"), "giving up is no loss");
    assertEquals(1, counter(nodeA, "mirador_lease_released_total"));
    assertEquals(1, counter(nodeB, "mirador_lease_acquired_total"));
    assertTrue(Meters.of(nodeA).scrape().contains("# HELP mirador_lease_lost_total "));
  }

  /**
   * Several verticles of one role on one node (hub.instances.heartbeat, or a role Vert.x HA moved there) each keep an
   * ownership of the same lease: the node's gauge says 1 while any of them holds it, whichever registered last.
   */
  @Test
  void theHeldGaugeOfANodeCountsEveryOwnershipOfTheLeaseOnIt() throws InterruptedException {
    Ownership first = ownership(nodeA, linkA, "hub-a/1");
    assertTrue(Await.result(first.start()), "alone, it holds at once");
    Ownership second = ownership(nodeA, linkA, "hub-a/2");
    assertFalse(Await.result(second.start()));
    assertTrue(first.held());
    assertEquals(1, counter(nodeA, "mirador_lease_held"), "the node holds the lease through its first ownership");
    assertTrue(Meters.of(nodeA).scrape().contains("mirador_lease_held{lease=\"" + LEASE + "\"} 1\n"), Meters.of(nodeA).scrape());

    Await.result(first.stop());
    awaitCondition("the second ownership of the node holding", Duration.ofSeconds(5), second::held);
    assertEquals(1, counter(nodeA, "mirador_lease_held"), "a stopped ownership no longer counts; the one holding does");
    Await.result(second.stop());
    assertEquals(0, counter(nodeA, "mirador_lease_held"));
  }

  @Test
  void aHolderWhoseStoreFailsStopsBelievingByItsDeadline() throws InterruptedException {
    Ownership a = ownership(nodeA, linkA, "hub-a");
    List<Boolean> changesA = changes(a);
    assertTrue(Await.result(a.start()));
    Fence old = a.fence().orElseThrow();
    Ownership b = ownership(nodeB, linkB, "hub-b");
    assertFalse(Await.result(b.start()));

    linkA.cut.set(true);
    long cutAt = System.nanoTime(); // every request that succeeded was sent before this
    assertNeverBelievedPast(a, cutAt + TimeUnit.MILLISECONDS.toNanos(TTL));

    awaitCondition("hub-b taking over once the lease lapsed", Duration.ofSeconds(10), b::held);
    Fence taken = b.fence().orElseThrow();
    assertTrue(taken.token() > old.token());
    assertFalse(store.holdsNow(old));
    Await.condition(Duration.ofSeconds(5), POLL, () -> changesA.equals(List.of(true, false)), () -> "hub-a told it lost, got " + changesA);
    assertEquals(1, counter(nodeA, "mirador_lease_lost_total"));
    assertTrue(linkA.failures.get() > 0, "its renewals did fail");

    int failures = linkA.failures.get();
    linkA.cut.set(false);
    int callsA = linkA.acquires.get();
    awaitCondition("hub-a asking again", Duration.ofSeconds(10), () -> linkA.acquires.get() >= callsA + 2);
    assertFalse(a.held(), "it asks again, and hub-b has it");
    assertTrue(b.held());
    assertEquals(failures, linkA.failures.get());
  }

  @Test
  void aHolderWhoseEventLoopIsBlockedStopsBelievingByItsDeadline() throws InterruptedException {
    Context loopA = nodeA.getOrCreateContext();
    Ownership a = ownership(nodeA, linkA, "hub-a");
    List<Boolean> changesA = changes(a);
    Promise<Boolean> startedA = Promise.promise();
    loopA.runOnContext(v -> a.start().onComplete(startedA)); // its timers run on loopA, which the test blocks
    assertTrue(Await.result(startedA.future()));
    Fence old = a.fence().orElseThrow();
    Ownership b = ownership(nodeB, linkB, "hub-b");
    assertFalse(Await.result(b.start()));

    CountDownLatch unblock = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    AtomicReference<Long> blockedAt = new AtomicReference<>();
    loopA.runOnContext(v -> {
      blockedAt.set(System.nanoTime()); // nothing of hub-a runs from here: no renewal is sent, no timer fires
      blocked.countDown();
      try {
        unblock.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertTrue(blocked.await(10, TimeUnit.SECONDS));
    try {
      assertNeverBelievedPast(a, blockedAt.get() + TimeUnit.MILLISECONDS.toNanos(TTL));
      awaitCondition("hub-b taking over while hub-a is stuck", Duration.ofSeconds(10), b::held);
      assertEquals(List.of(true), changesA, "no listener could run on the blocked loop");
    } finally {
      unblock.countDown();
    }

    Await.condition(Duration.ofSeconds(5), POLL, () -> changesA.equals(List.of(true, false)), () -> "hub-a told it lost, got " + changesA);
    int callsA = linkA.acquires.get();
    awaitCondition("hub-a asking again", Duration.ofSeconds(10), () -> linkA.acquires.get() >= callsA + 2);
    assertFalse(a.held());
    Fence taken = b.fence().orElseThrow();
    assertNotEquals(old, taken);
    assertFalse(store.holdsNow(old), "whatever hub-a still writes with its old fence is refused");
  }

  /**
   * Waits until {@code ownership} no longer believes it holds the lease, failing if it ever said it did at or after
   * {@code deadline} (read before asking, so a late poll cannot make a false failure).
   */
  private static void assertNeverBelievedPast(Ownership ownership, long deadline) throws InterruptedException {
    AtomicReference<String> violation = new AtomicReference<>();
    awaitCondition("hub-a to stop believing", Duration.ofMillis(3 * TTL), () -> {
      long now = System.nanoTime();
      boolean held = ownership.held();
      if (held && now - deadline >= 0) {
        violation.compareAndSet(null, "still believed " + TimeUnit.NANOSECONDS.toMillis(now - deadline) + " ms past its deadline");
      }
      return !held;
    });
    assertEquals(null, violation.get());
  }

  /** A node's way to the store: counts acquires, and fails every call while cut. */
  private static final class Link implements LeaseStore {

    final LeaseStore store;
    final AtomicBoolean cut = new AtomicBoolean();
    final AtomicInteger acquires = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();

    Link(LeaseStore store) {
      this.store = store;
    }

    private <T> Future<T> through(java.util.function.Supplier<Future<T>> call) {
      if (cut.get()) {
        failures.incrementAndGet();
        return Future.failedFuture(new IllegalStateException("the link to the store is cut"));
      }
      return call.get();
    }

    @Override
    public Future<Optional<Lease>> acquire(String name, String owner, long ttlMs) {
      acquires.incrementAndGet();
      return through(() -> store.acquire(name, owner, ttlMs));
    }

    @Override
    public Future<Boolean> renew(String name, String owner, long token, long ttlMs) {
      return through(() -> store.renew(name, owner, token, ttlMs));
    }

    @Override
    public Future<Void> release(String name, String owner, long token) {
      return through(() -> store.release(name, owner, token));
    }

    @Override
    public Future<Optional<Lease>> current(String name) {
      return through(() -> store.current(name));
    }

    @Override
    public Future<List<Lease>> all() {
      return through(store::all);
    }

    @Override
    public Future<Boolean> holds(Fence fence) {
      return through(() -> store.holds(fence));
    }
  }
}
