package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.metrics.Meters;
import io.mirador.model.AgentInfo;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.mirador.testing.WebhookReceiver;
import io.mirador.transport.local.EventBusAgentTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerting end to end on a hub (memory store, event-bus transport): samples published as an agent would, rules and
 * notifiers through REST, a real HTTP receiver on loopback getting Alertmanager webhook payloads.
 */
class AlertingEndToEndTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);

  private Mirador hub;
  private Vertx client;
  private WebClient http;
  private WebhookReceiver receiver;
  private final Map<String, EventBusAgentTransport> agents = new HashMap<>();
  private final Map<String, Long> seqs = new HashMap<>();

  @BeforeEach
  void start() {
    receiver = new WebhookReceiver();
    JsonObject config = TestConfig.hubOnly().put("hub", new JsonObject().put("alert", new JsonObject()
        .put("evalIntervalMs", 100).put("valueRefreshMs", 200).put("externalUrl", "http://mirador.test").put("expiredSilenceRetentionMs", 3_000)
        .put("retry", new JsonObject().put("initialBackoffMs", 50).put("maxBackoffMs", 200).put("maxAttempts", 4))));
    hub = Await.result(Mirador.start(Mirador.Mode.HUB, config));
    client = Vertx.vertx();
    http = TestConfig.api(client, hub.httpPort());
  }

  @AfterEach
  void stop() {
    Await.result(hub.close());
    Await.result(client.close());
    receiver.close();
  }

  private void publish(String agent, EventType type, Object body) {
    EventBusAgentTransport transport = agents.computeIfAbsent(agent, a -> new EventBusAgentTransport(hub.vertx(), a, 5_000));
    long seq = seqs.merge(agent, 1L, Long::sum);
    Await.result(transport.publish(Envelope.of(type, agent, seq, System.currentTimeMillis(), (io.mirador.model.EventBody) body)));
  }

  private void register(String agent, String hostname) {
    publish(agent, EventType.REGISTER, new AgentInfo(agent, hostname, List.of("192.0.2.1"), "test", "test", false, 1, 10, Map.of(), List.of()));
  }

  private void cpu(String agent, double value) {
    publish(agent, EventType.METRICS, new MetricsBatch(List.of(Sample.of("cpu.usage", Map.of("cpu", "total"), value, System.currentTimeMillis()),
        Sample.of("mem.used", 1, System.currentTimeMillis()))));
  }

  private HttpResponse<?> put(String path, JsonObject body) {
    return Await.result(http.put(path).sendJsonObject(body));
  }

  private JsonObject get(String path) {
    return Await.result(http.get(path).send()).bodyAsJsonObject();
  }

  private void rule(String name, double threshold) {
    assertEquals(201, put("/api/v1/rules/" + name, new JsonObject().put("kind", "threshold").put("metric", "cpu.usage")
        .put("tags", new JsonObject().put("cpu", "total")).put("op", ">").put("value", threshold).put("severity", "critical")
        .put("labels", new JsonObject().put("team", "ops"))
        .put("annotations", new JsonObject().put("summary", "CPU {{ $value }}% on {{ $labels.hostname }}"))).statusCode());
  }

  private void webhook(String name, JsonObject extra) {
    JsonObject body = new JsonObject().put("type", "webhook").put("url", receiver.url("/hook/" + name)).put("groupWait", "0s")
        .put("groupInterval", "1s").put("repeatInterval", "4h").put("timeout", "2s").mergeIn(extra);
    HttpResponse<?> created = put("/api/v1/notifiers/" + name, body);
    assertEquals(201, created.statusCode(), created.bodyAsString());
  }

  private List<JsonObject> awaitPayloads(int count) {
    Await.until(client, count + " webhook payloads", PATIENCE, () -> Future.succeededFuture(
        Optional.ofNullable(receiver.received.size() >= count ? true : null)));
    return receiver.bodies();
  }

  private double flushes(String notifier, String decision) {
    return Meters.of(hub.vertx()).value("mirador_alert_flushes_total", Map.of("notifier", notifier, "decision", decision));
  }

  /** Waits until the group was looked at again after what the test saw, and dedup found nothing new to send. */
  private void awaitSkip(String notifier) {
    double before = flushes(notifier, "skip");
    Await.until(client, "a flush of " + notifier + " that sends nothing", PATIENCE, () -> Future.succeededFuture(
        Optional.ofNullable(flushes(notifier, "skip") > before ? true : null)));
  }

  @Test
  void firingThenResolvedOnceEachAsAlertmanagerWebhooks() {
    register("a1", "web-1");
    rule("HighCpu", 90);
    webhook("ops", new JsonObject().put("match", new JsonObject().put("severity", "critical")).put("bearerToken", "t0ken"));
    cpu("a1", 50);
    cpu("a1", 95.5);
    JsonObject firing = awaitPayloads(1).get(0);
    assertEquals("4", firing.getString("version"));
    assertEquals("firing", firing.getString("status"));
    assertEquals("ops", firing.getString("receiver"));
    assertEquals("{}:{alertname=\"HighCpu\"}", firing.getString("groupKey"));
    assertEquals(new JsonObject().put("alertname", "HighCpu"), firing.getJsonObject("groupLabels"));
    assertEquals("http://mirador.test", firing.getString("externalURL"));
    JsonObject alert = firing.getJsonArray("alerts").getJsonObject(0);
    assertEquals(new JsonObject().put("agent", "a1").put("alertname", "HighCpu").put("cpu", "total").put("hostname", "web-1")
        .put("severity", "critical").put("team", "ops"), alert.getJsonObject("labels"));
    assertEquals("CPU 95.5% on web-1", alert.getJsonObject("annotations").getString("summary"));
    assertEquals("0001-01-01T00:00:00Z", alert.getString("endsAt"));
    assertEquals(16, alert.getString("fingerprint").length());
    Instant.parse(alert.getString("startsAt"));
    assertEquals("Bearer t0ken", receiver.received.get(0).authorization());

    JsonObject listed = get("/api/v1/alerts?state=firing&rule=HighCpu").getJsonArray("alerts").getJsonObject(0);
    assertEquals(alert.getString("fingerprint"), listed.getString("fingerprint"));
    assertEquals(95.5, listed.getDouble("value"));
    assertEquals(new JsonArray(), listed.getJsonArray("silencedBy"));
    Await.until(client, "the notification recorded", PATIENCE, () -> Future.succeededFuture(Optional.ofNullable(
        get("/api/v1/alerts?agent=a1").getJsonArray("alerts").getJsonObject(0).getJsonArray("notifications").isEmpty() ? null : true)));
    JsonObject record = get("/api/v1/alerts?agent=a1").getJsonArray("alerts").getJsonObject(0).getJsonArray("notifications").getJsonObject(0);
    assertEquals("ops", record.getString("notifier"));
    assertEquals("firing", record.getString("status"));
    assertEquals("sent", record.getString("outcome"));
    assertEquals(1, record.getInteger("attempts"));

    cpu("a1", 97); // still firing: nothing new to tell
    awaitSkip("ops");
    assertEquals(1, receiver.received.size(), "no duplicate");
    Await.until(client, "the listed value following the series", PATIENCE, () -> Future.succeededFuture(Optional.ofNullable(
        get("/api/v1/alerts?rule=HighCpu").getJsonArray("alerts").getJsonObject(0).getDouble("value") == 97.0 ? true : null)));

    cpu("a1", 20);
    JsonObject resolved = awaitPayloads(2).get(1);
    assertEquals("resolved", resolved.getString("status"));
    JsonObject resolvedAlert = resolved.getJsonArray("alerts").getJsonObject(0);
    assertEquals(alert.getString("fingerprint"), resolvedAlert.getString("fingerprint"));
    assertFalse(resolvedAlert.getString("endsAt").startsWith("0001"));
    assertEquals("resolved", get("/api/v1/alerts?rule=HighCpu").getJsonArray("alerts").getJsonObject(0).getString("state"));
    assertTrue(get("/api/v1/alerts?state=firing").getJsonArray("alerts").isEmpty());

    // the secret never comes back
    JsonObject shown = get("/api/v1/notifiers/ops");
    assertEquals("<secret>", shown.getString("bearerToken"));
    assertFalse(get("/api/v1/notifiers").encode().contains("t0ken"));
  }

  @Test
  void alertsFiringTogetherAreOneNotificationAndOthersGoElsewhere() {
    register("a1", "web-1");
    register("a2", "web-2");
    rule("HighCpu", 90);
    webhook("grouped", new JsonObject().put("groupWait", "1s"));
    webhook("warnings", new JsonObject().put("match", new JsonObject().put("severity", "warning")));
    cpu("a1", 95);
    cpu("a2", 96);
    JsonObject payload = awaitPayloads(1).get(0);
    assertEquals(2, payload.getJsonArray("alerts").size(), payload.encode());
    assertEquals(new JsonObject().put("alertname", "HighCpu").put("cpu", "total").put("severity", "critical").put("team", "ops"),
        payload.getJsonObject("commonLabels"));
    awaitSkip("grouped");
    assertEquals(1, receiver.received.size());
    assertEquals(0, flushes("warnings", "send") + flushes("warnings", "skip"), "a notifier whose match fails gets nothing");
  }

  @Test
  void aSilencedAlertShowsSilencedAndSendsNothingUntilTheSilenceExpires() {
    register("a1", "web-1");
    rule("HighCpu", 90);
    webhook("ops", new JsonObject());
    HttpResponse<?> created = Await.result(http.post("/api/v1/silences").sendJsonObject(new JsonObject()
        .put("matchers", new JsonArray().add(new JsonObject().put("name", "alertname").put("value", "High.*").put("isRegex", true)))
        .put("endsAt", Instant.now().plusSeconds(3600).toString()).put("createdBy", "ann").put("comment", "maintenance")));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String id = created.bodyAsJsonObject().getString("id");
    cpu("a1", 95);
    Await.until(client, "the alert firing", PATIENCE, () -> Future.succeededFuture(Optional.ofNullable(
        get("/api/v1/alerts?state=firing").getJsonArray("alerts").isEmpty() ? null : true)));
    assertEquals(new JsonArray().add(id), get("/api/v1/alerts").getJsonArray("alerts").getJsonObject(0).getJsonArray("silencedBy"));
    awaitSkip("ops");
    assertEquals(0, receiver.requests.get(), "silenced: nothing sent");
    assertEquals("active", get("/api/v1/silences/" + id).getJsonObject("status").getString("state"));

    assertEquals(204, Await.result(http.delete("/api/v1/silences/" + id).send()).statusCode());
    assertEquals("expired", get("/api/v1/silences/" + id).getJsonObject("status").getString("state"));
    assertEquals("firing", awaitPayloads(1).get(0).getString("status"));

    // expired for hub.alert.expiredSilenceRetentionMs (3 s here): removed from the store, listed no more
    Await.untilTrue(client, "the expired silence forgotten", PATIENCE, () ->
        Await.result(http.get("/api/v1/silences/" + id).send()).statusCode() == 404 && get("/api/v1/silences").getJsonArray("silences").isEmpty());
  }

  @Test
  void silencingAToldAlertTellsNoResolveAndEndingTheSilenceTellsNoSecondFiring() {
    register("a1", "web-1");
    rule("HighCpu", 90);
    webhook("ops", new JsonObject());
    cpu("a1", 95);
    assertEquals("firing", awaitPayloads(1).get(0).getString("status"));
    HttpResponse<?> created = Await.result(http.post("/api/v1/silences").sendJsonObject(new JsonObject()
        .put("matchers", new JsonArray().add(new JsonObject().put("name", "agent").put("value", "a1")))
        .put("endsAt", Instant.now().plusSeconds(3600).toString()).put("createdBy", "ann").put("comment", "reboot")));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    cpu("a1", 96);
    awaitSkip("ops");
    assertEquals(1, receiver.received.size(), () -> "muted, not resolved: nothing told " + receiver.bodies());
    assertEquals(204, Await.result(http.delete("/api/v1/silences/" + created.bodyAsJsonObject().getString("id")).send()).statusCode());
    cpu("a1", 97);
    awaitSkip("ops");
    awaitSkip("ops");
    assertEquals(1, receiver.received.size(), () -> "unmuted and still firing: told already " + receiver.bodies());
    cpu("a1", 10);
    assertEquals("resolved", awaitPayloads(2).get(1).getString("status"));
  }

  @Test
  void withoutResolvesAnAlertThatFiresAgainIsToldAgain() {
    register("a1", "web-1");
    rule("HighCpu", 90);
    webhook("pager", new JsonObject().put("sendResolved", false));
    cpu("a1", 95);
    awaitPayloads(1);
    cpu("a1", 10);
    Await.until(client, "the alert resolved", PATIENCE, () -> Future.succeededFuture(Optional.ofNullable(
        "resolved".equals(get("/api/v1/alerts?rule=HighCpu").getJsonArray("alerts").getJsonObject(0).getString("state")) ? true : null)));
    // dedup lets the all-resolved group through so the log forgets it; the sender tells nobody
    Await.until(client, "the resolve written to the log", PATIENCE, () -> Future.succeededFuture(
        Optional.ofNullable(flushes("pager", "send") >= 2 ? true : null)));
    assertEquals(1, receiver.received.size(), "no resolve told");
    cpu("a1", 99);
    List<JsonObject> told = awaitPayloads(2);
    assertEquals(List.of("firing", "firing"), told.stream().map(b -> b.getString("status")).toList());
  }

  @Test
  void aReceiverThatFailsTwiceIsRetriedAndGetsExactlyOneNotification() {
    register("a1", "web-1");
    rule("HighCpu", 90);
    receiver.failNext.set(2);
    webhook("flaky", new JsonObject());
    cpu("a1", 95);
    awaitPayloads(1);
    awaitSkip("flaky");
    assertEquals(3, receiver.requests.get());
    assertEquals(1, receiver.received.size());
    Await.until(client, "the notification recorded", PATIENCE, () -> Future.succeededFuture(Optional.ofNullable(
        get("/api/v1/alerts").getJsonArray("alerts").getJsonObject(0).getJsonArray("notifications").isEmpty() ? null : true)));
    JsonObject record = get("/api/v1/alerts").getJsonArray("alerts").getJsonObject(0).getJsonArray("notifications").getJsonObject(0);
    assertEquals(3, record.getInteger("attempts"));
    assertEquals("sent", record.getString("outcome"));
    assertNull(record.getString("error"));
    assertEquals(2, Meters.of(hub.vertx()).value("mirador_notification_retries_total", Map.of("notifier", "flaky")));
  }

  @Test
  void badRulesNotifiersAndSilencesAre400AndChangeNothing() {
    rule("Kept", 90);
    JsonObject before = get("/api/v1/rules");
    HttpResponse<?> bad = put("/api/v1/rules/Kept", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("op", "=>").put("value", 1));
    assertEquals(400, bad.statusCode());
    assertTrue(bad.bodyAsJsonObject().getString("detail").contains("op must be"), bad.bodyAsString());
    assertEquals(400, put("/api/v1/rules/New", new JsonObject().put("kind", "agent").put("oops", 1)).statusCode());
    assertEquals(before, get("/api/v1/rules"));

    HttpResponse<?> badHook = put("/api/v1/notifiers/x", new JsonObject().put("type", "webhook").put("url", "ftp://nope"));
    assertEquals(400, badHook.statusCode());
    assertTrue(badHook.bodyAsJsonObject().getString("detail").contains("http"), badHook.bodyAsString());
    assertEquals(400, put("/api/v1/notifiers/x", new JsonObject().put("type", "carrier-pigeon")).statusCode());
    assertEquals(404, Await.result(http.get("/api/v1/notifiers/x").send()).statusCode());

    HttpResponse<?> badSilence = Await.result(http.post("/api/v1/silences").sendJsonObject(new JsonObject()
        .put("matchers", new JsonArray().add(new JsonObject().put("name", "alertname").put("value", "(").put("isRegex", true)))
        .put("endsAt", Instant.now().plusSeconds(60).toString())));
    assertEquals(400, badSilence.statusCode());
    assertEquals(400, Await.result(http.post("/api/v1/silences").sendJsonObject(new JsonObject()
        .put("matchers", new JsonArray().add(new JsonObject().put("name", "alertname").put("value", "x")))
        .put("endsAt", "yesterday"))).statusCode());
    assertEquals(400, Await.result(http.get("/api/v1/alerts?state=burning").send()).statusCode());
    assertTrue(get("/api/v1/silences").getJsonArray("silences").isEmpty());
    assertEquals(404, Await.result(http.delete("/api/v1/rules/Nope").send()).statusCode());
  }
}
