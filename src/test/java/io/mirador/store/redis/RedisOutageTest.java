package io.mirador.store.redis;

import static io.mirador.store.redis.RedisTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mirador.model.Sample;
import io.mirador.store.Admission;
import io.mirador.store.WriteBatch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Redis away: calls fail fast with a clear reason, and the same store works again once Redis is back. */
class RedisOutageTest {

  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    await(vertx.close());
  }

  private static WriteBatch batch(long ts) {
    return new WriteBatch(ts).samples(List.of(Sample.of("cpu.load", 1, ts)));
  }

  /** The failure of a call that must fail, and how long it took to fail. */
  private record Failure(Throwable cause, long millis) {
  }

  private static Failure failureOf(Future<?> call) {
    long start = System.nanoTime();
    try {
      call.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return new Failure(e.getCause(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } catch (Exception e) {
      throw new AssertionError("the call neither failed nor succeeded in time", e);
    }
    throw new AssertionError("the call succeeded while Redis was away");
  }

  @Test
  void writeAndPingFailFastWhenNothingListens() {
    RedisStore store = new RedisStore(vertx, new JsonObject().put("url", "redis://127.0.0.1:1").put("prefix", "nowhere:")
        .put("connectTimeoutMs", 1000).put("commandTimeoutMs", 2000).put("reconnectMinMs", 500));
    try {
      Failure write = failureOf(store.write("agent-1", 1, batch(System.currentTimeMillis())));
      assertTrue(write.millis() < 3_000, "failed after " + write.millis() + " ms");
      assertTrue(write.cause() instanceof RedisStoreException, write.cause().toString());
      assertTrue(write.cause().getMessage().contains("write") && write.cause().getMessage().contains("redis://127.0.0.1:1"),
          write.cause().getMessage());

      Failure again = failureOf(store.write("agent-1", 2, batch(System.currentTimeMillis())));
      assertTrue(again.cause().getMessage().contains("unavailable"), "refused at once during the pause: " + again.cause());

      Failure ping = failureOf(store.ping());
      assertTrue(ping.millis() < 3_000, "ping failed after " + ping.millis() + " ms");
      assertTrue(ping.cause().getMessage().contains("ping"), ping.cause().getMessage());

      assertEquals(2L, store.stats().get("failures"));
      assertEquals(0L, store.stats().get("redis_up"));
    } finally {
      await(store.close());
    }
  }

  @Test
  void theSameStoreWorksAgainWhenRedisComesBack() throws Exception {
    assumeTrue(new File("/usr/bin/redis-server").canExecute() || onPath("redis-server"), "no redis-server to start and stop");
    int port = freePort();
    Path dir = Files.createTempDirectory("mirador-redis");
    // Redis first: a store that found nothing listening refuses calls for its reconnect pause, by design
    Process redis = startRedis(port, dir);
    RedisStore store = new RedisStore(vertx, new JsonObject().put("url", "redis://127.0.0.1:" + port).put("prefix", "outage:")
        .put("connectTimeoutMs", 1000).put("commandTimeoutMs", 2000).put("reconnectMinMs", 50).put("reconnectMaxMs", 200));
    try {
      long now = System.currentTimeMillis();
      assertEquals(Admission.ACCEPTED, await(store.write("agent-1", 1, batch(now))));

      redis.destroy();
      assertTrue(redis.waitFor(10, TimeUnit.SECONDS));
      Failure down = failureOf(store.write("agent-1", 2, batch(now)));
      assertTrue(down.millis() < 3_000, "failed after " + down.millis() + " ms");
      failureOf(store.ping());

      redis = startRedis(port, dir); // empty: no data, no cached scripts (NOSCRIPT, then EVAL)
      long deadline = System.currentTimeMillis() + 10_000;
      Admission admitted = null;
      while (admitted == null && System.currentTimeMillis() < deadline) {
        try {
          admitted = store.write("agent-1", 3, batch(now)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException stillDown) {
          pause(50);
        }
      }
      assertEquals(Admission.ACCEPTED, admitted, "no restart of the store needed");
      await(store.ping());
      assertEquals(1L, store.stats().get("redis_up"));
    } finally {
      await(store.close());
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Leases, node beats and alert writes go through the store's client, which wraps Redis's replies: NOSCRIPT must still lead to EVAL. */
  @Test
  void leasesThroughTheStoresClientWorkOnARedisThatNeverSawTheirScripts() throws Exception {
    assumeTrue(new File("/usr/bin/redis-server").canExecute() || onPath("redis-server"), "no redis-server to start");
    int port = freePort();
    Path dir = Files.createTempDirectory("mirador-redis");
    Process redis = startRedis(port, dir); // empty script cache
    RedisStore store = new RedisStore(vertx, new JsonObject().put("url", "redis://127.0.0.1:" + port).put("prefix", "fresh:")
        .put("connectTimeoutMs", 1000).put("commandTimeoutMs", 2000));
    try {
      RedisLeases leases = new RedisLeases(store.client(), "fresh:");
      assertTrue(await(leases.acquire("alert", "hub-a/alert/1", 5_000)).isPresent(), "lease acquired");
      assertEquals("hub-a/alert/1", await(leases.current("alert")).orElseThrow().owner());
    } finally {
      await(store.close());
      redis.destroy();
      redis.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Process startRedis(int port, Path dir) throws Exception {
    Process process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      try (Socket probe = new Socket("127.0.0.1", port)) {
        return process;
      } catch (IOException notYet) {
        pause(20);
      }
    }
    process.destroy();
    throw new AssertionError("redis-server did not listen on " + port);
  }

  private static void pause(long millis) {
    await(Future.<Void>future(done -> vertx.setTimer(millis, id -> done.complete())));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, command).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
