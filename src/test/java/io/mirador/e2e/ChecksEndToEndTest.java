package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.metrics.Meters;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks defined through REST, run by the standalone's own agent with the real Debian monitoring plugins, their
 * results read back through REST: created, changed, deleted, timed out, refused.
 */
class ChecksEndToEndTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final String PLUGINS = "/usr/lib/nagios/plugins/";

  @TempDir
  static Path dataDir;

  @TempDir
  static Path scripts;

  private static RunningMirador app;
  private static Mirador mirador;
  private static Vertx clientVertx;
  private static WebClient http;

  @BeforeAll
  static void start() {
    app = RunningMirador.start(Mirador.Mode.STANDALONE, TestConfig.standalone(dataDir));
    mirador = app.mirador;
    clientVertx = app.clientVertx;
    http = app.http;
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void nagiosPluginsRunAndTheAgentFollowsChangesAndDeletes() {
    assertEquals(201, put("e2e_load", new JsonObject().put("command", PLUGINS + "check_load -w 50,40,30 -c 100,80,60").put("interval", 1)).statusCode());
    assertEquals(201, put("e2e_disk", new JsonObject().put("argv", new JsonArray(List.of(PLUGINS + "check_disk", "-w", "20%", "-c", "10%", "-p", "/")))
        .put("interval", 2).put("format", "nagios")).statusCode());
    assertEquals(201, put("e2e_procs", new JsonObject().put("command", PLUGINS + "check_procs -w 100000 -c 200000").put("interval", 2)).statusCode());

    JsonObject load = awaitResult("e2e_load", result -> result.getString("output").startsWith("LOAD OK"));
    assertEquals(0, load.getInteger("status"));
    assertEquals("OK", load.getString("state"));
    List<String> loadMetrics = names(load.getJsonArray("perfdata"));
    assertTrue(loadMetrics.size() >= 3, "load1/5/15 perfdata: " + load);
    assertTrue(load.getLong("executed") > System.currentTimeMillis() - 60_000);
    assertTrue(load.getJsonArray("history").size() >= 1);
    assertFalse(load.getBoolean("flapping"));

    Map<String, String> loadLabels = Map.of("agent", mirador.agentId(), "check", "e2e_load");
    assertTrue(Meters.of(mirador.vertx()).value("mirador_check_runs_total", loadLabels) >= 1, "runs counted");
    assertTrue(Meters.of(mirador.vertx()).value("mirador_check_duration_seconds", loadLabels) > 0, "duration of the last run");
    String scrape = Await.result(http.get("/metrics").send()).bodyAsString();
    assertTrue(scrape.contains("mirador_check_runs_total{") && scrape.contains("check=\"e2e_load\""), "self-metrics on /metrics");

    JsonObject disk = awaitResult("e2e_disk", result -> result.getString("output").startsWith("DISK"));
    assertTrue(disk.getInteger("status") <= 2, disk.encode());
    assertFalse(disk.getJsonArray("perfdata").isEmpty(), "disk perfdata: " + disk);

    JsonObject procs = awaitResult("e2e_procs", result -> result.getString("output").startsWith("PROCS OK"));
    assertFalse(procs.getJsonArray("perfdata").isEmpty(), "procs perfdata: " + procs);

    assertEquals(200, put("e2e_load", new JsonObject().put("command", PLUGINS + "check_dummy 2 \"forced critical\"").put("interval", 1)).statusCode());
    JsonObject critical = awaitResult("e2e_load", result -> result.getInteger("status") == 2);
    assertEquals("CRITICAL: forced critical", critical.getString("output"));
    assertEquals("CRITICAL", critical.getString("state"));

    HttpResponse<Buffer> deleted = Await.result(http.delete("/api/v1/checks/e2e_load").send());
    assertEquals(204, deleted.statusCode());
    assertEquals(404, Await.result(http.delete("/api/v1/checks/e2e_load").send()).statusCode());
    // a run already on its way may still land: let two more disk runs pass, then the load check must stay still
    awaitDiskRuns(2);
    long lastLoad = result("e2e_load").orElseThrow().getLong("executed");
    awaitDiskRuns(2);
    assertEquals(lastLoad, result("e2e_load").orElseThrow().getLong("executed"), "no new result of a deleted check");

    assertEquals(204, Await.result(http.delete("/api/v1/checks/e2e_disk").send()).statusCode());
    assertEquals(204, Await.result(http.delete("/api/v1/checks/e2e_procs").send()).statusCode());
  }

  @Test
  void aHungCheckWithAHungChildIsUnknownTimedOutAndLeavesNoProcess() throws Exception {
    Path pids = scripts.resolve("pids");
    Path script = scripts.resolve("hang.sh");
    Files.writeString(script, "#!/bin/sh\nsleep 300 &\necho $! >> " + pids + "\necho $$ >> " + pids + "\nsleep 300\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertEquals(201, put("e2e_hang", new JsonObject().put("argv", new JsonArray().add(script.toString())).put("interval", 3).put("timeout", 1)).statusCode());

    JsonObject result = awaitResult("e2e_hang", r -> r.getInteger("status") == 3);
    assertEquals("timed out after 1 s", result.getString("output"));
    assertEquals("UNKNOWN", result.getString("state"));
    Map<String, String> labels = Map.of("agent", mirador.agentId(), "check", "e2e_hang");
    Meters meters = Meters.of(mirador.vertx());
    assertTrue(meters.value("mirador_check_timeouts_total", labels) >= 1, "timeouts counted");
    assertTrue(meters.value("mirador_check_failures_total", labels) >= 1, "an UNKNOWN run is a failure");
    assertEquals(204, Await.result(http.delete("/api/v1/checks/e2e_hang").send()).statusCode());

    List<String> started = Files.readAllLines(pids).stream().filter(line -> !line.isBlank()).toList();
    assertTrue(started.size() >= 2, "the script and its child wrote their pids: " + started);
    Await.untilTrue(clientVertx, "every process of the hung check to be gone", PATIENCE, () ->
        Files.readAllLines(pids).stream().filter(line -> !line.isBlank()).noneMatch(pid -> Files.exists(Path.of("/proc", pid.strip()))));
  }

  @Test
  void badDefinitionsAreRefusedAndChangeNothing() {
    assertEquals(201, put("e2e_keep", new JsonObject().put("command", PLUGINS + "check_dummy 0 kept").put("interval", 60)).statusCode());
    JsonObject before = Await.result(get("/api/v1/checks"));
    JsonObject kept = Await.result(get("/api/v1/checks/e2e_keep"));

    assertBadRequest("e2e_keep", new JsonObject().put("interval", 10), "command");
    assertBadRequest("e2e_keep", new JsonObject().put("command", "true").put("interval", -5), "interval");
    assertBadRequest("e2e_keep", new JsonObject().put("command", "true").put("interval", 10).put("format", "xml"), "format");
    assertBadRequest("e2e_keep", new JsonObject().put("command", "true").put("interval", 10).put("allow", new JsonArray().add("cpu[")), "regular expression");
    assertBadRequest("e2e_keep", new JsonObject().put("command", "true").put("interval", 10).put("timeout", 0), "timeout");
    assertBadRequest("e2e_keep", new JsonObject().put("command", "true").put("interval", 10).put("subscriptions", new JsonArray()), "subscriptions");
    assertBadRequest("e2e_keep", new JsonObject().put("command", "true").put("interval", 10).put("intervall", 10), "unknown field");
    assertBadRequest("-bad.name", new JsonObject().put("command", "true").put("interval", 10), "check name");
    HttpResponse<Buffer> notJson = Await.result(http.put("/api/v1/checks/e2e_keep").putHeader("content-type", "application/json").sendBuffer(Buffer.buffer("{nope")));
    assertEquals(400, notJson.statusCode());

    assertEquals(before, Await.result(get("/api/v1/checks")), "nothing changed, not even the revision");
    assertEquals(kept, Await.result(get("/api/v1/checks/e2e_keep")));
    assertEquals(404, Await.result(http.get("/api/v1/checks/-bad.name").send()).statusCode());
    assertEquals(400, Await.result(http.get("/api/v1/results?status=purple").send()).statusCode());
    assertEquals(204, Await.result(http.delete("/api/v1/checks/e2e_keep").send()).statusCode());
  }

  @Test
  void resultsFilterByAgentCheckAndStatus() {
    assertEquals(201, put("e2e_warn", new JsonObject().put("command", PLUGINS + "check_dummy 1 'just a warning'").put("interval", 1)).statusCode());
    JsonObject warning = awaitResult("e2e_warn", r -> r.getInteger("status") == 1);
    assertEquals("WARNING: just a warning", warning.getString("output"));
    String agent = mirador.agentId();
    JsonArray byStatus = Await.result(get("/api/v1/results?agent=" + agent + "&status=warning")).getJsonArray("results");
    assertTrue(byStatus.stream().map(JsonObject.class::cast).allMatch(r -> r.getInteger("status") == 1));
    assertTrue(byStatus.stream().map(JsonObject.class::cast).anyMatch(r -> r.getString("check").equals("e2e_warn")));
    assertTrue(Await.result(get("/api/v1/results?check=e2e_warn&status=0")).getJsonArray("results").isEmpty());
    assertTrue(Await.result(get("/api/v1/results?agent=nobody")).getJsonArray("results").isEmpty());
    assertEquals(204, Await.result(http.delete("/api/v1/checks/e2e_warn").send()).statusCode());
  }

  private void assertBadRequest(String name, JsonObject definition, String detailMentions) {
    HttpResponse<Buffer> response = put(name, definition);
    assertEquals(400, response.statusCode(), definition.encode() + " → " + response.bodyAsString());
    JsonObject body = response.bodyAsJsonObject();
    assertEquals("bad request", body.getString("error"));
    assertTrue(body.getString("detail").contains(detailMentions), body.getString("detail") + " should mention " + detailMentions);
  }

  /** Waits until the disk check (every 2 s) has run {@code runs} more times, judged by its execution time. */
  private void awaitDiskRuns(int runs) {
    long since = result("e2e_disk").orElseThrow().getLong("executed");
    awaitResult("e2e_disk", r -> r.getLong("executed") >= since + (runs - 1) * 2000L + 1000);
  }

  private static HttpResponse<Buffer> put(String name, JsonObject definition) {
    return Await.result(http.put("/api/v1/checks/" + name).sendJsonObject(definition));
  }

  private static Future<JsonObject> get(String path) {
    return http.get(path).send().map(HttpResponse::bodyAsJsonObject);
  }

  /** Blocking: for use outside Await.until probes only. */
  private static Optional<JsonObject> result(String check) {
    JsonArray results = Await.result(get("/api/v1/results?agent=" + mirador.agentId() + "&check=" + check)).getJsonArray("results");
    return results.isEmpty() ? Optional.empty() : Optional.of(results.getJsonObject(0));
  }

  private static JsonObject awaitResult(String check, java.util.function.Predicate<JsonObject> wanted) {
    return Await.until(clientVertx, "a result of " + check, PATIENCE, () ->
        get("/api/v1/results?agent=" + mirador.agentId() + "&check=" + check).map(body -> {
          JsonArray results = body.getJsonArray("results");
          return results.isEmpty() ? Optional.<JsonObject>empty() : Optional.of(results.getJsonObject(0)).filter(wanted);
        }));
  }

  private static List<String> names(JsonArray samples) {
    return samples.stream().map(JsonObject.class::cast).map(s -> s.getString("name")).toList();
  }
}
