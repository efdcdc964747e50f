package io.mirador.e2e.prod;

import static io.mirador.e2e.prod.ProdSetup.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.testing.WebhookReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerting across process deaths, on the production path: hubs are child JVMs on RabbitMQ and a Redis of their own, an
 * agent in this JVM sends {@code test.level} every 100 ms at a level the test sets, a threshold rule ({@code > 50},
 * {@code for: 0s}) turns it into an alert, and a webhook receiver in this JVM counts what it is told. A hub is killed
 * with SIGKILL (no shutdown, its lease left to expire); whatever happens, the receiver is told exactly once per
 * transition — never again after a restart or takeover, and a resolve that happened while no hub watched is told.
 */
class AlertFailoverTest {

  private static final String NOTIFIER = "ops";

  @TempDir
  java.nio.file.Path dir;

  private static JsonObject alerting(WebhookReceiver receiver) {
    return new JsonObject().put("evalIntervalMs", 200)
        .put("retry", new JsonObject().put("initialBackoffMs", 50).put("maxBackoffMs", 200).put("maxAttempts", 3))
        .put("rules", new JsonObject().put("LevelHigh", new JsonObject().put("kind", "threshold").put("metric", LevelAgent.METRIC)
            .put("op", ">").put("value", 50).put("for", "0s").put("severity", "critical")))
        .put("notifiers", new JsonObject().put(NOTIFIER, new JsonObject().put("type", "webhook").put("url", receiver.url("/hook"))
            .put("groupWait", "0s").put("groupInterval", "1s").put("repeatInterval", "4h").put("timeout", "2s")));
  }

  private static long told(WebhookReceiver receiver, String status) {
    return receiver.bodies().stream().filter(body -> status.equals(body.getString("status"))).count();
  }

  private static void awaitTold(WebhookReceiver receiver, String status, long count) throws InterruptedException {
    waitUntil(() -> told(receiver, status) >= count, 60_000, () -> count + " " + status + " notifications: " + receiver.bodies());
    assertEquals(count, told(receiver, status), () -> "exactly " + count + " " + status + ": " + receiver.bodies());
  }

  /** Holds for the whole of {@code ms}: a bounded window in which a duplicate would have shown. */
  private static void assertStays(long ms, BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (System.nanoTime() < end) {
      assertTrue(condition.getAsBoolean(), what);
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  private static LevelAgent agent(ProdSetup setup, double level) throws Exception {
    return LevelAgent.start(setup.agentConf("level"), level, 100).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The agent has handed out {@code more} samples since now: with no hub running, they wait in the broker. */
  private static void awaitSent(LevelAgent agent, long more) throws InterruptedException {
    long from = agent.sent();
    waitUntil(() -> agent.sent() >= from + more, 30_000, () -> more + " samples sent");
  }

  /**
   * The owner wrote down that it told {@code status}: killed between the receiver's answer and this write, a new owner
   * cannot know the send went through and tells again once the claim is old (at least once, by design); the kills below
   * are of an owner with nothing in flight.
   */
  private static void awaitRecorded(AlertHubs hubs, int node, String status, int count) throws InterruptedException {
    waitUntil(() -> {
      JsonArray alerts = hubs.alerts(node);
      return alerts.size() == 1 && alerts.getJsonObject(0).getJsonArray("notifications", new JsonArray()).stream()
          .filter(n -> status.equals(((JsonObject) n).getString("status"))).count() >= count;
    }, 30_000, () -> "the " + status + " notification recorded on node " + node + ": " + hubs.alerts(node));
  }

  private static String logs(ProdSetup setup) {
    try {
      return setup.logs();
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static JsonObject theAlert(AlertHubs hubs, int node) {
    JsonArray alerts = hubs.alerts(node);
    assertEquals(1, alerts.size(), alerts::encodePrettily);
    return alerts.getJsonObject(0);
  }

  @Test
  void hubKilledWhileAnAlertFiresNeitherTellsItAgainNorLosesTheResolve() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(); ProdSetup setup = new ProdSetup(dir, "alert-restart", null)) {
      AlertHubs hubs = new AlertHubs(setup, alerting(receiver), 1, false);
      hubs.start(0);
      waitUntil(() -> hubs.healthy(0) && hubs.holdsAlertLease(0), 120_000, () -> "hub up and owning alerting: " + hubs.log(0));
      LevelAgent agent = agent(setup, 10);
      try {
        agent.level(100);
        awaitTold(receiver, "firing", 1);
        String fingerprint = receiver.bodies().get(0).getJsonArray("alerts").getJsonObject(0).getString("fingerprint");
        awaitRecorded(hubs, 0, "firing", 1);

        hubs.kill(0); // in the middle of the firing alert
        awaitSent(agent, 10);
        hubs.start(0);
        waitUntil(() -> hubs.skips(0, NOTIFIER) >= 3, 60_000,
            () -> "the restarted hub looks at the firing group and finds it told: " + hubs.log(0));
        long killedAt = hubs.killedAt;
        assertEquals(1, told(receiver, "firing"), () -> "told again after the restart (killed at " + killedAt + "): "
            + receiver.received.stream().map(r -> r.at() + " " + r.body().getString("status")).toList() + "\n" + logs(setup));
        assertEquals("firing", theAlert(hubs, 0).getString("state"));

        hubs.kill(0);
        agent.level(10); // the condition clears while no hub runs
        awaitSent(agent, 10);
        hubs.start(0);
        awaitTold(receiver, "resolved", 1);
        JsonObject resolved = receiver.bodies().stream().filter(b -> "resolved".equals(b.getString("status"))).findFirst().orElseThrow();
        assertEquals(fingerprint, resolved.getJsonArray("alerts").getJsonObject(0).getString("fingerprint"));
        waitUntil(() -> "resolved".equals(theAlert(hubs, 0).getString("state")), 30_000, () -> "listed resolved: " + hubs.alerts(0));
        assertStays(3_000, () -> receiver.received.size() == 2, () -> "one firing, one resolved, nothing more: " + receiver.bodies());
      } finally {
        agent.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void twoNodesTheSenderKilledTellsEachTransitionOnce() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(); ProdSetup setup = new ProdSetup(dir, "alert-takeover", null)) {
      AlertHubs hubs = new AlertHubs(setup, alerting(receiver), 2, true);
      hubs.start(0);
      hubs.start(1);
      waitUntil(() -> hubs.healthy(0) && hubs.healthy(1), 90_000, () -> "both nodes up: " + hubs.log(0) + hubs.log(1));
      waitUntil(() -> hubs.log(0).contains("Members {size:2") && hubs.log(1).contains("Members {size:2"), 60_000,
          () -> "the two nodes in one cluster: " + hubs.log(0) + hubs.log(1));
      waitUntil(() -> hubs.owner() >= 0, 30_000, () -> "an alert owner");
      LevelAgent agent = agent(setup, 10);
      try {
        // 1. fires; the sender dies while it fires; the other node takes over and tells nothing again
        agent.level(100);
        awaitTold(receiver, "firing", 1);
        int first = hubs.owner();
        awaitRecorded(hubs, first, "firing", 1);
        hubs.kill(first);
        int survivor = 1 - first;
        waitUntil(() -> hubs.holdsAlertLease(survivor) && hubs.skips(survivor, NOTIFIER) >= 3, 60_000,
            () -> "node " + survivor + " took over and found the firing group told: " + hubs.log(survivor));
        assertEquals(1, told(receiver, "firing"), () -> "told again after the takeover: " + receiver.bodies());

        // 2. the killed node comes back (not the owner); resolves and fires again, told once each
        hubs.start(first);
        waitUntil(() -> hubs.healthy(first) && hubs.log(first).contains("Members {size:2"), 90_000,
            () -> "node " + first + " back in the cluster: " + hubs.log(first));
        agent.level(10);
        awaitTold(receiver, "resolved", 1);
        agent.level(100);
        awaitTold(receiver, "firing", 2);

        // 3. the sender dies, and the condition clears while the other node takes over
        int second = hubs.owner();
        assertTrue(second >= 0, "an owner");
        awaitRecorded(hubs, second, "firing", 2);
        hubs.kill(second);
        agent.level(10);
        int other = 1 - second;
        awaitTold(receiver, "resolved", 2);
        assertTrue(hubs.holdsAlertLease(other), "the resolve came from node " + other);
        assertStays(3_000, () -> receiver.received.size() == 4, () -> "two firing, two resolved, nothing more: " + receiver.bodies());
        List<String> statuses = receiver.bodies().stream().map(b -> b.getString("status")).toList();
        assertEquals(List.of("firing", "resolved", "firing", "resolved"), statuses);
        assertNotEquals(first, -1);
      } finally {
        agent.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }
}
