package io.mirador.hub.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.metrics.Meters;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bounded definitions over the real API: beyond hub.checks.max, hub.alert.maxRules, maxNotifiers and maxSilences a new
 * one is a 409 naming the setting, counted, and changes nothing; an existing one may still be replaced; a definition
 * larger than http.limits.maxDefinitionBytes is a 413; a series query with too many tag filters is a 400.
 */
class ApiLimitsTest {

  private static RunningMirador hub;
  private static Meters meters;

  @BeforeAll
  static void start() {
    JsonObject config = TestConfig.hubOnly();
    config.getJsonObject("http").put("limits", new JsonObject().put("maxDefinitionBytes", 2048).put("maxQueryTags", 4));
    config.put("hub", new JsonObject()
        .put("checks", new JsonObject().put("max", 3))
        .put("alert", new JsonObject().put("maxRules", 2).put("maxNotifiers", 1).put("maxSilences", 2)));
    hub = RunningMirador.start(Mirador.Mode.HUB, config);
    meters = Meters.of(hub.mirador.vertx());
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void checkDefinitionsAreBoundedInNumberAndSize() {
    JsonObject check = new JsonObject().put("argv", new JsonArray().add("true")).put("interval", 60);
    for (int i = 0; i < 3; i++) {
      assertEquals(201, put("/api/v1/checks/c" + i, check).statusCode());
    }
    String before = get("/api/v1/checks");
    HttpResponse<Buffer> fourth = put("/api/v1/checks/c3", check);
    assertEquals(409, fourth.statusCode());
    assertTrue(fourth.bodyAsString().contains("hub.checks.max"), fourth.bodyAsString());
    assertEquals(before, get("/api/v1/checks"), "a refused definition changes nothing");
    assertEquals(200, put("/api/v1/checks/c1", check.copy().put("interval", 30)).statusCode(), "replacing one is allowed");
    HttpResponse<Buffer> big = put("/api/v1/checks/c0", check.copy().put("env", new JsonObject().put("PAD", "x".repeat(4000))));
    assertEquals(413, big.statusCode());
    assertTrue(big.bodyAsString().contains("http.limits.maxDefinitionBytes"), big.bodyAsString());
    assertEquals(1, meters.value("mirador_api_limit_refused_total", Map.of("what", "checks")));
  }

  @Test
  void rulesNotifiersAndSilencesAreBounded() {
    JsonObject rule = new JsonObject().put("kind", "agent").put("status", "down").put("severity", "critical");
    assertEquals(201, put("/api/v1/rules/r0", rule).statusCode());
    assertEquals(201, put("/api/v1/rules/r1", rule).statusCode());
    assertEquals(409, put("/api/v1/rules/r2", rule).statusCode());
    JsonObject notifier = new JsonObject().put("type", "webhook").put("url", "http://127.0.0.1:9/hook");
    assertEquals(201, put("/api/v1/notifiers/n0", notifier).statusCode());
    assertEquals(409, put("/api/v1/notifiers/n1", notifier).statusCode());
    assertEquals(200, put("/api/v1/notifiers/n0", notifier).statusCode());
    JsonObject silence = new JsonObject()
        .put("matchers", new JsonArray().add(new JsonObject().put("name", "alertname").put("value", "X")))
        .put("endsAt", Instant.now().plusSeconds(3600).toString()).put("createdBy", "ann").put("comment", "limits");
    assertEquals(201, post("/api/v1/silences", silence).statusCode());
    assertEquals(201, post("/api/v1/silences", silence).statusCode());
    String before = get("/api/v1/silences");
    HttpResponse<Buffer> third = post("/api/v1/silences", silence);
    assertEquals(409, third.statusCode());
    assertTrue(third.bodyAsString().contains("hub.alert.maxSilences"), third.bodyAsString());
    assertEquals(before, get("/api/v1/silences"));
  }

  @Test
  void seriesQueriesHaveBoundedTagFilters() {
    HttpResponse<Buffer> many = Await.result(hub.http.get("/api/v1/series?agent=a&tag.a=1&tag.b=2&tag.c=3&tag.d=4&tag.e=5").send());
    assertEquals(400, many.statusCode());
    assertTrue(many.bodyAsString().contains("http.limits.maxQueryTags"), many.bodyAsString());
    assertEquals(200, Await.result(hub.http.get("/api/v1/series?agent=a&tag.a=1").send()).statusCode());
  }

  private static HttpResponse<Buffer> put(String path, JsonObject body) {
    return Await.result(hub.http.put(path).sendJsonObject(body));
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return Await.result(hub.http.post(path).sendJsonObject(body));
  }

  private static String get(String path) {
    return Await.result(hub.http.get(path).send()).bodyAsString();
  }
}
