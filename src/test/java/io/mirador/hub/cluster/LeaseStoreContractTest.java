package io.mirador.hub.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link LeaseStore} promises, written against the port alone. An implementation's test supplies a
 * fresh, empty store per test and a way to let a lease lapse: a clock it drives, or waiting for the store.
 */
public abstract class LeaseStoreContractTest {

  /** Long enough that a lease taken with it cannot lapse during a test, however loaded the machine. */
  protected static final long LONG_TTL = 60_000;
  /** Short enough that waiting for a lease taken with it to lapse is quick. */
  protected static final long SHORT_TTL = 200;

  protected static final String NAME = "heartbeat-sweep";

  protected LeaseStore leases;

  protected abstract LeaseStore newStore();

  /** Returns once the lease {@code name}, taken with {@link #SHORT_TTL}, has lapsed in the store. */
  protected abstract void awaitLapse(String name);

  @BeforeEach
  void openStore() {
    leases = newStore();
  }

  protected static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("lease store call did not succeed: " + e, e);
    }
  }

  protected Lease acquire(String name, String owner, long ttlMs) {
    return await(leases.acquire(name, owner, ttlMs)).orElseThrow(() -> new AssertionError(owner + " did not get " + name));
  }

  protected Optional<Lease> current(String name) {
    return await(leases.current(name));
  }

  /**
   * The same ownership: all but the expiry, which a store reading its own clock again may give a millisecond apart
   * (Redis sets an expiry with one clock reading and reports what is left with another).
   */
  protected static void assertSameHolding(Lease expected, Lease actual) {
    assertEquals(holding(expected), holding(actual));
    assertTrue(Math.abs(expected.expiresAt() - actual.expiresAt()) <= 2, "expiry " + actual + ", expected " + expected);
  }

  protected static void assertSameHolding(Lease expected, Optional<Lease> actual) {
    assertTrue(actual.isPresent(), "nobody holds " + expected.name() + ", expected " + expected);
    assertSameHolding(expected, actual.get());
  }

  protected static String holding(Lease lease) {
    return lease.name() + " " + lease.owner() + " " + lease.token() + " " + lease.since();
  }

  private static void assertRefused(Future<?> call, String mentioned) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> call.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertInstanceOf(IllegalArgumentException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains(mentioned), e.getCause().getMessage());
  }

  @Test
  void theFirstAcquireGetsTokenOne() {
    Lease lease = acquire(NAME, "hub-a", LONG_TTL);

    assertEquals(NAME, lease.name());
    assertEquals("hub-a", lease.owner());
    assertEquals(1, lease.token());
    assertEquals(lease.since() + LONG_TTL, lease.expiresAt());
    assertSameHolding(lease, current(NAME));
  }

  @Test
  void anotherOwnerIsRefusedWhileTheLeaseIsHeld() {
    Lease held = acquire(NAME, "hub-a", LONG_TTL);

    assertEquals(Optional.empty(), await(leases.acquire(NAME, "hub-b", LONG_TTL)));
    assertFalse(await(leases.renew(NAME, "hub-b", held.token(), LONG_TTL)), "renewing is no way in either");
    await(leases.release(NAME, "hub-b", held.token()));
    assertEquals("hub-a", current(NAME).orElseThrow().owner(), "nor is releasing another's lease");
  }

  @Test
  void theHolderRenewsKeepingTokenAndSince() {
    Lease first = acquire(NAME, "hub-a", LONG_TTL / 2);

    Lease again = acquire(NAME, "hub-a", LONG_TTL);
    assertEquals(first.token(), again.token());
    assertEquals(first.since(), again.since());
    assertTrue(again.expiresAt() > first.expiresAt(), "a new expiry: " + again + " after " + first);

    assertTrue(await(leases.renew(NAME, "hub-a", first.token(), LONG_TTL)));
    Lease renewed = current(NAME).orElseThrow();
    assertEquals(first.token(), renewed.token());
    assertEquals(first.since(), renewed.since());
    assertTrue(renewed.expiresAt() >= again.expiresAt());
    assertFalse(await(leases.renew(NAME, "hub-a", first.token() + 1, LONG_TTL)), "not with another token");
  }

  @Test
  void afterALapseAnotherOwnerGetsAGreaterTokenAndTheOldOwnerIsFencedOut() {
    Lease old = acquire(NAME, "hub-a", SHORT_TTL);
    awaitLapse(NAME);
    assertEquals(Optional.empty(), current(NAME));
    assertFalse(await(leases.holds(old.fence())), "a lapsed lease holds no fence");

    Lease taken = acquire(NAME, "hub-b", LONG_TTL);
    assertTrue(taken.token() > old.token(), taken + " after " + old);

    assertFalse(await(leases.renew(NAME, "hub-a", old.token(), LONG_TTL)));
    await(leases.release(NAME, "hub-a", old.token()));
    assertSameHolding(taken, current(NAME)); // the old owner's release changed nothing
    assertFalse(await(leases.holds(old.fence())));
    assertTrue(await(leases.holds(taken.fence())));
    assertEquals(Optional.empty(), await(leases.acquire(NAME, "hub-a", LONG_TTL)));
  }

  @Test
  void theOldOwnerCannotRenewAfterALapseEvenIfNobodyTookIt() {
    Lease old = acquire(NAME, "hub-a", SHORT_TTL);
    awaitLapse(NAME);

    assertFalse(await(leases.renew(NAME, "hub-a", old.token(), LONG_TTL)));
    Lease back = acquire(NAME, "hub-a", LONG_TTL);
    assertTrue(back.token() > old.token(), "acquiring it again is a new ownership: " + back + " after " + old);
    assertFalse(await(leases.holds(old.fence())));
  }

  @Test
  void releaseHandsOverAtOnce() {
    Lease held = acquire(NAME, "hub-a", LONG_TTL);

    await(leases.release(NAME, "hub-a", held.token() + 1));
    assertSameHolding(held, current(NAME)); // not released with another token
    await(leases.release(NAME, "hub-a", held.token()));
    assertEquals(Optional.empty(), current(NAME));
    assertFalse(await(leases.holds(held.fence())));

    Lease next = acquire(NAME, "hub-b", LONG_TTL);
    assertEquals(held.token() + 1, next.token());
    await(leases.release(NAME, "hub-a", held.token()));
    assertSameHolding(next, current(NAME)); // a late release of the old token is a no-op
  }

  @Test
  void tokensNeverGoBackWhateverLapsedOrWasReleased() {
    List<Long> tokens = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      Lease lapsing = acquire(NAME, "hub-a", SHORT_TTL);
      tokens.add(lapsing.token());
      awaitLapse(NAME);
      Lease released = acquire(NAME, "hub-b", LONG_TTL);
      tokens.add(released.token());
      await(leases.release(NAME, "hub-b", released.token()));
    }
    for (int i = 1; i < tokens.size(); i++) {
      assertTrue(tokens.get(i) > tokens.get(i - 1), "tokens " + tokens);
    }
    assertEquals(1, acquire("other-lease", "hub-a", LONG_TTL).token(), "tokens count per name");
  }

  @Test
  void allListsOnlyUnexpiredLeasesByName() {
    assertEquals(List.of(), await(leases.all()));
    Lease z = acquire("z-lease", "hub-a", LONG_TTL);
    acquire("m-lease", "hub-b", SHORT_TTL);
    Lease a = acquire("a-lease", "hub-b", LONG_TTL);
    Lease released = acquire("r-lease", "hub-a", LONG_TTL);
    await(leases.release("r-lease", "hub-a", released.token()));

    awaitLapse("m-lease");
    List<Lease> all = await(leases.all());
    assertEquals(List.of(holding(a), holding(z)), all.stream().map(LeaseStoreContractTest::holding).toList());
    assertSameHolding(a, all.get(0));
    assertSameHolding(z, all.get(1));
  }

  @Test
  void holdsIsFalseForALeaseNobodyEverTook() {
    assertFalse(await(leases.holds(new Fence("never-taken", 1))));
    assertEquals(Optional.empty(), current("never-taken"));
  }

  @Test
  void badArgumentsAreRefusedSayingWhy() {
    for (String badName : new String[] {null, "", " ", "has space", "has:colon", "x".repeat(101), "é"}) {
      assertRefused(leases.acquire(badName, "hub-a", LONG_TTL), "lease name");
      assertRefused(leases.renew(badName, "hub-a", 1, LONG_TTL), "lease name");
      assertRefused(leases.release(badName, "hub-a", 1), "lease name");
      assertRefused(leases.current(badName), "lease name");
      assertThrows(IllegalArgumentException.class, () -> new Fence(badName, 1));
    }
    for (String badOwner : new String[] {null, "", "  ", "o".repeat(201)}) {
      assertRefused(leases.acquire(NAME, badOwner, LONG_TTL), "owner");
      assertRefused(leases.renew(NAME, badOwner, 1, LONG_TTL), "owner");
      assertRefused(leases.release(NAME, badOwner, 1), "owner");
    }
    for (long badTtl : new long[] {0, -1, Lease.MAX_TTL_MS + 1}) {
      assertRefused(leases.acquire(NAME, "hub-a", badTtl), "ttl");
      assertRefused(leases.renew(NAME, "hub-a", 1, badTtl), "ttl");
    }
    for (long badToken : new long[] {0, -7}) {
      assertRefused(leases.renew(NAME, "hub-a", badToken, LONG_TTL), "token");
      assertRefused(leases.release(NAME, "hub-a", badToken), "token");
      assertThrows(IllegalArgumentException.class, () -> new Fence(NAME, badToken));
    }
    assertRefused(leases.holds(null), "fence");
    assertEquals(List.of(), await(leases.all()), "nothing was taken on the way");
  }
}
