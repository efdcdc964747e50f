package io.mirador.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.model.AgentInfo;
import io.mirador.model.Sample;
import io.mirador.store.Admission;
import io.mirador.store.AgentRecord;
import io.mirador.store.AgentStatus;
import io.mirador.util.FanOut;
import io.mirador.store.WriteBatch;
import io.mirador.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A registry larger than one pooled connection can await replies for: the liveness sweep and the agent list still
 * read it whole, every time (the client refuses a longer batch outright; docs/REDIS.md, "Batches").
 */
class RedisStoreLargeRegistryTest {

  private static final int AGENTS = RedisStore.MAX_WAITING_REPLIES + 1;

  private static Vertx vertx;
  private static RedisAPI admin;

  private final String prefix = RedisTestSupport.uniquePrefix();
  private RedisStore store;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    admin = RedisTestSupport.admin(vertx);
  }

  @AfterAll
  static void stopVertx() {
    admin.close();
    Await.result(vertx.close());
  }

  @AfterEach
  void cleanUp() {
    if (store != null) {
      Await.result(store.close());
    }
    RedisTestSupport.deleteKeys(admin, prefix);
  }

  @Test
  void theClientRefusesEveryBatchLongerThanTheRepliesAConnectionMayAwait() throws Exception {
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(RedisTestSupport.URL).setMaxPoolSize(1)
        .setMaxWaitingHandlers(RedisStore.MAX_WAITING_REPLIES).setPreferredProtocolVersion(ProtocolVersion.RESP2));
    try {
      assertEquals(RedisStore.MAX_WAITING_REPLIES, Await.result(redis.batch(pings(RedisStore.MAX_WAITING_REPLIES))).size());
      for (int attempt = 0; attempt < 3; attempt++) {
        Throwable refused = failureOf(redis.batch(pings(RedisStore.MAX_WAITING_REPLIES + 1)));
        assertEquals("Redis waiting queue is full", refused.getMessage(), "attempt " + attempt);
        assertEquals("PONG", Await.result(redis.send(Request.cmd(Command.PING))).toString(), "the connection itself is fine");
      }
    } finally {
      Await.result(redis.close());
    }
  }

  @Test
  void aSweepOfMoreAgentsThanOneConnectionAwaitsReadsAndChangesThemAll() {
    store = new RedisStore(vertx, RedisTestSupport.section(prefix));
    long now = System.currentTimeMillis();
    Set<String> registered = new TreeSet<>();
    List<Future<Admission>> writes = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      String id = String.format("agent-%05d", i);
      registered.add(id);
      writes.add(store.write(id, 1, new WriteBatch(now).agentInfo(new AgentInfo(id, "host-" + i, List.of(), "Linux", "0.1.0",
          false, now, 10, Map.of(), List.of("all"))).samples(List.of(Sample.of("cpu.load", 1, now)))));
      if (writes.size() == 256 || i == AGENTS - 1) {
        Await.result(Future.all(writes));
        writes.clear();
      }
    }

    // what HeartbeatVerticle does when every agent of a finished run has gone quiet: read all, change all, read again
    List<AgentRecord> before = Await.result(store.agents());
    assertEquals(registered, ids(before));
    assertTrue(before.stream().allMatch(agent -> agent.status() == AgentStatus.UP));
    Await.result(Future.all(before.stream().map(agent -> store.transition(agent.id(), AgentStatus.UP, AgentStatus.DOWN, now + 60_000, null)).toList()));
    List<AgentRecord> after = Await.result(store.agents());
    assertEquals(registered, ids(after));
    assertTrue(after.stream().allMatch(agent -> agent.status() == AgentStatus.DOWN && agent.statusSince() == now + 60_000));

    assertEquals(Admission.ACCEPTED, Await.result(store.write("agent-00000", 2, new WriteBatch(now + 1)
        .samples(List.of(Sample.of("cpu.load", 2, now + 1))))));
    assertEquals(0L, store.stats().get("failures"));
  }

  /**
   * A fleet-wide read of one call per agent (as /api/v1/results and the liveness sweep do), on a store whose pool
   * lets few calls wait: fired all at once most calls are refused; through {@link FanOut} every one succeeds.
   */
  @Test
  void perAgentReadsOfTheWholeFleetGoThroughABoundedFanOut() {
    store = new RedisStore(vertx, RedisTestSupport.section(prefix).put("maxPoolWaiting", 100));
    long now = System.currentTimeMillis();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      String id = String.format("agent-%05d", i);
      ids.add(id);
      Await.result(store.write(id, 1, new WriteBatch(now).samples(List.of(Sample.of("cpu.load", i, now)))));
    }

    List<Future<List<io.mirador.store.LatestValue>>> allAtOnce = ids.stream().map(store::latest).toList();
    Await.result(Future.join(allAtOnce).otherwiseEmpty()); // every call has come back, refused or not
    assertTrue(allAtOnce.stream().anyMatch(Future::failed), "1,000 calls at once overflow a wait queue of 100");

    List<List<io.mirador.store.LatestValue>> read = Await.result(FanOut.map(ids, FanOut.DEFAULT_CONCURRENCY, store::latest));
    assertEquals(1_000, read.size());
    for (int i = 0; i < read.size(); i++) {
      assertEquals(i, read.get(i).get(0).value(), "agent " + i + " in its place");
    }
  }

  private static List<Request> pings(int n) {
    List<Request> pings = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      pings.add(Request.cmd(Command.PING));
    }
    return pings;
  }

  private static Set<String> ids(List<AgentRecord> agents) {
    Set<String> ids = new TreeSet<>();
    agents.forEach(agent -> ids.add(agent.id()));
    assertEquals(agents.size(), ids.size(), "no agent twice");
    return ids;
  }

  private static Throwable failureOf(Future<?> call) throws InterruptedException, java.util.concurrent.TimeoutException {
    try {
      call.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the batch succeeded");
  }
}
