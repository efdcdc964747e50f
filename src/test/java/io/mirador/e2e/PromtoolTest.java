package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.mirador.Addresses;
import io.mirador.Mirador;
import io.mirador.model.AgentInfo;
import io.mirador.model.CheckResult;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.mirador.testing.Await;
import io.mirador.testing.RedisServer;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.mirador.transport.local.EventBusAgentTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} as Prometheus's own linter reads it: a Mirador in this JVM stores events until every family has
 * samples, then its whole {@code /metrics} goes to the real {@code promtool check metrics} (Debian's
 * {@code prometheus} package), which must exit 0 and say nothing — every family has a HELP and a TYPE, counters end
 * in {@code _total}, names and units are as Prometheus wants them. Standalone on the memory store, and a hub on the
 * Redis store (whose stats differ). Needs {@code /usr/bin/promtool}; skipped when it is missing unless
 * {@code -Dmirador.requireBrowser=true} (a full run of scripts/test.sh, which installs it).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PromtoolTest {

  private static final Path PROMTOOL = Path.of(System.getProperty("mirador.promtool", "/usr/bin/promtool"));
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  @BeforeEach
  void promtoolIsInstalled() {
    if (!Files.isExecutable(PROMTOOL)) {
      if (Boolean.getBoolean("mirador.requireBrowser")) {
        fail(PROMTOOL + " is missing and mirador.requireBrowser=true; install Debian's prometheus package "
            + "(scripts/test.sh does: apt-get install prometheus)");
      }
      Assumptions.abort(PROMTOOL + " is missing; install Debian's prometheus package to lint /metrics with promtool");
    }
  }

  @Test
  void standaloneOnTheMemoryStore(@TempDir Path dir) throws Exception {
    JsonObject config = TestConfig.standalone(dir);
    // one check that passes with perfdata and one killed at its timeout, so the check and exec families fill
    config.getJsonObject("agent").put("checks", new JsonObject().put("local", new JsonObject()
        .put("answers", new JsonObject().put("command", "echo 'OK | load=1;5;10'").put("interval", 1))
        .put("hangs", new JsonObject().put("command", "sleep 5").put("interval", 1).put("timeout", 0.2))));
    try (RunningMirador app = RunningMirador.start(Mirador.Mode.STANDALONE, config)) {
      reject(app.mirador.vertx());
      String text = metricsOnceTheyShow(app, List.of(
          "mirador_events_received_total{type=\"register\"}", "mirador_events_stored_total{type=\"metrics\"}",
          "mirador_events_stored_total{type=\"check\"}", "mirador_events_rejected_total{reason=\"malformed\"}",
          "mirador_samples_stored_total", "mirador_check_runs_total", "mirador_check_timeouts_total",
          "mirador_check_failures_total", "mirador_check_duration_seconds", "mirador_checks_scheduled",
          "mirador_exec_timeouts_total", "mirador_agent_collectors", "mirador_event_loop_lag_seconds",
          "mirador_store_agents", "mirador_store_points", "mirador_store_received_total"));
      assertPromtoolAccepts(text);
    }
  }

  @Test
  void hubOnTheRedisStore(@TempDir Path dir) throws Exception {
    String agent = "promtool-agent";
    try (RedisServer redis = RedisServer.startWith(dir, null, false, List.of());
        RunningMirador app = RunningMirador.start(Mirador.Mode.HUB, TestConfig.hubOnly()
            .put("store", new JsonObject().put("type", "redis").put("redis", new JsonObject().put("url", redis.url()))))) {
      Vertx vertx = app.mirador.vertx();
      EventBusAgentTransport transport = new EventBusAgentTransport(vertx, agent, 10_000);
      long now = System.currentTimeMillis();
      AgentInfo info = new AgentInfo(agent, "promtool-host", List.of("192.0.2.9"), "test OS", "test", false, now, 1, Map.of(), List.of());
      Envelope metrics = Envelope.of(EventType.METRICS, agent, 2, now,
          new MetricsBatch(List.of(Sample.of("load.1m", 0.5, now), Sample.of("cpu.user", Map.of("cpu", "0"), 12.5, now))));
      Await.result(transport.publish(Envelope.of(EventType.REGISTER, agent, 1, now, info))
          .compose(registered -> transport.publish(metrics))
          .compose(stored -> transport.publish(metrics)) // again: a duplicate, counted and not stored twice
          .compose(again -> transport.publish(Envelope.of(EventType.CHECK, agent, 3, now,
              new CheckResult("disk", 1, "DISK WARNING", List.of(Sample.of("check.disk.free", 12, now)), 7, now)))));
      reject(vertx);
      String text = metricsOnceTheyShow(app, List.of(
          "mirador_events_stored_total{type=\"check\"}", "mirador_events_duplicate_total",
          "mirador_events_rejected_total{reason=\"malformed\"}", "mirador_store_writes_total",
          "mirador_store_duplicates_total", "mirador_store_samples_total", "mirador_store_redis_up"));
      assertTrue(text.lines().anyMatch(line -> line.equals("mirador_store_duplicates_total 1")), "the duplicate is counted:\n" + text);
      assertTrue(text.lines().anyMatch(line -> line.equals("mirador_store_redis_up 1")), text);
      assertPromtoolAccepts(text);
    }
  }

  /** A message that is not JSON, so that {@code mirador_events_rejected_total} has a sample. */
  private static void reject(Vertx vertx) {
    Future<Object> reply = vertx.eventBus().request(Addresses.INGEST, Buffer.buffer("not json")).map(message -> message.body());
    assertEquals("rejected", Await.result(reply.map("accepted").recover(failure -> Future.succeededFuture("rejected"))));
  }

  /** /metrics once each of {@code names} has a sample line (a name followed by a blank, or by its labels). */
  private static String metricsOnceTheyShow(RunningMirador app, List<String> names) {
    return Await.until(app.clientVertx, "samples of " + names + " on /metrics", PATIENCE, () -> app.http.get("/metrics").send()
        .map(response -> {
          String text = response.bodyAsString();
          boolean all = names.stream().allMatch(name -> text.lines().anyMatch(line -> line.startsWith(name + " ") || line.startsWith(name + "{")));
          return Optional.ofNullable(all ? text : null);
        }));
  }

  /** Pipes {@code text} to {@code promtool check metrics}: exit code 0 and nothing said, on stdout or stderr. */
  private static void assertPromtoolAccepts(String text) throws Exception {
    Process promtool = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
    CompletableFuture<String> said = CompletableFuture.supplyAsync(() -> readAll(promtool.getInputStream()));
    try (OutputStream in = promtool.getOutputStream()) {
      in.write(text.getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(promtool.waitFor(60, TimeUnit.SECONDS), "promtool did not finish within 60 s");
    String complaints = said.get(10, TimeUnit.SECONDS);
    assertEquals("", complaints, "promtool check metrics complains about /metrics:\n" + text);
    assertEquals(0, promtool.exitValue(), "promtool check metrics exit code; /metrics was:\n" + text);
  }

  private static String readAll(InputStream stream) {
    try (stream) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      stream.transferTo(bytes);
      return bytes.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
