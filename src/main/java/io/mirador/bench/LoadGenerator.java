package io.mirador.bench;

import io.mirador.model.EnrollRequest;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.Wire;
import io.mirador.trust.EnrollmentProof;
import io.mirador.trust.EnvelopeMac;
import io.mirador.trust.Keys;
import io.vertx.core.json.JsonObject;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Map;
import javax.crypto.Mac;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.mirador.transport.rabbitmq.Topology;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * One bench run: simulated agents publish metrics envelopes over several AMQP connections, a sampler reads the
 * hub's stored counters, a probe agent measures publish → readable through the API; then a summary table.
 */
public final class LoadGenerator {

  /** How long one probe may wait to become visible before it counts as a timeout. */
  static final long PROBE_TIMEOUT_MS = 10_000;
  private static final long PROBE_POLL_MS = 5;
  /**
   * The heartbeat interval the simulated agents register with: long, so that the agents of a finished run do not all
   * turn stale and down at once while the next run measures (1,000 status changes in one liveness sweep).
   */
  static final int REGISTER_INTERVAL_SECONDS = 3600;

  private final BenchOptions options;
  private final PrintStream out;
  private final HubClient hub;
  private final EventEncoder encoder;
  private final LatencyHistogram latency = new LatencyHistogram();
  private final Semaphore window;
  private final LongAdder acked = new LongAdder();
  private final LongAdder nacked = new LongAdder();
  private final LongAdder returned = new LongAdder();
  private final LongAdder sentEvents = new LongAdder();
  private final LongAdder sentSamples = new LongAdder();
  private final LongAdder behind = new LongAdder();
  /** Metrics events stored by the hub since the run began (from /metrics). */
  private final AtomicLong storedEvents = new AtomicLong();
  private final AtomicLong storedSamples = new AtomicLong();
  private volatile boolean sending = true;
  private volatile boolean measuring;
  private volatile Throwable failure;
  private HubClient.Stored baseline;

  /** The figures of a finished run, for callers (tests) that want more than the printed table. */
  public record Result(double sentSamplesPerSecond, double storedSamplesPerSecond, long storedSamples, long p50Ms, long p99Ms,
                       int probes, long probeTimeouts, boolean drained) {
  }

  public LoadGenerator(BenchOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
    this.hub = new HubClient(options.hubUrl());
    this.encoder = new EventEncoder(options.metrics());
    this.window = new Semaphore(options.window());
  }

  public Result run() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(options.amqpUrl());
    factory.setAutomaticRecoveryEnabled(false);
    List<Connection> connections = new ArrayList<>();
    try {
      baseline = hub.stored();
      List<Thread> threads = new ArrayList<>();
      List<Publisher> publishers = new ArrayList<>();
      for (int c = 0; c < options.connections(); c++) {
        Connection connection = factory.newConnection("mirador-bench-" + c);
        connections.add(connection);
        publishers.add(new Publisher(c, connection));
      }
      Connection probeConnection = factory.newConnection("mirador-bench-probe");
      connections.add(probeConnection);
      Probe probe = new Probe(probeConnection);
      if (options.enrollToken() != null) {
        enroll(publishers, probe);
      }
      for (Publisher publisher : publishers) {
        publisher.register();
      }
      probe.register();
      AlertProbe alerts = null;
      Thread alertThread = null;
      if (options.alertProbes() > 0) {
        alerts = new AlertProbe(options, hub, probeConnection);
        alerts.prepare();
        if (options.alertProbes() * (long) options.alertIntervalMs() > options.durationSeconds() * 1000) {
          out.printf("note: %d alert probes every %d ms outlast the measured %.0f s: the load goes on until they are done%n",
              options.alertProbes(), options.alertIntervalMs(), options.durationSeconds());
        }
      }
      Thread sampler = thread("bench-sampler", this::sample);
      long start = System.nanoTime();
      for (Publisher publisher : publishers) {
        threads.add(thread("bench-publisher-" + publisher.index, publisher::run));
      }
      threads.add(thread("bench-probe", probe::run));
      out.printf("sending for %.0f s warm-up + %.0f s measured...%n", options.warmupSeconds(), options.durationSeconds());
      sleepUntil(start + seconds(options.warmupSeconds()));
      CpuMeter cpu = new CpuMeter(options.cpuPids());
      double loadBefore = CpuMeter.loadAverage();
      HubClient.Stored stored0 = hub.stored();
      long sent0 = sentSamples.sum();
      long events0 = sentEvents.sum();
      long measureStart = System.nanoTime();
      cpu.start();
      measuring = true;
      if (alerts != null) {
        AlertProbe running = alerts;
        alertThread = thread("bench-alert-probe", () -> {
          try {
            running.run();
          } catch (Exception e) {
            failure = e;
          }
        });
      }
      sleepUntil(measureStart + seconds(options.durationSeconds()));
      HubClient.Stored stored1 = hub.stored();
      long sent1 = sentSamples.sum();
      long events1 = sentEvents.sum();
      double measured = (System.nanoTime() - measureStart) / 1e9;
      Map<String, Double> cpuShares = cpu.sinceStart();
      double loadAfter = CpuMeter.loadAverage();
      if (alertThread != null) {
        // the background load goes on until every alert probe was sent and notified (or given up on)
        alertThread.join();
        alerts.settle(alerts.peerSeen());
      }
      measuring = false;
      sending = false;
      for (Thread thread : threads) {
        thread.join(15_000);
      }
      long stopped = System.nanoTime();
      long sentTotal = sentEvents.sum();
      long deadline = stopped + seconds(options.drainSeconds());
      while (storedEvents.get() < sentTotal && System.nanoTime() < deadline && failure == null) {
        Thread.sleep(100);
      }
      double drainSeconds = (System.nanoTime() - stopped) / 1e9;
      sampler.interrupt();
      HubClient.Stored end = hub.stored();
      long storedTotal = end.metricsEvents() - baseline.metricsEvents();
      if (failure != null) {
        throw new IllegalStateException("bench failed: " + failure, failure);
      }

      double sentRate = (sent1 - sent0) / measured;
      double storedRate = (stored1.samples() - stored0.samples()) / measured;
      String mode = options.saturate()
          ? String.format("saturating, at most %,d events in flight", options.window())
          : String.format("every %s s (offered %,.0f samples/s)", trim(options.intervalSeconds()), options.offeredSamplesPerSecond());
      out.println();
      out.printf("mirador bench %s: %,d agents × %,d metrics, %s, %d connections%n", options.runId(), options.agents(), options.metrics(),
          mode, options.connections());
      out.printf("measured %.1f s after %.0f s warm-up; load average %.2f before, %.2f after%n%n", measured, options.warmupSeconds(),
          loadBefore, loadAfter);
      out.println("| figure | value |");
      out.println("|---|---|");
      out.printf("| samples/s sent | %,.0f |%n", sentRate);
      out.printf("| samples/s stored | %,.0f |%n", storedRate);
      out.printf("| events/s sent / stored | %,.0f / %,.0f |%n", (events1 - events0) / measured,
          (stored1.metricsEvents() - stored0.metricsEvents()) / measured);
      out.printf("| publish → readable p50 / p99 / max | %s / %s / %s (%d probes, %d not seen within %d s) |%n", ms(latency.percentile(50)),
          ms(latency.percentile(99)), ms(latency.max()), latency.count(), latency.timeouts(), PROBE_TIMEOUT_MS / 1000);
      out.printf("| metrics events sent / all events confirmed (with registers) / nacked / returned | %,d / %,d / %,d / %,d |%n", sentTotal, acked.sum(), nacked.sum(), returned.sum());
      out.printf("| events stored after sending stopped | %,d of %,d, %.1f s later%s |%n", storedTotal, sentTotal, drainSeconds,
          storedTotal >= sentTotal ? "" : " (not all yet)");
      if (!options.saturate()) {
        out.printf("| sends later than their slot by > 1 s | %,d |%n", behind.sum());
      }
      cpuShares.forEach((name, share) -> out.printf("| CPU %s | %s |%n", name, share < 0 ? "n/a" : String.format("%.0f %% of a core", share)));
      if (alerts != null) {
        alerts.report(out);
        alerts.close();
      }
      return new Result(sentRate, storedRate, end.samples() - baseline.samples(), latency.percentile(50), latency.percentile(99),
          latency.count(), latency.timeouts(), storedTotal >= sentTotal);
    } finally {
      sending = false;
      for (Connection connection : connections) {
        try {
          connection.close(2_000);
        } catch (Exception e) {
          // closing anyway
        }
      }
    }
  }

  /**
   * Reads the hub's stored counters: every 50 ms in saturate mode (they gate the sending; at a few thousand events a
   * second that is a tenth of a typical window), twice a second otherwise. Each read costs the hub a /metrics page
   * and the bench an HTTP exchange, on the same two cores: 20 ms cost the bench a quarter of its CPU.
   */
  private void sample() {
    long period = options.saturate() ? 50 : 500;
    while (!Thread.currentThread().isInterrupted()) {
      try {
        HubClient.Stored now = hub.stored();
        storedEvents.set(now.metricsEvents() - baseline.metricsEvents());
        storedSamples.set(now.samples() - baseline.samples());
        Thread.sleep(period);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        LockSupport.parkNanos(seconds(0.2));
      }
    }
  }

  /** One connection with one confirm channel and one thread, publishing for the agents i ≡ index (mod connections). */
  private final class Publisher {

    final int index;
    final Channel channel;
    final ConfirmWindow confirms;
    final List<String> agents = new ArrayList<>();
    final List<Integer> globalIndex = new ArrayList<>();
    final long[] seq;
    /** Each agent's envelope MAC, when enrolled; used by this publisher's thread only. */
    final List<Mac> macs = new ArrayList<>();

    Publisher(int index, Connection connection) throws Exception {
      this.index = index;
      this.channel = connection.createChannel();
      channel.exchangeDeclarePassive(Topology.INGEST_EXCHANGE);
      channel.addReturnListener(r -> returned.increment());
      this.confirms = new ConfirmWindow(channel, window, acked, nacked);
      for (int i = index; i < options.agents(); i += options.connections()) {
        agents.add("bench-" + options.runId() + "-" + i);
        globalIndex.add(i);
      }
      seq = new long[agents.size()];
    }

    void register() throws Exception {
      for (int a = 0; a < agents.size(); a++) {
        publish(a, "register", EventEncoder.register(agents.get(a), ++seq[a], System.currentTimeMillis(),
            REGISTER_INTERVAL_SECONDS), false);
      }
    }

    void run() {
      try {
        if (options.saturate()) {
          saturate();
        } else {
          paced();
        }
      } catch (Throwable e) {
        if (sending) {
          failure = e;
          sending = false;
        }
      }
    }

    /** Each agent once per interval, at its own offset (agents spread evenly over the interval). */
    private void paced() throws Exception {
      long interval = seconds(options.intervalSeconds());
      long start = System.nanoTime();
      for (long round = 0; sending; round++) {
        for (int a = 0; a < agents.size() && sending; a++) {
          long due = start + round * interval + interval * globalIndex.get(a) / options.agents();
          sleepUntil(due);
          if (System.nanoTime() - due > seconds(1)) {
            behind.increment();
          }
          metrics(a);
        }
      }
    }

    /** Round robin over the agents, as fast as the window lets. */
    private void saturate() throws Exception {
      for (int a = 0; sending; a = (a + 1) % agents.size()) {
        while (sending && sentEvents.sum() - storedEvents.get() >= options.window()) {
          LockSupport.parkNanos(200_000);
        }
        metrics(a);
      }
    }

    private void metrics(int a) throws Exception {
      if (!sending) {
        return;
      }
      if (publish(a, "metrics", encoder.metrics(agents.get(a), ++seq[a], System.currentTimeMillis()), true)) {
        sentSamples.add(options.metrics());
      }
    }

    /** False when sending stopped while waiting for a place in the window. */
    private boolean publish(int a, String type, byte[] body, boolean count) throws Exception {
      String agent = agents.get(a);
      while (!confirms.acquire(100)) {
        if (!sending) {
          return false;
        }
      }
      long tag = channel.getNextPublishSeqNo();
      confirms.sent(tag);
      channel.basicPublish(Topology.INGEST_EXCHANGE, type + "." + agent, true, properties(agent, type, macs.isEmpty() ? null : macs.get(a), body), body);
      if (count) {
        sentEvents.increment();
      }
      return true;
    }
  }

  /** A probe agent: a marker sample at a time, published, then polled for through the API until seen. */
  private final class Probe {

    final String agent = "bench-" + options.runId() + "-probe";
    final Channel channel;
    final ConfirmWindow confirms;
    long seq;
    Mac mac;

    Probe(Connection connection) throws Exception {
      channel = connection.createChannel();
      channel.addReturnListener(r -> returned.increment());
      confirms = new ConfirmWindow(channel, new Semaphore(64), acked, nacked);
    }

    void register() throws Exception {
      publish("register", EventEncoder.register(agent, ++seq, System.currentTimeMillis(), REGISTER_INTERVAL_SECONDS));
    }

    void run() {
      try {
        while (sending) {
          long started = System.nanoTime();
          long marker = ++seq;
          publish("metrics", EventEncoder.probe(agent, marker, System.currentTimeMillis(), marker));
          sentEvents.increment();
          sentSamples.increment();
          boolean recording = measuring;
          long seen = awaitVisible(marker, started);
          if (recording && measuring) {
            if (seen < 0) {
              latency.timeout();
            } else {
              latency.record(seen);
            }
          }
          sleepUntil(started + options.probeIntervalMs() * 1_000_000L);
        }
      } catch (Throwable e) {
        if (sending) {
          failure = e;
          sending = false;
        }
      }
    }

    /** Milliseconds from publish to the marker in /latest, or -1 past the timeout. Bounded: polls every 5 ms. */
    private long awaitVisible(long marker, long started) throws Exception {
      long deadline = started + PROBE_TIMEOUT_MS * 1_000_000L;
      while (System.nanoTime() < deadline) {
        String body;
        try {
          body = hub.latest(agent);
        } catch (java.io.IOException e) {
          body = null; // a slow or failed read is no answer: poll again until the deadline
        }
        if (body != null && holds(body, marker)) {
          return (System.nanoTime() - started) / 1_000_000L;
        }
        LockSupport.parkNanos(PROBE_POLL_MS * 1_000_000L);
      }
      return -1;
    }

    private boolean holds(String body, long marker) {
      JsonArray series = new JsonObject(body).getJsonArray("series", new JsonArray());
      for (int i = 0; i < series.size(); i++) {
        JsonObject one = series.getJsonObject(i);
        if ("bench.probe".equals(one.getString("metric")) && one.getValue("value") instanceof Number value && value.longValue() >= marker) {
          return true;
        }
      }
      return false;
    }

    private void publish(String type, byte[] body) throws Exception {
      while (!confirms.acquire(100)) {
        if (!sending) {
          return;
        }
      }
      confirms.sent(channel.getNextPublishSeqNo());
      channel.basicPublish(Topology.INGEST_EXCHANGE, type + "." + agent, true, properties(agent, type, mac, body), body);
    }
  }

  /** With the envelope's MAC header when the agent is enrolled: computed here, per message, as a real agent does. */
  private static AMQP.BasicProperties properties(String agent, String type, Mac mac, byte[] body) {
    return new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).type(type).appId(agent)
        .headers(mac == null ? null : Map.of(EnvelopeMac.HEADER, Keys.b64(EnvelopeMac.of(mac, body))))
        .timestamp(new Date()).build();
  }

  /**
   * Enrolls every simulated agent (and the probe) with the token, as an agent does: a key pair each, an {@code enroll}
   * request with the token's proof, then the MAC key from the hub's public key (read from the API: the bench has no
   * agent queue to receive the {@code enrolled} answer on). Waits until the hub counted every enrollment.
   */
  private void enroll(List<Publisher> publishers, Probe probe) throws Exception {
    JsonObject hubKey = new JsonObject(hub.read("/api/v1/enrollment/hub-key"));
    PublicKey agreement = Keys.publicKey(Keys.X25519, hubKey.getString("agreementKey"));
    byte[] tokenKey = EnrollmentProof.tokenKey(options.enrollToken());
    long before = hub.counter("mirador_enrollments_total{outcome=\"enrolled\"} ");
    Wire wire = Wire.standard();
    int count = 0;
    for (Publisher publisher : publishers) {
      for (String agent : publisher.agents) {
        publisher.macs.add(enrollOne(publisher.channel, publisher.confirms, wire, agent, agreement, tokenKey));
        count++;
      }
    }
    probe.mac = enrollOne(probe.channel, probe.confirms, wire, probe.agent, agreement, tokenKey);
    count++;
    long deadline = System.nanoTime() + seconds(60);
    while (hub.counter("mirador_enrollments_total{outcome=\"enrolled\"} ") - before < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the hub did not enroll the " + count + " simulated agents within 60 s (does it have the token?)");
      }
      Thread.sleep(100);
    }
    out.printf("enrolled %,d simulated agents; every envelope carries its MAC%n", count);
  }

  private static Mac enrollOne(Channel channel, ConfirmWindow confirms, Wire wire, String agent, PublicKey agreement, byte[] tokenKey)
      throws Exception {
    KeyPair keys = Keys.generate(Keys.X25519);
    String publicKey = Keys.text(keys.getPublic());
    Envelope request = Envelope.of(EventType.ENROLL, agent, 1, System.currentTimeMillis(), new EnrollRequest(publicKey, agent,
        EnrollmentProof.tokenId(tokenKey), Keys.b64(EnrollmentProof.request(tokenKey, agent, publicKey))));
    while (!confirms.acquire(100)) {
      // the window frees as confirms come
    }
    confirms.sent(channel.getNextPublishSeqNo());
    channel.basicPublish(Topology.INGEST_EXCHANGE, "enroll." + agent, true, properties(agent, "enroll", null, null), wire.encode(request));
    return Keys.hmac(EnvelopeMac.key(keys.getPrivate(), agreement, agent));
  }

  private Thread thread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static long seconds(double s) {
    return (long) (s * 1e9);
  }

  private static void sleepUntil(long nanoTime) {
    for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
      LockSupport.parkNanos(left);
    }
  }

  private static String ms(long value) {
    return value < 0 ? "n/a" : value + " ms";
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
