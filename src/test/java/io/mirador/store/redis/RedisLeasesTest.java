package io.mirador.store.redis;

import static io.mirador.store.redis.RedisTestSupport.deleteKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.cluster.Lease;
import io.mirador.hub.cluster.LeaseStore;
import io.mirador.hub.cluster.LeaseStoreContractTest;
import io.mirador.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lease contract on the real Redis, plus what only Redis has: its key layout, its clock, the fence snippet. */
class RedisLeasesTest extends LeaseStoreContractTest {

  /** A write on behalf of a lease owner: KEYS[1] lease, KEYS[2] target; ARGV[1] token, ARGV[2] value. */
  private static final LuaScript FENCED_SET = RedisLeases.fenced(LuaScript.of("fenced_set", """
      redis.call('SET', KEYS[2], ARGV[2])
      return 1
      """), 1, 1);

  private static Vertx vertx;
  private static Redis redis;
  private static RedisAPI admin;

  private final String prefix = RedisTestSupport.uniquePrefix();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    // RESP2, as RedisStore's client speaks it: the hub may hand the store's client to RedisLeases
    redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(RedisTestSupport.URL)
        .setPreferredProtocolVersion(ProtocolVersion.RESP2));
    admin = RedisTestSupport.admin(vertx);
  }

  @AfterAll
  static void stopVertx() {
    redis.close();
    admin.close();
    await(vertx.close());
  }

  @AfterEach
  void cleanUp() {
    deleteKeys(admin, prefix);
  }

  @Override
  protected LeaseStore newStore() {
    return new RedisLeases(redis, prefix);
  }

  @Override
  protected void awaitLapse(String name) {
    Await.until(vertx, "lease " + name + " to lapse in Redis", Duration.ofSeconds(10), Duration.ofMillis(20),
        () -> leases.current(name).map(held -> held.isEmpty() ? Optional.of(true) : Optional.<Boolean>empty()));
  }

  @Test
  void theLayoutIsTheDocumentedOne() {
    Lease lease = acquire(NAME, "hub-a", LONG_TTL);

    String key = prefix + "lease:" + NAME;
    assertEquals(key, RedisLeases.leaseKey(prefix, NAME));
    assertEquals(key + ":token", RedisLeases.tokenKey(prefix, NAME));
    assertEquals(prefix + "leases", RedisLeases.namesKey(prefix));
    assertEquals("hash", await(admin.type(key)).toString());
    assertEquals("hub-a", await(admin.hget(key, "owner")).toString());
    assertEquals("1", await(admin.hget(key, "token")).toString(), "the token as the decimal text a fence is compared with");
    assertEquals(Long.toString(lease.since()), await(admin.hget(key, "since")).toString());
    long left = await(admin.pttl(key)).toLong();
    assertTrue(left > 0 && left <= LONG_TTL, "the hash lapses by itself, pttl " + left);
    assertEquals("1", await(admin.get(key + ":token")).toString());
    assertEquals(-1, await(admin.pttl(key + ":token")).toLong(), "the token counter never expires");
    assertEquals(1, await(admin.sismember(prefix + "leases", NAME)).toInteger());
  }

  @Test
  void sinceAndExpiryAreOnRedisClock() {
    Response time = await(admin.time());
    long redisNow = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;

    Lease lease = acquire(NAME, "hub-a", LONG_TTL);

    assertTrue(lease.since() >= redisNow && lease.since() - redisNow < 10_000, "since " + lease.since() + ", Redis said " + redisNow);
    assertEquals(lease.since() + LONG_TTL, lease.expiresAt());
  }

  @Test
  void tokensGoOnAfterTheLeaseHashIsGone() {
    Lease first = acquire(NAME, "hub-a", LONG_TTL);
    await(admin.del(List.of(RedisLeases.leaseKey(prefix, NAME)))); // as if it had expired

    Lease next = acquire(NAME, "hub-b", LONG_TTL);
    assertEquals(first.token() + 1, next.token());
  }

  @Test
  void theFenceCheckRefusesTheWritesOfAnOldOwnerBeforeTheyWrite() {
    String target = prefix + "target";
    Lease old = acquire(NAME, "hub-a", SHORT_TTL);
    assertEquals(1, await(fencedSet(old, target, "by the owner")).toInteger());
    awaitLapse(NAME);

    Throwable lapsed = refused(fencedSet(old, target, "after a lapse"));
    Lease taken = acquire(NAME, "hub-b", LONG_TTL);
    Throwable takenOver = refused(fencedSet(old, target, "after a takeover"));
    assertEquals("by the owner", await(admin.get(target)).toString(), "nothing refused was written");

    for (Throwable refusal : List.of(lapsed, takenOver)) {
      assertTrue(RedisLeases.isFenced(refusal), refusal.toString());
      assertTrue(refusal.getMessage().startsWith(RedisLeases.FENCED + " lease " + RedisLeases.leaseKey(prefix, NAME)), refusal.getMessage());
    }
    assertEquals(1, await(fencedSet(taken, target, "by the new owner")).toInteger());
    assertEquals("by the new owner", await(admin.get(target)).toString());
    assertFalse(RedisLeases.isFenced(new IllegalStateException("other trouble")));
    assertTrue(RedisLeases.isFenced(new RedisStoreException("Redis store write failed", new IllegalStateException("FENCED lease x"))));
  }

  @Test
  void theFenceCheckIsTheDocumentedSnippet() {
    assertEquals("""
        if redis.call('HGET', KEYS[3], 'token') ~= ARGV[5] then
          return redis.error_reply('FENCED lease ' .. KEYS[3] .. ' is not held with token ' .. ARGV[5])
        end
        """, RedisLeases.fenceCheck(3, 5));
    assertThrows(IllegalArgumentException.class, () -> RedisLeases.fenceCheck(0, 1));
    assertNull(await(admin.get(prefix + "nothing")), "sanity: the admin client reads the same database");
  }

  private Future<Response> fencedSet(Lease lease, String target, String value) {
    return FENCED_SET.run(redis, List.of(RedisLeases.leaseKey(prefix, lease.name()), target), List.of(Long.toString(lease.token()), value));
  }

  private static Throwable refused(Future<Response> call) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> call.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    return e.getCause();
  }
}
