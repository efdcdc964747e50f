package io.mirador.store.redis;

import static io.mirador.store.redis.RedisTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mirador.Mirador;
import io.mirador.model.AgentInfo;
import io.mirador.model.Sample;
import io.mirador.store.Admission;
import io.mirador.store.AgentRecord;
import io.mirador.store.LatestValue;
import io.mirador.store.SeriesData;
import io.mirador.store.SeriesQuery;
import io.mirador.store.WriteBatch;
import io.mirador.testing.Await;
import io.mirador.testing.RedisServer;
import io.mirador.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis Sentinel for real: a master, its replica and a sentinel of the test's own, each a redis-server process on a
 * free loopback port in a directory of its own. The store finds the master through the sentinel, and after the
 * master is killed (SIGKILL) and the sentinel has promoted the replica, writes and reads there again, with what was
 * written before still there. The shared Redis is not touched.
 */
class RedisSentinelTest {

  private static final String MASTER = "mirador-test";
  private static final String PASSWORD = "sentinel-test-secret";
  private static final String AGENT = "sentinel-agent";
  private static final String PREFIX = "sentinel-test:";

  private static Vertx vertx;

  @TempDir
  Path tmp;

  /** Processes, clients and stores of the running test, closed last first, whatever happened. */
  private final Deque<AutoCloseable> cleanups = new ArrayDeque<>();

  @BeforeAll
  static void startVertx() {
    assumeTrue(new File("/usr/bin/redis-server").canExecute(), "no redis-server to start");
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @AfterEach
  void stopEverything() {
    while (!cleanups.isEmpty()) {
      try {
        cleanups.pop().close();
      } catch (Exception e) {
        // the next one is closed all the same
      }
    }
  }

  @Test
  void theStoreFindsTheMasterThroughTheSentinelAndFollowsItThroughAFailover() throws Exception {
    // no 5 s wait for more replicas before the first sync
    RedisServer master = own(RedisServer.startWith(dir("master"), PASSWORD, false, List.of("--repl-diskless-sync-delay", "0")));
    RedisServer replica = own(RedisServer.startWith(dir("replica"), PASSWORD, false,
        List.of("--repl-diskless-sync-delay", "0", "--replicaof", "127.0.0.1", Integer.toString(master.port()))));
    RedisServer sentinel = own(RedisServer.sentinel(dir("sentinel"), false, List.of(
        "sentinel monitor " + MASTER + " 127.0.0.1 " + master.port() + " 1",
        "sentinel auth-pass " + MASTER + " " + PASSWORD,
        "sentinel down-after-milliseconds " + MASTER + " 1000",
        "sentinel failover-timeout " + MASTER + " 5000")));
    RedisAPI sentinelAdmin = admin("redis://127.0.0.1:" + sentinel.port());
    awaitHealthyReplica(sentinelAdmin, replica.port());

    // the first sentinel listed is down: the store asks the next one
    int downSentinel = RedisServer.freePort();
    RedisStore store = own(new RedisStore(vertx, new JsonObject()
        // with Sentinel the url gives the password and the database; its host is not used
        .put("url", "redis://:" + PASSWORD + "@" + MASTER + "/3")
        .put("prefix", PREFIX)
        .put("connectTimeoutMs", 1000).put("commandTimeoutMs", 2000).put("reconnectMinMs", 50).put("reconnectMaxMs", 200)
        .put("sentinel", new JsonObject().put("masterName", MASTER).put("endpoints", new JsonArray()
            .add("redis://127.0.0.1:" + downSentinel).add("redis://127.0.0.1:" + sentinel.port())))));

    // (a) through the sentinel to the master, database 3
    long before = System.currentTimeMillis() - 10_000;
    assertEquals(Admission.ACCEPTED, await(store.write(AGENT, 1, new WriteBatch(before)
        .agentInfo(new AgentInfo(AGENT, "web-1", List.of("10.0.0.7"), "Linux", "0.1.0", false, 1_000, 10, Map.of(), List.of("all")))
        .samples(List.of(Sample.of("cpu.load", 1.5, before))))));
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 1.5, before)), await(store.latest(AGENT)));
    assertEquals(List.of(AGENT), await(store.agents()).stream().map(AgentRecord::id).toList());
    RedisAPI onMaster = admin("redis://:" + PASSWORD + "@127.0.0.1:" + master.port() + "/3");
    assertEquals(1, await(onMaster.exists(List.of(PREFIX + "agents"))).toInteger(), "written to the master, in database 3");
    // replicated before the master goes: a write of the test's own, then WAIT for the replica to have it (and all before it)
    await(onMaster.set(List.of(PREFIX + "marker", "1")));
    assertEquals(1, await(onMaster.send(Command.WAIT, "1", "5000")).toInteger(), "the replica has it all");
    long failuresBefore = store.stats().get("failures");

    // (b) the master dies; the sentinel promotes the replica; the store fails fast meanwhile, then writes there
    master.kill();
    long killedAt = System.nanoTime();
    long after = System.currentTimeMillis();
    List<Long> failedCallMillis = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    Admission admitted = Await.until(vertx, "a write once the replica is promoted", Duration.ofSeconds(20), Duration.ofMillis(50), () -> {
      long start = System.nanoTime();
      return store.write(AGENT, 2, new WriteBatch(after).samples(List.of(Sample.of("cpu.load", 2.5, after)))).transform(done -> {
        if (done.succeeded()) {
          return Future.succeededFuture(Optional.of(done.result()));
        }
        failedCallMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        reasons.add(done.cause().getMessage());
        return Future.succeededFuture(Optional.empty());
      });
    });
    long writesFailedForMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    long slowest = failedCallMillis.stream().mapToLong(Long::longValue).max().orElse(0);
    Map<String, Long> why = reasons.stream().collect(java.util.stream.Collectors.groupingBy(
        reason -> reason.substring(reason.indexOf(", db 3") + ", db 3".length()).replaceAll("\\d+ ms", "N ms"), java.util.TreeMap::new,
        java.util.stream.Collectors.counting()));
    System.out.printf("Sentinel failover after SIGKILL of the master: writes failed for %d ms, %d failed calls, slowest %d ms; why: %s%n",
        writesFailedForMs, failedCallMillis.size(), slowest, why);

    assertEquals(Admission.ACCEPTED, admitted);
    assertFalse(failedCallMillis.isEmpty(), "calls failed while there was no master");
    assertTrue(slowest < 2_500, "every failed call failed within commandTimeoutMs, the slowest took " + slowest + " ms: " + reasons);
    assertEquals(failuresBefore + failedCallMillis.size(), store.stats().get("failures"), "every failed write is counted");
    assertTrue(reasons.stream().allMatch(reason -> reason.contains("master '" + MASTER + "' via sentinels redis://127.0.0.1:" + downSentinel)),
        "the failures say where: " + reasons.get(0));
    assertTrue(reasons.stream().noneMatch(reason -> reason.contains(PASSWORD)), "no password in a message: " + reasons);
    assertEquals(replica.port(), await(sentinelAdmin.send(Command.SENTINEL, "GET-MASTER-ADDR-BY-NAME", MASTER)).get(1).toInteger(),
        "the sentinel promoted the replica");

    // on the promoted replica: the new point, and the one written before the failover, which replication kept
    RedisAPI onReplica = admin("redis://:" + PASSWORD + "@127.0.0.1:" + replica.port() + "/3");
    assertEquals("master", await(onReplica.role()).get(0).toString());
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 2.5, after)), await(store.latest(AGENT)));
    assertEquals(List.of(new SeriesData("cpu.load", Map.of(), List.of(new SeriesData.Point(before, 1.5), new SeriesData.Point(after, 2.5)))),
        await(store.series(new SeriesQuery(AGENT, "cpu.load", Map.of(), before - 1_000, after + 1_000, 0))));
    List<AgentRecord> agents = await(store.agents());
    assertEquals(List.of("web-1"), agents.stream().map(AgentRecord::hostname).toList());
    assertEquals(2, agents.get(0).ingest().lastSeq(), "the seq bookkeeping went on where it was");
    await(store.ping());
    assertEquals(1L, store.stats().get("redis_up"));
  }

  @Test
  void overTlsTheSentinelAndTheMasterAreBothReachedWithTls() throws Exception {
    assumeTrue(new File("/usr/bin/openssl").canExecute(), "no openssl to make a certificate for redis-server");
    Path tls = dir("tls");
    Path certificate = tls.resolve("redis.crt");
    Path key = tls.resolve("redis.key");
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", key.toString(), "-out", certificate.toString()).redirectErrorStream(true).start();
    String output = new String(openssl.getInputStream().readAllBytes());
    assertTrue(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0, "openssl: " + output);
    // TLS only: no plain port anywhere, so anything that works went over TLS
    List<String> serverTls = List.of("--tls-cert-file", certificate.toString(), "--tls-key-file", key.toString(),
        "--tls-ca-cert-file", certificate.toString(), "--tls-auth-clients", "no", "--tls-replication", "yes");
    RedisServer master = own(RedisServer.startWith(dir("tls-master"), PASSWORD, true, serverTls));
    List<String> replicaOptions = new ArrayList<>(serverTls);
    replicaOptions.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
    own(RedisServer.startWith(dir("tls-replica"), PASSWORD, true, replicaOptions));
    RedisServer sentinel = own(RedisServer.sentinel(dir("tls-sentinel"), true, List.of(
        "tls-cert-file " + certificate, "tls-key-file " + key, "tls-ca-cert-file " + certificate,
        "tls-auth-clients no", "tls-replication yes",
        "sentinel monitor " + MASTER + " 127.0.0.1 " + master.port() + " 1",
        "sentinel auth-pass " + MASTER + " " + PASSWORD)));

    RedisStore store = own(new RedisStore(vertx, new JsonObject()
        .put("url", "rediss://:" + PASSWORD + "@" + MASTER + "/2")
        .put("prefix", PREFIX)
        .put("connectTimeoutMs", 2000).put("commandTimeoutMs", 5000)
        .put("tls", new JsonObject().put("trustStore", certificate.toString()))
        .put("sentinel", new JsonObject().put("masterName", MASTER).put("endpoints", new JsonArray().add("rediss://127.0.0.1:" + sentinel.port())))));

    long now = System.currentTimeMillis();
    assertEquals(Admission.ACCEPTED, await(store.write(AGENT, 1, new WriteBatch(now).samples(List.of(Sample.of("cpu.load", 0.5, now))))));
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 0.5, now)), await(store.latest(AGENT)));
    assertTrue(store.config().usesTls());
  }

  @Test
  void badSentinelSettingsStopTheHubStartingNamingTheKey() {
    JsonObject redis = new JsonObject().put("url", "redis://:" + PASSWORD + "@" + MASTER)
        .put("sentinel", new JsonObject().put("masterName", MASTER).put("endpoints", new JsonArray()
            .add("redis://127.0.0.1:26379").add("redis://:" + PASSWORD + "@127.0.0.1:26380")));
    Future<Mirador> hub = Mirador.start(Mirador.Mode.HUB, TestConfig.hubOnly().put("store", new JsonObject().put("type", "redis").put("redis", redis)));
    await(hub.otherwiseEmpty());
    assertTrue(hub.failed(), "the hub does not start");
    assertTrue(hub.cause().getMessage().startsWith("store.redis.sentinel.endpoints[1] carries a user or password"), hub.cause().getMessage());
    assertFalse(hub.cause().getMessage().contains(PASSWORD), hub.cause().getMessage());

    redis.getJsonObject("sentinel").put("endpoints", new JsonArray());
    hub = Mirador.start(Mirador.Mode.HUB, TestConfig.hubOnly().put("store", new JsonObject().put("type", "redis").put("redis", redis)));
    await(hub.otherwiseEmpty());
    assertTrue(hub.failed(), "the hub does not start");
    assertTrue(hub.cause().getMessage().startsWith("store.redis.sentinel.endpoints is empty"), hub.cause().getMessage());
  }

  // ---- helpers

  private Path dir(String name) throws Exception {
    return Files.createDirectories(tmp.resolve(name));
  }

  private <T extends AutoCloseable> T own(T closeable) {
    cleanups.push(closeable);
    return closeable;
  }

  private RedisStore own(RedisStore store) {
    cleanups.push(() -> await(store.close()));
    return store;
  }

  private RedisAPI admin(String url) {
    Redis client = Redis.createClient(vertx, url);
    cleanups.push(client::close);
    return RedisAPI.api(client);
  }

  /** Until the sentinel knows the replica and its link to the master is up: before that it has nobody to promote. */
  private static void awaitHealthyReplica(RedisAPI sentinel, int replicaPort) {
    Await.until(vertx, "the sentinel to see the replica on " + replicaPort, Duration.ofSeconds(15), Duration.ofMillis(100),
        () -> sentinel.send(Command.SENTINEL, "REPLICAS", MASTER).map(replicas -> {
          for (Response replica : replicas) {
            if (replica.get("port").toInteger() == replicaPort && "ok".equals(replica.get("master-link-status").toString())
                && "slave".equals(replica.get("flags").toString())) {
              return Optional.of(true);
            }
          }
          return Optional.<Boolean>empty();
        }));
  }
}
