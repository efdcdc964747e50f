package io.mirador.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bench command: its options, its arithmetic, and one short run against a hub on the real Redis and RabbitMQ. */
class BenchTest {

  @Test
  void badOptionsExitWithTwoAndSayWhy() {
    for (List<String> args : List.of(List.of("--agents", "x"), List.of("--agents", "0"), List.of("--metrics"), List.of("--nope"),
        List.of("--hub-url", "ftp://h"), List.of("--amqp-url", "http://h"), List.of("--interval", "-1"), List.of("--saturate=yes"),
        List.of("--cpu-pids", "hub"), List.of("--run-id", "a b"))) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit = io.mirador.bench.Bench.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
      assertEquals(2, exit, args::toString);
      assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("mirador bench: "), args::toString);
    }
  }

  @Test
  void helpListsEveryOptionAndExitsWithZero() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, io.mirador.bench.Bench.run(List.of("--help"), new PrintStream(out), System.err));
    for (String flag : List.of("--hub-url", "--amqp-url", "--agents", "--metrics", "--interval", "--duration", "--saturate", "--window")) {
      assertTrue(out.toString(StandardCharsets.UTF_8).contains(flag), flag);
    }
  }

  @Test
  void optionsAreParsed() throws Exception {
    BenchOptions options = BenchOptions.parse(List.of("--agents=20", "--metrics", "7", "--interval", "0.5", "--saturate", "--window", "9",
        "--hub-url", "http://h:1/", "--cpu-pids", "hub=12,x=13"));
    assertEquals(20, options.agents());
    assertEquals(7, options.metrics());
    assertEquals(280.0, options.offeredSamplesPerSecond());
    assertTrue(options.saturate());
    assertEquals(9, options.window());
    assertEquals("http://h:1", options.hubUrl());
    assertEquals(12L, options.cpuPids().get("hub"));
  }

  @Test
  void percentilesAreNearestRank() {
    LatencyHistogram histogram = new LatencyHistogram();
    assertEquals(-1, histogram.percentile(50));
    for (int ms = 100; ms >= 1; ms--) {
      histogram.record(ms);
    }
    histogram.timeout();
    assertEquals(50, histogram.percentile(50));
    assertEquals(99, histogram.percentile(99));
    assertEquals(100, histogram.max());
    assertEquals(1, histogram.percentile(0.5));
    assertEquals(100, histogram.count());
    assertEquals(1, histogram.timeouts());
  }

  @Test
  void countersAreReadFromPrometheusText() {
    String text = "# HELP mirador_samples_stored_total Metric samples stored\nmirador_samples_stored_total 1234\n"
        + "mirador_events_stored_total{type=\"heartbeat\"} 3\nmirador_events_stored_total{type=\"metrics\"} 56\n";
    assertEquals(1234, HubClient.counter(text, "mirador_samples_stored_total "));
    assertEquals(56, HubClient.counter(text, "mirador_events_stored_total{type=\"metrics\"} "));
    assertEquals(0, HubClient.counter(text, "mirador_nothing "));
  }

  @Test
  void aShortRunAgainstAHubOnRedisAndRabbitMqStoresSamples() throws Exception {
    String vhost = RabbitBroker.createVhost("bench");
    String prefix = "bench-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    JsonObject config = RabbitBroker.config(RabbitBroker.url(vhost))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        // the bench reads the API without a token: this test is about ingest, not logins
        .put("auth", new JsonObject().put("enabled", false).put("allowInsecure", true))
        .put("store", new JsonObject().put("type", "redis").put("redis", new JsonObject().put("prefix", prefix)))
        .put("hub", new JsonObject().put("enroll", new JsonObject().put("token", "bench-test-token")));
    Mirador hub = null;
    try {
      hub = Mirador.start(Mirador.Mode.HUB, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BenchOptions options = BenchOptions.parse(List.of("--hub-url", "http://127.0.0.1:" + hub.httpPort(), "--amqp-url",
          RabbitBroker.url(vhost), "--agents", "2", "--metrics", "5", "--interval", "0.5", "--warmup", "0.5", "--duration", "2",
          "--drain", "10", "--probe-interval", "100", "--enroll-token", "bench-test-token"));
      LoadGenerator.Result result = new LoadGenerator(options, new PrintStream(out, true, StandardCharsets.UTF_8)).run();
      String report = out.toString(StandardCharsets.UTF_8);
      assertTrue(result.storedSamples() > 0, report);
      assertTrue(result.drained(), report);
      assertTrue(result.probes() > 0, report);
      assertTrue(report.contains("| samples/s stored |"), report);
    } finally {
      if (hub != null) {
        hub.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      RabbitBroker.deleteVhost(vhost);
      new ProcessBuilder("sh", "-c", "redis-cli --scan --pattern '" + prefix + "*' | xargs -r redis-cli del > /dev/null")
          .inheritIO().start().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
