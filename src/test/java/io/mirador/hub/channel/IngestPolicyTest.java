package io.mirador.hub.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Addresses;
import io.mirador.Mirador;
import io.mirador.metrics.Meters;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hub's policy on what arrives on the ingest queue, through the real channel, engine and store: timestamps far
 * from now are dead-lettered with reason {@code timestamp}, unknown fields are ignored and stored nowhere, agents beyond
 * {@code hub.agents.max} are refused ({@code agent_limit}) and counted, agents down past
 * {@code hub.agents.expireAfterSeconds} leave the registry, and {@code mirador_samples_stored_total} counts only what
 * the store kept.
 */
class IngestPolicyTest {

  private static final int MAX_AGENTS = 3;
  private static RunningMirador hub;
  private static final String ONE = "\"samples\":[{\"name\":\"up\",\"tags\":{},\"value\":1,\"ts\":" + System.currentTimeMillis() + "}]";
  private static Meters meters;

  @BeforeAll
  static void start() {
    JsonObject config = TestConfig.hubOnly().put("hub", new JsonObject()
        .put("agents", new JsonObject().put("max", MAX_AGENTS).put("expireAfterSeconds", 2).put("refreshMs", 200))
        .put("heartbeat", new JsonObject().put("defaultIntervalSeconds", 1).put("staleAfterIntervals", 1).put("downAfterIntervals", 2)))
        .put("store", new JsonObject().put("memory", new JsonObject().put("maxSeries", 5)));
    hub = RunningMirador.start(Mirador.Mode.HUB, config);
    meters = Meters.of(hub.mirador.vertx());
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void timestampsFarFromNowAreDeadLetteredWithTheirReason() {
    double before = rejected("timestamp");
    long now = System.currentTimeMillis();
    for (String ts : List.of("10000000000000000", "9223372036854775807", "9007199254740992", Long.toString(now + 3_600_000),
        Long.toString(now - 30L * 24 * 3600 * 1000), "1")) {
      String reason = deadLettered(metrics("ts-junk", 1, ts, "\"a\":1"));
      assertTrue(reason.contains("ts") && (reason.contains("out of range") || reason.contains("hub.ingest.max")), reason);
    }
    assertEquals(4, rejected("timestamp") - before, "the ones inside 1..2^53 are counted as timestamp");
    assertTrue(agentIds().stream().noneMatch("ts-junk"::equals), "no agent made from junk");
  }

  @Test
  void unknownFieldsAreIgnoredAndStoredNowhere() {
    assertEquals("ok", ingest(("{\"v\":1,\"type\":\"metrics\",\"agent\":\"extra-fields\",\"seq\":1,\"ts\":" + System.currentTimeMillis()
        + ",\"evil\":{\"deep\":[1,2,3]},\"body\":{" + ONE + ",\"more\":\"x\"}}")));
    HttpResponse<Buffer> agent = Await.result(hub.http.get("/api/v1/agents/extra-fields").send());
    assertEquals(200, agent.statusCode());
    assertTrue(!agent.bodyAsString().contains("evil") && !agent.bodyAsString().contains("more"), agent.bodyAsString());
  }

  @Test
  void agentsBeyondTheMaximumAreRefusedAndCountedAndDownOnesExpire() throws InterruptedException {
    double refusedBefore = rejected("agent_limit");
    long now = System.currentTimeMillis();
    int admitted = 0;
    int refused = 0;
    for (int i = 0; i < MAX_AGENTS + 5; i++) {
      String answer = ingest(envelope("metrics", "cap-" + i, 1, now, ONE));
      if (answer.equals("ok")) {
        admitted++;
      } else {
        assertTrue(answer.contains("hub.agents.max"), answer);
        refused++;
      }
    }
    assertTrue(admitted <= MAX_AGENTS, "at most hub.agents.max agents: " + agentIds());
    assertTrue(refused >= 5, "refused " + refused);
    assertEquals(refused, rejected("agent_limit") - refusedBefore);
    // they fall silent: down after 2 s, gone 2 s later, and their places are free again
    Await.condition(Duration.ofSeconds(30), Duration.ofMillis(100), () -> agentIds().stream().noneMatch(id -> id.startsWith("cap-")),
        () -> "silent agents expired: " + agentIds());
    assertTrue(meters.value("mirador_agents_expired_total", Map.of()) >= admitted);
    Await.condition(Duration.ofSeconds(10), Duration.ofMillis(100),
        () -> ingest(envelope("metrics", "after-expiry", 1, System.currentTimeMillis(), ONE)).equals("ok"), () -> "a new agent admitted again");
  }

  @Test
  void samplesStoredCountsOnlyWhatTheStoreKept() {
    double stored = meters.value("mirador_samples_stored_total", Map.of());
    double refused = meters.value("mirador_samples_refused_total", Map.of());
    long now = System.currentTimeMillis();
    StringBuilder samples = new StringBuilder("\"samples\":[");
    for (int i = 0; i < 10; i++) { // ten new series, over the store's maxSeries of 5 (some may be taken already)
      samples.append(i == 0 ? "" : ",").append("{\"name\":\"s").append(i).append("\",\"tags\":{},\"value\":1,\"ts\":").append(now).append('}');
    }
    samples.append(']');
    assertEquals("ok", ingest(envelope("metrics", "series-" + now % 1000, 1, now, samples.toString())));
    double storedNow = meters.value("mirador_samples_stored_total", Map.of()) - stored;
    double refusedNow = meters.value("mirador_samples_refused_total", Map.of()) - refused;
    assertEquals(10, storedNow + refusedNow);
    assertTrue(storedNow <= 5 && refusedNow >= 5, "stored " + storedNow + ", refused " + refusedNow);
  }

  // ---- plumbing

  private static String metrics(String agent, long seq, String ts, String extra) {
    return "{\"v\":1,\"type\":\"metrics\",\"agent\":\"" + agent + "\",\"seq\":" + seq + ",\"ts\":" + ts + ",\"body\":{" + ONE + "}}";
  }

  private static String envelope(String type, String agent, long seq, long ts, String body) {
    return "{\"v\":1,\"type\":\"" + type + "\",\"agent\":\"" + agent + "\",\"seq\":" + seq + ",\"ts\":" + ts + ",\"body\":{" + body + "}}";
  }

  /** "ok" when the channel acked, else the dead-letter reason (the event-bus transport rejects with a 400 and the reason). */
  static String ingest(String json) {
    Future<Object> answer = hub.mirador.vertx().eventBus().request(Addresses.INGEST, Buffer.buffer(json)).map(reply -> "ok");
    try {
      return String.valueOf(Await.result(answer));
    } catch (AssertionError e) {
      Throwable cause = e;
      while (cause != null && !(cause instanceof ReplyException)) {
        cause = cause.getCause();
      }
      if (cause instanceof ReplyException reply && reply.failureCode() == 400) {
        return reply.getMessage();
      }
      throw e;
    }
  }

  private static String deadLettered(String json) {
    String answer = ingest(json);
    assertTrue(!answer.equals("ok"), "accepted: " + json);
    return answer;
  }

  private static double rejected(String reason) {
    return meters.value("mirador_events_rejected_total", Map.of("reason", reason));
  }

  private static List<String> agentIds() {
    JsonObject body = Await.result(hub.http.get("/api/v1/agents").send()).bodyAsJsonObject();
    return body.getJsonArray("agents").stream().map(JsonObject.class::cast).map(a -> a.getString("id")).toList();
  }
}
