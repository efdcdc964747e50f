package io.mirador.agent;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mirador.Addresses;
import io.mirador.model.Envelope;
import io.mirador.model.EnvelopeMessageCodec;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.mirador.model.Wire;
import io.mirador.transport.rabbitmq.AmqpSettings;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.mirador.transport.rabbitmq.RabbitHubTransport;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the write-ahead spool costs: the agent channel on RabbitMQ with {@code agent.spool.writeAhead} true and
 * false, a burst of events put in the outbox at once (events/s until the hub transport has them all) and a paced
 * run at 50 events/s (latency from the event's ts to the hub transport's delivery, p50/p99). Not a test:
 * {@code mvn -q test -Dtest=WriteAheadBench -Dmirador.bench=true}.
 *
 * <p>Options: {@code -Dbench.burst} (events, 20,000), {@code -Dbench.samples} (samples per event, 1),
 * {@code -Dbench.repeat} (rounds, 2), {@code -Dbench.eventLoops} (the agent's event loops; 0: Vert.x's default).
 * The hub consumer runs on a Vert.x instance of its own, so that its decoding is not counted as the agent's. With
 * one agent event loop, everything of the agent that runs on an event loop (the channel, the transport's
 * completions) shares it, and the bench reports that thread's CPU time per event and, from a timer re-armed every
 * 5 ms on it from the moment the burst is in the outbox until the hub has it, how late the timer fired (p99 and
 * max): the longest stretches the loop was busy. The JVM's CPU time over the burst, divided by the events, is the
 * agent's and the hub consumer's cost per event together (the broker is another process).
 */
class WriteAheadBench {

  private static final int BURST = Integer.getInteger("bench.burst", 20_000);
  private static final int SAMPLES = Integer.getInteger("bench.samples", 1);
  private static final int EVENT_LOOPS = Integer.getInteger("bench.eventLoops", 0);
  private static final long PROBE_MS = 5;
  private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Test
  void writeAheadOnAndOff() throws Exception {
    assumeTrue(Boolean.getBoolean("mirador.bench"), "a benchmark; run with -Dmirador.bench=true");
    for (int round = 0; round < Integer.getInteger("bench.repeat", 2); round++) {
      for (boolean writeAhead : new boolean[] {false, true}) {
        run(writeAhead);
      }
    }
  }

  private static void run(boolean writeAhead) throws Exception {
    Vertx vertx = EVENT_LOOPS > 0 ? Vertx.vertx(new VertxOptions().setEventLoopPoolSize(EVENT_LOOPS)) : Vertx.vertx();
    vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeMessageCodec());
    Vertx hubVertx = Vertx.vertx();
    String vhost = RabbitBroker.createVhost("wal-bench");
    Path dataDir = Files.createTempDirectory("wal-bench");
    String agent = "wal-bench";
    try {
      JsonObject config = RabbitBroker.config(RabbitBroker.url(vhost)).mergeIn(new JsonObject().put("agent", new JsonObject()
          .put("id", agent).put("dataDir", dataDir.toString())
          .put("outbox", new JsonObject().put("maxEvents", BURST * 2).put("maxInFlight", 128))
          .put("batch", new JsonObject().put("lingerMs", 0))
          .put("spool", new JsonObject().put("writeAhead", writeAhead))));
      Set<Long> seqs = ConcurrentHashMap.newKeySet();
      java.util.concurrent.atomic.AtomicLong deliveries = new java.util.concurrent.atomic.AtomicLong();
      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      boolean[] measuring = new boolean[1];
      RabbitHubTransport hub = new RabbitHubTransport(hubVertx, AmqpSettings.of(config));
      await(hub.consume(delivery -> {
        Envelope event = Wire.standard().decode(delivery.body());
        deliveries.incrementAndGet();
        seqs.add(event.seq());
        if (measuring[0]) {
          latencies.add(System.currentTimeMillis() - event.ts());
        }
        delivery.ack();
      }));
      await(vertx.deployVerticle(new AgentChannelVerticle(), new DeploymentOptions().setConfig(config)));

      List<Envelope> burst = new ArrayList<>(BURST);
      for (int i = 0; i < BURST; i++) {
        burst.add(metrics(agent, i));
      }
      LagProbe lag = new LagProbe(vertx);
      io.vertx.core.Promise<Long> onLoop = io.vertx.core.Promise.promise();
      vertx.runOnContext(v -> onLoop.complete(Thread.currentThread().getId())); // with one event loop, the agent's
      long loopThread = await(onLoop.future());
      long loopCpuBefore = THREADS.getThreadCpuTime(loopThread);
      long cpuBefore = processCpuNanos();
      long start = System.nanoTime();
      vertx.runOnContext(v -> {
        burst.forEach(event -> vertx.eventBus().send(Addresses.agentOutbox(agent), event));
        lag.start(); // after the sends, so that the lag is the agent's, not this loop's
      });
      waitFor(() -> seqs.size() >= BURST, 300_000);
      double seconds = (System.nanoTime() - start) / 1e9;
      long duplicates = deliveries.get() - seqs.size(); // more than 0: a publish failed (the broker went away?)
      double cpuMsPerEvent = (processCpuNanos() - cpuBefore) / 1e6 / BURST;
      double loopCpuMsPerEvent = (THREADS.getThreadCpuTime(loopThread) - loopCpuBefore) / 1e6 / BURST;
      List<Long> lags = lag.stop();

      measuring[0] = true;
      long paced = vertx.setPeriodic(20, id -> vertx.eventBus().send(Addresses.agentOutbox(agent), metrics(agent, 0)));
      Thread.sleep(6_000);
      vertx.cancelTimer(paced);
      waitFor(() -> seqs.size() >= BURST + latencies.size(), 10_000);
      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      System.out.printf("writeAhead=%s, %d samples/event: burst of %d in %.2f s = %.0f events/s (%d duplicates), JVM CPU %.3f ms/event%s;"
              + " paced 50/s: %d events, latency p50 %d ms, p99 %d ms%n",
          writeAhead, SAMPLES, BURST, seconds, BURST / seconds, duplicates, cpuMsPerEvent,
          EVENT_LOOPS == 1 ? String.format(", agent event loop: CPU %.3f ms/event, lag p99 %d ms, max %d ms", loopCpuMsPerEvent,
              percentile(lags, 0.99), percentile(lags, 1.0)) : "",
          sorted.size(), percentile(sorted, 0.5), percentile(sorted, 0.99));
      await(hub.close());
    } finally {
      await(vertx.close());
      await(hubVertx.close());
      RabbitBroker.deleteVhost(vhost);
    }
  }

  static Envelope metrics(String agent, int i) {
    if (SAMPLES == 1) {
      return AgentChannelTest.metrics(agent, i);
    }
    long now = System.currentTimeMillis();
    List<Sample> samples = new ArrayList<>(SAMPLES);
    for (int s = 0; s < SAMPLES; s++) {
      samples.add(Sample.of("disk.io.read_bytes", Map.of("device", "sd" + s), i + s * 0.5, now));
    }
    return Envelope.of(EventType.METRICS, agent, 0, now, new MetricsBatch(samples));
  }

  private static long percentile(List<Long> sorted, double p) {
    return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p)));
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** A timer re-armed every {@value #PROBE_MS} ms; how late each one fired, in ms. */
  private static final class LagProbe {
    private final Vertx vertx;
    private final List<Long> lags = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean running = true;

    LagProbe(Vertx vertx) {
      this.vertx = vertx;
    }

    void start() {
      arm();
    }

    private void arm() {
      long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_MS);
      vertx.setTimer(PROBE_MS, id -> {
        lags.add(Math.max(0, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - due)));
        if (running) {
          arm();
        }
      });
    }

    List<Long> stop() {
      running = false;
      List<Long> sorted = new ArrayList<>(lags);
      Collections.sort(sorted);
      return sorted;
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
