package io.mirador.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.cluster.Fence;
import io.mirador.hub.cluster.Lease;
import io.mirador.hub.cluster.LeaseStore;
import io.mirador.hub.cluster.LeaseStoreContractTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lease contract in process, on a clock the test drives, plus what only the memory store offers: {@link MemoryLeases#holdsNow}. */
class MemoryLeasesTest extends LeaseStoreContractTest {

  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

  @Override
  protected LeaseStore newStore() {
    return new MemoryLeases(clock::get);
  }

  @Override
  protected void awaitLapse(String name) {
    clock.addAndGet(SHORT_TTL);
  }

  private MemoryLeases memory() {
    return (MemoryLeases) leases;
  }

  @Test
  void aLeaseLapsesAtItsExpiryOnTheStoreClock() {
    Lease lease = acquire(NAME, "hub-a", 100);
    assertEquals(clock.get(), lease.since());
    assertEquals(clock.get() + 100, lease.expiresAt());

    clock.addAndGet(99);
    assertTrue(memory().holdsNow(lease.fence()));
    assertTrue(await(leases.renew(NAME, "hub-a", lease.token(), 100)), "renewed a millisecond before it lapsed");
    assertEquals(clock.get() + 100, current(NAME).orElseThrow().expiresAt());

    clock.addAndGet(100);
    assertFalse(memory().holdsNow(lease.fence()));
    assertEquals(Optional.empty(), current(NAME));
    assertFalse(await(leases.renew(NAME, "hub-a", lease.token(), 100)));
  }

  @Test
  void holdsNowFencesAWriteInsideAnotherStoresLock() {
    Object otherStoresLock = new Object();
    Lease old = acquire(NAME, "hub-a", 100);
    List<String> written = new ArrayList<>();
    Runnable fencedWrite = () -> {
      synchronized (otherStoresLock) {
        if (memory().holdsNow(old.fence())) {
          written.add("write of token " + old.token());
        }
      }
    };

    fencedWrite.run();
    clock.addAndGet(100);
    acquire(NAME, "hub-b", 100);
    fencedWrite.run();

    assertEquals(List.of("write of token 1"), written, "the write after the takeover was refused");
    assertThrows(IllegalArgumentException.class, () -> memory().holdsNow(null));
  }

  @Test
  void ofManyOwnersRacingExactlyOneGetsTheLease() throws Exception {
    int owners = 16;
    ExecutorService pool = Executors.newFixedThreadPool(owners);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Optional<Lease>>> tries = new ArrayList<>();
      for (int i = 0; i < owners; i++) {
        String owner = "hub-" + i;
        tries.add(pool.submit(() -> {
          go.await();
          return await(leases.acquire(NAME, owner, LONG_TTL));
        }));
      }
      go.countDown();
      List<Lease> winners = new ArrayList<>();
      for (Future<Optional<Lease>> attempt : tries) {
        attempt.get(10, TimeUnit.SECONDS).ifPresent(winners::add);
      }
      assertEquals(1, winners.size(), "winners " + winners);
      assertEquals(1, winners.get(0).token());
      assertTrue(memory().holdsNow(new Fence(NAME, 1)));
    } finally {
      pool.shutdownNow();
    }
  }
}
