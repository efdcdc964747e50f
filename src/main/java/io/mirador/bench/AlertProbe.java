package io.mirador.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.mirador.model.Envelope;
import io.mirador.transport.rabbitmq.Topology;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Sample → notification latency, for the hub and for a Prometheus + Alertmanager beside it in the same run.
 *
 * <p>Probe {@code i} is a new series {@code bench.alert{n="i"}} whose first sample (value 1) crosses the rule
 * {@code bench-alert} ({@code bench.alert > 0}, {@code for: 0s}); the bench's webhook notifier for it groups by every
 * label with {@code groupWait: 0s}, so each probe is one notification. The clock starts when the probe agent
 * publishes the sample to mirador.ingest and stops when the notification for {@code n=i} reaches the bench's own
 * webhook receiver ({@code POST /mirador}). At the same instant the probe's gauge {@code bench_alert{n="i"}} turns 1 on
 * the bench's {@code GET /metrics}, which a Prometheus may scrape; its Alertmanager posts to {@code POST /peer}, timed
 * the same way. scripts/bench-alert.sh starts both with their fastest sensible settings.
 */
final class AlertProbe implements AutoCloseable {

  static final String RULE = "bench-alert";
  static final String NOTIFIER = "bench-alert-webhook";
  /** How long after the last probe a notification may still arrive before its probe counts as lost. */
  static final long SETTLE_MS = 30_000;

  private final BenchOptions options;
  private final HubClient hub;
  private final String agent;
  private final Channel channel;
  private final HttpServer server;
  private final long[] startedNanos;
  private final AtomicLongArray ownMillis;
  private final AtomicLongArray peerMillis;
  private final ConcurrentMap<Integer, Boolean> gauges = new ConcurrentHashMap<>();
  private volatile int sent;
  private long seq;

  AlertProbe(BenchOptions options, HubClient hub, Connection connection) throws Exception {
    this.options = options;
    this.hub = hub;
    this.agent = "bench-" + options.runId() + "-alert";
    int n = options.alertProbes();
    startedNanos = new long[n];
    ownMillis = filled(n);
    peerMillis = filled(n);
    channel = connection.createChannel();
    channel.confirmSelect();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", options.alertPort()), 64);
    server.createContext("/mirador", exchange -> received(exchange, ownMillis));
    server.createContext("/peer", exchange -> received(exchange, peerMillis));
    server.createContext("/metrics", this::metrics);
    server.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
      Thread thread = new Thread(runnable, "bench-alert-receiver");
      thread.setDaemon(true);
      return thread;
    }));
    server.start();
  }

  /** Defines the rule and the webhook notifier on the hub and registers the probe agent. */
  void prepare() throws Exception {
    hub.put("/api/v1/rules/" + RULE, new JsonObject().put("kind", "threshold").put("metric", "bench.alert").put("tags", new JsonObject())
        .put("agg", "last").put("op", ">").put("value", 0).put("for", "0s").put("severity", "critical"));
    hub.put("/api/v1/notifiers/" + NOTIFIER, new JsonObject().put("type", "webhook")
        .put("url", "http://127.0.0.1:" + options.alertPort() + "/mirador").put("match", new JsonObject().put("alertname", RULE))
        .put("groupBy", new JsonArray().add("...")).put("groupWait", "0s").put("groupInterval", "1s").put("repeatInterval", "4h")
        .put("sendResolved", false).put("timeout", "5s"));
    publish("register", EventEncoder.register(agent, ++seq, System.currentTimeMillis(), LoadGenerator.REGISTER_INTERVAL_SECONDS));
  }

  /** Sends the probes, one every --alert-interval ms, on the calling thread. */
  void run() throws Exception {
    long interval = TimeUnit.MILLISECONDS.toNanos(options.alertIntervalMs());
    long start = System.nanoTime();
    for (int i = 0; i < startedNanos.length; i++) {
      long due = start + i * interval;
      for (long left; (left = due - System.nanoTime()) > 0; ) {
        LockSupport.parkNanos(left);
      }
      startedNanos[i] = System.nanoTime();
      sent = i + 1;
      gauges.put(i, Boolean.TRUE);
      publish("metrics", sample(i));
    }
  }

  /** Waits until every probe was notified through the hub (and the peer, when one posts) or {@link #SETTLE_MS} passed. */
  void settle(boolean peer) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
    while (System.nanoTime() < deadline && (missing(ownMillis) > 0 || (peer && missing(peerMillis) > 0))) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** True once the peer's Alertmanager has posted at least one probe. */
  boolean peerSeen() {
    return missing(peerMillis) < sent;
  }

  void report(PrintStream out) {
    boolean peer = peerSeen();
    LatencyHistogram own = histogram(ownMillis);
    out.printf("| sample → webhook p50 / p99 / max, Mirador | %s / %s / %s (%d alerts, %d not notified within %d s) |%n",
        ms(own.percentile(50)), ms(own.percentile(99)), ms(own.max()), own.count(), own.timeouts(), SETTLE_MS / 1000);
    if (peer) {
      LatencyHistogram other = histogram(peerMillis);
      out.printf("| sample → webhook p50 / p99 / max, Prometheus + Alertmanager | %s / %s / %s (%d alerts, %d not notified) |%n",
          ms(other.percentile(50)), ms(other.percentile(99)), ms(other.max()), other.count(), other.timeouts());
      if (own.percentile(50) > 0 && own.percentile(99) > 0) {
        out.printf("| peer ÷ Mirador, p50 / p99 | %.1f / %.1f |%n", other.percentile(50) / (double) own.percentile(50),
            other.percentile(99) / (double) own.percentile(99));
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    try {
      hub.delete("/api/v1/notifiers/" + NOTIFIER);
      hub.delete("/api/v1/rules/" + RULE);
    } catch (Exception e) {
      // the bench hub is thrown away after the run; nothing else depends on these
    }
  }

  private LatencyHistogram histogram(AtomicLongArray millis) {
    LatencyHistogram histogram = new LatencyHistogram();
    for (int i = 0; i < sent; i++) {
      long value = millis.get(i);
      if (value < 0) {
        histogram.timeout();
      } else {
        histogram.record(value);
      }
    }
    return histogram;
  }

  private int missing(AtomicLongArray millis) {
    int missing = 0;
    for (int i = 0; i < sent; i++) {
      if (millis.get(i) < 0) {
        missing++;
      }
    }
    return missing;
  }

  /** A webhook post (Alertmanager's payload, version 4): every firing alert with a probe's {@code n} stops its clock. */
  private void received(HttpExchange exchange, AtomicLongArray millis) throws IOException {
    long now = System.nanoTime();
    try (InputStream body = exchange.getRequestBody()) {
      JsonArray alerts = new JsonObject(new String(body.readAllBytes(), StandardCharsets.UTF_8)).getJsonArray("alerts", new JsonArray());
      for (int a = 0; a < alerts.size(); a++) {
        JsonObject alert = alerts.getJsonObject(a);
        String n = alert.getJsonObject("labels", new JsonObject()).getString("n");
        if (!"firing".equals(alert.getString("status")) || n == null || !n.matches("\\d{1,6}")) {
          continue;
        }
        int i = Integer.parseInt(n);
        if (i < sent) {
          millis.compareAndSet(i, -1, TimeUnit.NANOSECONDS.toMillis(now - startedNanos[i]));
        }
      }
    } catch (RuntimeException e) {
      exchange.sendResponseHeaders(400, -1);
      return;
    }
    exchange.sendResponseHeaders(200, -1);
    exchange.close();
  }

  /** The probes' gauges in Prometheus' text format, for a Prometheus beside the hub. */
  private void metrics(HttpExchange exchange) throws IOException {
    StringBuilder text = new StringBuilder("# TYPE bench_alert gauge\n");
    gauges.keySet().forEach(n -> text.append("bench_alert{n=\"").append(n).append("\"} 1\n"));
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("content-type", "text/plain; version=0.0.4");
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private byte[] sample(int n) {
    long ts = System.currentTimeMillis();
    return ("{\"v\":" + Envelope.VERSION + ",\"type\":\"metrics\",\"agent\":\"" + agent + "\",\"seq\":" + (++seq) + ",\"ts\":" + ts
        + ",\"body\":{\"samples\":[{\"name\":\"bench.alert\",\"tags\":{\"n\":\"" + n + "\"},\"value\":1,\"ts\":" + ts + "}]}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private void publish(String type, byte[] body) throws Exception {
    channel.basicPublish(Topology.INGEST_EXCHANGE, type + "." + agent, true, new AMQP.BasicProperties.Builder()
        .contentType("application/json").deliveryMode(2).type(type).appId(agent).timestamp(new Date()).build(), body);
    channel.waitForConfirmsOrDie(5_000);
  }

  private static AtomicLongArray filled(int n) {
    AtomicLongArray array = new AtomicLongArray(n);
    for (int i = 0; i < n; i++) {
      array.set(i, -1);
    }
    return array;
  }

  private static String ms(long value) {
    return value < 0 ? "n/a" : value + " ms";
  }
}
