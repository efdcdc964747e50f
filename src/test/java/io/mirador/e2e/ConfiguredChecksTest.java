package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Addresses;
import io.mirador.hub.events.CheckStateChanged;
import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that come from configuration, not REST: the hub's {@code hub.checks.definitions} (targeted by subscription)
 * and the agent's own {@code agent.checks.local}; state-change events and flap detection on a check that flips.
 */
class ConfiguredChecksTest {

  private static final Duration PATIENCE = Duration.ofSeconds(40);
  private static final String DUMMY = "/usr/lib/nagios/plugins/check_dummy";
  /** OK, CRITICAL, OK, CRITICAL… one per run, counting in a file of its working directory. */
  private static final String FLIP = "n=$(cat runs 2>/dev/null || echo 0); echo $((n+1)) > runs; "
      + "if [ $((n % 2)) -eq 0 ]; then echo 'FLIP OK | flips=' $n; exit 0; else echo 'FLIP CRITICAL'; exit 2; fi";

  @TempDir
  static Path dataDir;

  @TempDir
  static Path workdir;

  private static RunningMirador app;
  private static Mirador mirador;
  private static Vertx clientVertx;
  private static WebClient http;
  private static final List<CheckStateChanged> stateChanges = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    JsonObject config = TestConfig.standalone(dataDir);
    config.getJsonObject("agent")
        .put("subscriptions", new JsonArray().add("all").add("web"))
        .put("checks", new JsonObject().put("local", new JsonObject()
            .put("local_warn", new JsonObject().put("argv", new JsonArray().add(DUMMY).add("1").add("local only")).put("interval", 1))
            .put("flip", new JsonObject().put("command", FLIP).put("interval", 1).put("workdir", workdir.toString()))
            .put("app_metrics", new JsonObject().put("command", "echo 'app.requests 42'; echo 'app.errors;route=/x 3'")
                .put("format", "graphite").put("interval", 1))
            .put("perf", new JsonObject().put("command", "echo 'PERF OK | files=3;5;10'").put("interval", 1))));
    config.put("hub", new JsonObject().put("checks", new JsonObject().put("definitions", new JsonObject()
        .put("conf_ok", new JsonObject().put("command", DUMMY + " 0 'from the hub config'").put("interval", 1))
        .put("db_only", new JsonObject().put("command", DUMMY + " 2 'not for this agent'").put("interval", 1)
            .put("subscriptions", new JsonArray().add("db"))))));
    app = RunningMirador.start(Mirador.Mode.STANDALONE, config);
    mirador = app.mirador;
    mirador.vertx().eventBus().<CheckStateChanged>consumer(Addresses.CHECK_STATE, message -> stateChanges.add(message.body()));
    clientVertx = app.clientVertx;
    http = app.http;
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void hubConfiguredChecksRunOnSubscribedAgentsOnly() {
    JsonObject ok = awaitResult("conf_ok", r -> r.getInteger("status") == 0);
    assertEquals("OK: from the hub config", ok.getString("output"));
    JsonArray checks = Await.result(get("/api/v1/checks")).getJsonArray("checks");
    assertTrue(checks.stream().map(JsonObject.class::cast).map(c -> c.getString("name")).toList().containsAll(List.of("conf_ok", "db_only")),
        checks.encode());
    JsonObject agent = Await.result(get("/api/v1/agents/" + mirador.agentId()));
    assertEquals(new JsonArray().add("all").add("web"), agent.getJsonArray("subscriptions"));

    long since = ok.getLong("executed");
    awaitResult("conf_ok", r -> r.getLong("executed") >= since + 2000);
    assertTrue(Await.result(get("/api/v1/results?check=db_only")).getJsonArray("results").isEmpty(), "db_only targets [db] only");
  }

  @Test
  void agentLocalChecksRunOnTheirAgentOnly() {
    JsonObject warn = awaitResult("local_warn", r -> r.getInteger("status") == 1);
    assertEquals("WARNING: local only", warn.getString("output"));
    assertFalse(Await.result(get("/api/v1/checks")).getJsonArray("checks").stream()
        .anyMatch(c -> ((JsonObject) c).getString("name").equals("local_warn")), "local checks stay on their agent");
  }

  @Test
  void aNewFailingCheckAnnouncesItsFirstState() {
    HttpResponse<?> created = Await.result(http.put("/api/v1/checks/new_critical").sendJsonObject(new JsonObject()
        .put("command", DUMMY + " 2 'broken from the start'").put("interval", 1)));
    assertEquals(201, created.statusCode());
    CheckStateChanged first = Await.until(clientVertx, "a state event for new_critical", PATIENCE, () -> Future.succeededFuture(
        stateChanges.stream().filter(e -> e.check().equals("new_critical")).findFirst()));
    assertNull(first.from(), "a first result that is not OK is a change from nothing");
    assertEquals(2, first.to());
    assertEquals(mirador.agentId(), first.agent());
    assertEquals("CRITICAL: broken from the start", first.output());
    assertFalse(first.flapping());
    assertEquals(204, Await.result(http.delete("/api/v1/checks/new_critical").send()).statusCode());
  }

  @Test
  void aCheckThatFlipsEveryRunStartsFlapping() {
    JsonObject flapping = awaitResult("flip", r -> r.getBoolean("flapping"));
    assertTrue(flapping.getDouble("percentStateChange") > 50, flapping.encode());
    assertTrue(flapping.getJsonArray("history").size() >= 10, flapping.encode());
    CheckStateChanged event = Await.until(clientVertx, "a flapping state event", PATIENCE, () -> Future.succeededFuture(
        stateChanges.stream().filter(e -> e.check().equals("flip") && e.flapping()).findFirst()));
    assertEquals(mirador.agentId(), event.agent());
    assertTrue(stateChanges.stream().anyMatch(e -> e.check().equals("flip") && Integer.valueOf(0).equals(e.from())
        && e.to() == 2), "OK → CRITICAL announced");
  }

  @Test
  void scriptMetricsAndPerfdataAreStoredAsSeriesTaggedWithTheirCheck() {
    JsonObject requests = awaitSeries("app.requests");
    assertEquals(new JsonObject().put("check", "app_metrics"), requests.getJsonObject("tags"));
    assertEquals(42.0, requests.getJsonArray("points").getJsonArray(0).getDouble(1));
    JsonObject errors = awaitSeries("app.errors");
    assertEquals(new JsonObject().put("check", "app_metrics").put("route", "/x"), errors.getJsonObject("tags"));
    JsonObject files = awaitSeries("check.perf.files"); // Nagios perfdata: check.<check>.<label>
    assertEquals(new JsonObject().put("check", "perf"), files.getJsonObject("tags"));
    assertEquals(10.0, awaitSeries("check.perf.files.crit").getJsonArray("points").getJsonArray(0).getDouble(1));
    JsonArray latest = Await.result(get("/api/v1/agents/" + mirador.agentId() + "/latest")).getJsonArray("series");
    assertTrue(latest.stream().map(JsonObject.class::cast).anyMatch(s -> s.getString("metric").equals("app.requests")
        && s.getDouble("value") == 42.0), "app.requests in /latest");
  }

  private static JsonObject awaitSeries(String metric) {
    return Await.until(clientVertx, "a series " + metric, PATIENCE, () ->
        get("/api/v1/series?agent=" + mirador.agentId() + "&metric=" + metric).map(body -> {
          JsonArray series = body.getJsonArray("series");
          return series.isEmpty() ? Optional.<JsonObject>empty() : Optional.of(series.getJsonObject(0));
        }));
  }

  private static Future<JsonObject> get(String path) {
    return http.get(path).send().map(HttpResponse::bodyAsJsonObject);
  }

  private static JsonObject awaitResult(String check, Predicate<JsonObject> wanted) {
    return Await.until(clientVertx, "a result of " + check, PATIENCE, () ->
        get("/api/v1/results?agent=" + mirador.agentId() + "&check=" + check).map(body -> {
          JsonArray results = body.getJsonArray("results");
          return results.isEmpty() ? Optional.<JsonObject>empty() : Optional.of(results.getJsonObject(0)).filter(wanted);
        }));
  }
}
