package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Addresses;
import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import oshi.SystemInfo;

/**
 * The standalone application in-process, on a random port, monitoring this machine: what a user sees through
 * the REST API must be this machine's real, changing values.
 */
class StandaloneEndToEndTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir
  static Path dataDir;

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
  void localAgentAppearsUpWithItsHostFacts() {
    JsonObject agent = Await.until(clientVertx, "the local agent to be listed up", PATIENCE, () -> get("/api/v1/agents").map(body ->
        body.getJsonArray("agents").stream().map(JsonObject.class::cast)
            .filter(a -> a.getString("id").equals(mirador.agentId()) && a.getString("status").equals("up")).findFirst()));

    assertEquals(new SystemInfo().getOperatingSystem().getNetworkParams().getHostName(), agent.getString("hostname"));
    assertFalse(agent.getString("os").isBlank());
    for (Object ip : agent.getJsonArray("ips")) {
      assertFalse(ip.toString().startsWith("127.") || ip.toString().startsWith("fe80") || ip.toString().equals("::1"), "no loopback or link-local: " + ip);
    }
    assertTrue(agent.getLong("lastSeen") > System.currentTimeMillis() - 30_000);
    assertEquals(0L, agent.getLong("gaps"));
    assertEquals(0L, agent.getLong("duplicates"));
    JsonObject single = Await.result(get("/api/v1/agents/" + mirador.agentId()));
    assertEquals(mirador.agentId(), single.getString("id"));
  }

  @Test
  void latestValuesAreThisMachinesAndMove() {
    JsonObject first = Await.until(clientVertx, "latest cpu, memory, filesystem and uptime values", PATIENCE, () -> latest().map(series ->
        Optional.ofNullable(value(series, "cpu.usage", "cpu", "total") != null && value(series, "memory.total", null, null) != null
            && value(series, "fs.total", "mount", "/") != null && value(series, "system.uptime", null, null) != null ? series : null)));

    long totalMemory = new SystemInfo().getHardware().getMemory().getTotal();
    assertEquals(totalMemory, value(first, "memory.total", null, null).getDouble("value"), 0.0);
    double cpu = value(first, "cpu.usage", "cpu", "total").getDouble("value");
    assertTrue(cpu >= 0 && cpu <= 100, "cpu.usage in [0,100]: " + cpu);
    assertTrue(value(first, "fs.total", "mount", "/").getDouble("value") > 0);

    double uptime = value(first, "system.uptime", null, null).getDouble("value");
    long cpuTs = value(first, "cpu.usage", "cpu", "total").getLong("ts");
    JsonObject later = Await.until(clientVertx, "uptime and cpu to move on", PATIENCE, () -> latest().map(series -> {
      JsonObject newUptime = value(series, "system.uptime", null, null);
      JsonObject newCpu = value(series, "cpu.usage", "cpu", "total");
      return Optional.ofNullable(newUptime.getDouble("value") > uptime && newCpu.getLong("ts") > cpuTs ? series : null);
    }));
    assertTrue(value(later, "system.uptime", null, null).getDouble("value") > uptime);
  }

  @Test
  void seriesHoldHistoryAndStepAveragesIt() {
    String path = "/api/v1/series?agent=" + mirador.agentId() + "&metric=cpu.usage&tag.cpu=total";
    JsonArray points = Await.until(clientVertx, "three cpu points", PATIENCE, () -> get(path).map(body -> {
      JsonArray series = body.getJsonArray("series");
      return Optional.ofNullable(series.size() == 1 && series.getJsonObject(0).getJsonArray("points").size() >= 3
          ? series.getJsonObject(0).getJsonArray("points") : null);
    }));
    long previous = 0;
    for (Object p : points) {
      JsonArray point = (JsonArray) p;
      assertTrue(point.getLong(0) > previous, "timestamps strictly increase");
      previous = point.getLong(0);
      assertTrue(point.getDouble(1) >= 0 && point.getDouble(1) <= 100);
    }

    long to = System.currentTimeMillis();
    long from = to - 600_000;
    String range = "&from=" + from + "&to=" + to;
    JsonArray raw = Await.result(get(path + range)).getJsonArray("series").getJsonObject(0).getJsonArray("points");
    JsonArray stepped = Await.result(get(path + range + "&step=2s")).getJsonArray("series").getJsonObject(0).getJsonArray("points");
    assertTrue(stepped.size() <= raw.size());
    for (Object s : stepped) {
      JsonArray bucket = (JsonArray) s;
      long start = bucket.getLong(0);
      assertEquals(0, start % 2000, "buckets align to the step");
      double expected = raw.stream().map(JsonArray.class::cast).filter(p -> p.getLong(0) >= start && p.getLong(0) < start + 2000)
          .mapToDouble(p -> p.getDouble(1)).average().orElseThrow();
      assertEquals(expected, bucket.getDouble(1), 1e-9);
    }

    JsonObject prefixed = Await.result(get("/api/v1/series?agent=" + mirador.agentId() + "&metric=memory.*&from=-10m"));
    assertTrue(prefixed.getJsonArray("series").stream().map(JsonObject.class::cast).allMatch(s -> s.getString("metric").startsWith("memory.")));
    assertFalse(prefixed.getJsonArray("series").isEmpty());
  }

  @Test
  void badRequestsGetJsonErrorsWithTheRightStatus() {
    expectError("/api/v1/agents/no-such-agent", 404, "no agent with id no-such-agent");
    expectError("/api/v1/agents/no-such-agent/latest", 404, "no agent");
    expectError("/api/v1/series?metric=cpu.usage", 400, "agent is required");
    expectError("/api/v1/series?agent=x&from=yesterday", 400, "from must be");
    expectError("/api/v1/series?agent=x&from=2000&to=1000", 400, "is after");
    expectError("/api/v1/series?agent=x&step=-5", 400, "step must be");
    expectError("/api/v1/nothing-here", 404, "no API resource");
    HttpResponse<Buffer> removed = Await.result(http.delete("/api/v1/agents/no-such-agent").send());
    assertEquals(404, removed.statusCode());
    assertEquals("not found", removed.bodyAsJsonObject().getString("error"));
  }

  @Test
  void healthOpenApiAndDashboardAreServed() {
    HttpResponse<Buffer> health = Await.result(http.get("/api/v1/health").send());
    assertEquals(200, health.statusCode());
    assertEquals("UP", health.bodyAsJsonObject().getString("status"));
    assertEquals("UP", health.bodyAsJsonObject().getJsonObject("checks").getJsonObject("store").getString("status"));
    assertEquals(mirador.node().id(), health.bodyAsJsonObject().getString("node"), "the node that answered");

    HttpResponse<Buffer> openapi = Await.result(http.get("/api/v1/openapi.yaml").send());
    assertEquals(200, openapi.statusCode());
    assertTrue(openapi.bodyAsString().contains("/api/v1/series"));

    HttpResponse<Buffer> index = Await.result(http.get("/").send());
    assertEquals(200, index.statusCode());
    assertTrue(index.bodyAsString().contains("<html"), "the dashboard page is served at /");
    assertEquals(200, Await.result(http.get("/webjars/chart.js/4.4.1/dist/chart.umd.js").send()).statusCode());
    assertEquals(200, Await.result(http.get("/webjars/sockjs-client/1.5.1/sockjs.min.js").send()).statusCode());
  }

  /** Standalone is a cluster of one: its node, up, owns the single-owner work (heartbeat sweep, check pushes, alerting, jobs). */
  @Test
  void theClusterOfOneListsItsNodeAndWhatItOwns() {
    JsonObject cluster = Await.until(clientVertx, "the alert, checks, heartbeat and sched leases held", PATIENCE, () -> get("/api/v1/cluster")
        .map(body -> java.util.Optional.ofNullable(body.getJsonArray("owners").size() == 4 ? body : null)));
    JsonArray nodes = cluster.getJsonArray("nodes");
    assertEquals(1, nodes.size(), nodes::encode);
    JsonObject node = nodes.getJsonObject(0);
    assertEquals(mirador.node().id(), node.getString("id"));
    assertEquals("up", node.getString("status"));
    assertEquals(mirador.httpPort(), node.getInteger("httpPort"));
    assertTrue(node.getJsonArray("roles").contains("heartbeat") && node.getJsonArray("roles").contains("web"), node.encode());
    assertTrue(node.getLong("lastSeen") >= node.getLong("upSince"), node.encode());
    List<String> roles = new java.util.ArrayList<>();
    for (Object owner : cluster.getJsonArray("owners")) {
      JsonObject o = (JsonObject) owner;
      roles.add(o.getString("role"));
      assertEquals(mirador.node().id(), o.getString("node"), o.encode());
      assertTrue(o.getLong("since") <= cluster.getLong("now") && o.getLong("expiresAt") > o.getLong("since"), o.encode());
    }
    assertEquals(List.of("alert", "checks", "heartbeat", "sched"), roles);
  }

  @Test
  void invalidMessagesAreRejectedCountedAndIngestGoesOn() {
    double malformedBefore = metric("mirador_events_rejected_total{reason=\"malformed\"}");
    double oversizeBefore = metric("mirador_events_rejected_total{reason=\"oversize\"}");
    long receivedBefore = Await.result(get("/api/v1/agents/" + mirador.agentId())).getLong("received");

    ReplyException notJson = rejected(Buffer.buffer("this is not json"));
    assertEquals(400, notJson.failureCode());
    assertTrue(notJson.getMessage().contains("not JSON"), notJson.getMessage());
    ReplyException tooBig = rejected(Buffer.buffer(new byte[2 * 1024 * 1024]));
    assertTrue(tooBig.getMessage().contains("exceeds the limit"), tooBig.getMessage());
    ReplyException unknownType = rejected(Buffer.buffer("{\"v\":1,\"type\":\"gossip\",\"agent\":\"a\",\"seq\":1,\"ts\":1,\"body\":{}}"));
    assertTrue(unknownType.getMessage().contains("unknown event type"), unknownType.getMessage());

    assertEquals(malformedBefore + 1, metric("mirador_events_rejected_total{reason=\"malformed\"}"));
    assertEquals(oversizeBefore + 1, metric("mirador_events_rejected_total{reason=\"oversize\"}"));
    Await.until(clientVertx, "the agent's events to keep being stored", PATIENCE, () -> get("/api/v1/agents/" + mirador.agentId())
        .map(agent -> Optional.ofNullable(agent.getLong("received") > receivedBefore ? agent : null)));
  }

  @Test
  void metricsExposeTheHubsOwnCounters() {
    Await.until(clientVertx, "stored metrics events to be counted", PATIENCE, () -> http.get("/metrics").send().map(response ->
        Optional.ofNullable(response.bodyAsString().contains("mirador_events_stored_total{type=\"metrics\"}") ? true : null)));
    String text = Await.result(http.get("/metrics").send()).bodyAsString();
    for (String name : List.of("mirador_events_received_total{type=\"register\"}", "mirador_samples_stored_total",
        "mirador_store_series", "mirador_store_points", "mirador_store_series_rejected_total", "mirador_event_loop_lag_seconds")) {
      assertTrue(text.lines().anyMatch(line -> line.startsWith(name + " ")), name + " in /metrics");
    }
    assertTrue(text.contains("# TYPE mirador_samples_stored_total counter"));
  }

  private ReplyException rejected(Buffer message) {
    Future<Object> reply = mirador.vertx().eventBus().request(Addresses.INGEST, message).map(m -> m.body());
    try {
      Await.result(reply);
    } catch (AssertionError expected) {
      assertTrue(expected.getCause() instanceof ReplyException, "rejected with a reply failure: " + expected.getCause());
      return (ReplyException) expected.getCause();
    }
    throw new AssertionError("an invalid message was accepted");
  }

  private void expectError(String path, int status, String detail) {
    HttpResponse<Buffer> response = Await.result(http.get(path).send());
    assertEquals(status, response.statusCode(), path);
    assertEquals("application/json", response.getHeader("content-type"));
    JsonObject body = response.bodyAsJsonObject();
    assertNotNull(body.getString("error"), path);
    assertTrue(body.getString("detail").contains(detail), path + ": " + body.getString("detail"));
  }

  private static Future<JsonObject> get(String path) {
    return http.get(path).send().compose(response -> response.statusCode() == 200
        ? Future.succeededFuture(response.bodyAsJsonObject())
        : Future.failedFuture(path + " answered " + response.statusCode() + " " + response.bodyAsString()));
  }

  private static Future<JsonObject> latest() {
    return get("/api/v1/agents/" + mirador.agentId() + "/latest");
  }

  private double metric(String series) {
    String text = Await.result(http.get("/metrics").send()).bodyAsString();
    return text.lines().filter(line -> line.startsWith(series + " ")).mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1)))
        .findFirst().orElse(0);
  }

  /** The entry of a /latest answer for a metric, optionally with one tag; null when absent. */
  private static JsonObject value(JsonObject latest, String metric, String tag, String tagValue) {
    return latest.getJsonArray("series").stream().map(JsonObject.class::cast)
        .filter(s -> s.getString("metric").equals(metric) && (tag == null || tagValue.equals(s.getJsonObject("tags").getString(tag))))
        .findFirst().orElse(null);
  }
}
