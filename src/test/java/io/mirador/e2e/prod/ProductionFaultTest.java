package io.mirador.e2e.prod;

import static io.mirador.e2e.prod.ProdSetup.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §6 under faults, on the production path (RabbitMQ transport, Redis store with append-only persistence):
 * an agent publishes a metrics event every 20 ms while one part fails and comes back, and at the end every seq
 * 1..N the agent handed out is stored exactly once — {@code received == lastSeq}, {@code gaps == 0}, one point
 * per metrics event — read back through the REST API. Duplicates on the wire are allowed and printed.
 *
 * <p>Each test has a vhost, and a redis-server, of its own; the shared broker is stopped and started in (a) only,
 * always started again in a finally.
 */
class ProductionFaultTest {

  private static final long TICK_MS = 20;

  @TempDir
  Path dir;

  private static void report(String test, JsonObject agent) {
    System.out.printf("%s: lastSeq %d, received %d, duplicates %d, gaps %d%n", test, agent.getLong("lastSeq"),
        agent.getLong("received"), agent.getLong("duplicates"), agent.getLong("gaps"));
  }

  private static long await(io.vertx.core.Future<?> future) throws Exception {
    future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return 0;
  }

  @Test
  void brokerStoppedAndStartedLosesNothing() throws Exception {
    try (ProdSetup setup = new ProdSetup(dir, "fault-broker", null)) {
      Mirador hub = setup.hubInProcess();
      TickingAgent agent = TickingAgent.start(setup.agentConf("tick-a"), TICK_MS).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      String id = agent.agentId();
      try {
        waitUntil(() -> setup.received(id) >= 50, 30_000, () -> "ingest running");
        long before;
        try {
          RabbitBroker.stopApp();
          waitUntil(() -> {
            HttpResponse<String> health = setup.get("/api/v1/health");
            return health.statusCode() == 503
                && "DOWN".equals(new JsonObject(health.body()).getJsonObject("checks").getJsonObject("rabbitmq").getString("status"));
          }, 15_000, () -> "health says rabbitmq DOWN: " + setup.get("/api/v1/health").body());
          long numberedAtStop = setup.agentLastSeq("tick-a");
          waitUntil(() -> lastSeq(setup, "tick-a") >= numberedAtStop + 50, 30_000,
              () -> "the agent numbering and spooling on while the broker is away");
          before = setup.received(id);
        } finally {
          RabbitBroker.startApp();
        }
        waitUntil(() -> setup.received(id) >= before + 100, 60_000, () -> "ingest resumed after the broker came back");
        waitUntil(() -> setup.get("/api/v1/health").statusCode() == 200, 30_000, () -> "health UP again");
        agent.stopTicking();
        report("broker restart", setup.assertEverySeqStoredOnce("tick-a", id, 1));
      } finally {
        await(agent.close());
        await(hub.close());
      }
    }
  }

  @Test
  void redisKilledAndRestartedOnItsAppendOnlyFileLosesNothing() throws Exception {
    try (ProdSetup setup = new ProdSetup(dir, "fault-redis", null)) {
      Mirador hub = setup.hubInProcess();
      TickingAgent agent = TickingAgent.start(setup.agentConf("tick-b"), TICK_MS).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      String id = agent.agentId();
      try {
        waitUntil(() -> setup.received(id) >= 50, 30_000, () -> "ingest running");
        long requeuedBefore = requeued(setup);
        setup.redis.kill();
        long killedAt = System.currentTimeMillis();
        waitUntil(() -> {
          HttpResponse<String> health = setup.get("/api/v1/health");
          return health.statusCode() == 503
              && "DOWN".equals(new JsonObject(health.body()).getJsonObject("checks").getJsonObject("redis").getString("status"));
        }, 15_000, () -> "health says redis DOWN: " + setup.get("/api/v1/health").body());
        waitUntil(() -> requeued(setup) - requeuedBefore >= 100, 30_000, () -> "deliveries requeued while Redis is away");
        long requeued = requeued(setup) - requeuedBefore;
        long outageMs = System.currentTimeMillis() - killedAt;
        setup.redis.restart();
        assertTrue(requeued > 0, "deliveries were requeued while Redis was away");
        // the hub holds a delivery requeueDelayMs (200 here) before it goes back: at most prefetch (250) per delay
        double perSecond = requeued * 1000.0 / outageMs;
        System.out.printf("redis outage: %d ms, %d requeued (%.0f/s)%n", outageMs, requeued, perSecond);
        assertTrue(perSecond <= 250 * (1000.0 / 200), "requeues are bounded, not a spin: " + perSecond + "/s");

        long before = setup.received(id);
        waitUntil(() -> setup.received(id) >= before + 100, 60_000, () -> "ingest resumed after Redis came back");
        waitUntil(() -> healthUp(setup), 15_000, () -> "health UP again: " + setup.get("/api/v1/health").body());
        agent.stopTicking();
        report("redis kill", setup.assertEverySeqStoredOnce("tick-b", id, 1));
      } finally {
        await(agent.close());
        await(hub.close());
      }
    }
  }

  @Test
  void hubProcessKilledAndRestartedLosesNothingAndShowsNoSecret() throws Exception {
    String redisSecret = "redis-" + UUID.randomUUID();
    String amqpSecret = "amqp-" + UUID.randomUUID();
    try (ProdSetup setup = new ProdSetup(dir, "fault-hub", redisSecret)) {
      setup.amqpUser("mirador-test-" + UUID.randomUUID().toString().substring(0, 8), amqpSecret);
      Process hub = setup.hubProcess("hub.log");
      waitUntil(() -> healthUp(setup), 60_000, () -> "hub process up");
      TickingAgent agent = TickingAgent.start(setup.agentConf("tick-c"), TICK_MS).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      String id = agent.agentId();
      try {
        waitUntil(() -> setup.received(id) >= 50, 30_000, () -> "ingest running");
        String health = setup.get("/api/v1/health").body();
        String metrics = setup.get("/metrics").body();
        String agents = setup.get("/api/v1/agents").body();
        ProdSetup.kill(hub);
        long numberedAtKill = setup.agentLastSeq("tick-c");
        waitUntil(() -> lastSeq(setup, "tick-c") >= numberedAtKill + 50, 30_000,
            () -> "the agent publishing on into the broker while the hub is dead");
        long before = setup.received(id);
        setup.hubProcess("hub-restarted.log");
        waitUntil(() -> setup.received(id) >= before + 100, 60_000, () -> "ingest resumed on the restarted hub");
        agent.stopTicking();
        report("hub kill", setup.assertEverySeqStoredOnce("tick-c", id, 1));

        health += setup.get("/api/v1/health").body();
        metrics += setup.get("/metrics").body();
        String logs = setup.logs();
        assertTrue(logs.contains("Redis store on redis://***@127.0.0.1:" + setup.redis.port()), "the hub logged where its Redis is, password masked");
        for (String secret : new String[] {redisSecret, amqpSecret}) {
          assertFalse(logs.contains(secret), "a password in the hub's log");
          assertFalse(health.contains(secret), "a password in /api/v1/health");
          assertFalse(metrics.contains(secret), "a password in /metrics");
          assertFalse(agents.contains(secret), "a password in /api/v1/agents");
        }
      } finally {
        await(agent.close());
      }
    }
  }

  @Test
  void agentProcessKilledAndRestartedReplaysItsSpool() throws Exception {
    try (ProdSetup setup = new ProdSetup(dir, "fault-agent", null)) {
      Mirador hub = setup.hubInProcess();
      try {
        Process agent = setup.agentProcess("tick-d", "agent.log", TICK_MS);
        waitUntil(() -> Files.exists(setup.dataDir("tick-d").resolve("agent.id")), 60_000, () -> "agent id written");
        String id = agentId(setup);
        waitUntil(() -> setup.received(id) >= 100, 60_000, () -> "ingest running");
        ProdSetup.kill(agent);
        long numbered = setup.agentLastSeq("tick-d");
        System.out.printf("agent killed at seq %d, hub had %d%n", numbered, setup.received(id));

        setup.agentProcess("tick-d", "agent-restarted.log", TICK_MS);
        waitUntil(() -> setup.received(id) >= numbered + 50, 60_000, () -> "the restarted agent replayed and goes on");
        Files.createFile(setup.dataDir("tick-d").resolve(TickingAgent.STOP_FILE));
        report("agent kill", setup.assertEverySeqStoredOnce("tick-d", id, 2));
        assertTrue(setup.logs().contains("agent " + id), "the agent logged");
      } finally {
        await(hub.close());
      }
    }
  }

  private static boolean healthUp(ProdSetup setup) {
    HttpResponse<String> health = setup.get("/api/v1/health");
    return health != null && health.statusCode() == 200;
  }

  private static long requeued(ProdSetup setup) {
    Matcher m = Pattern.compile("(?m)^mirador_events_requeued_total (\\d+)").matcher(setup.get("/metrics").body());
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static String agentId(ProdSetup setup) throws Exception {
    return Files.readString(setup.dataDir("tick-d").resolve("agent.id")).trim();
  }

  /** The agent's last seq, for conditions (which cannot throw checked exceptions). */
  private static long lastSeq(ProdSetup setup, String name) {
    try {
      return setup.agentLastSeq(name);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
