package io.mirador.agent;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mirador.Addresses;
import io.mirador.model.Envelope;
import io.mirador.model.EnvelopeMessageCodec;
import io.mirador.model.Wire;
import io.mirador.transport.rabbitmq.AmqpSettings;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.mirador.transport.rabbitmq.RabbitHubTransport;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the write-ahead spool costs: the agent channel on RabbitMQ with {@code agent.spool.writeAhead} true and
 * false, a burst of events put in the outbox at once (events/s until the hub transport has them all) and a paced
 * run at 50 events/s (latency from the event's ts to the hub transport's delivery, p50/p99). Not a test:
 * {@code mvn -q test -Dtest=WriteAheadBench -Dmirador.bench=true}.
 */
class WriteAheadBench {

  private static final int BURST = Integer.getInteger("bench.burst", 20_000);

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
    Vertx vertx = Vertx.vertx();
    vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeMessageCodec());
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
      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      boolean[] measuring = new boolean[1];
      RabbitHubTransport hub = new RabbitHubTransport(vertx, AmqpSettings.of(config));
      await(hub.consume(delivery -> {
        Envelope event = Wire.standard().decode(delivery.body());
        seqs.add(event.seq());
        if (measuring[0]) {
          latencies.add(System.currentTimeMillis() - event.ts());
        }
        delivery.ack();
      }));
      await(vertx.deployVerticle(new AgentChannelVerticle(), new DeploymentOptions().setConfig(config)));

      long start = System.nanoTime();
      vertx.runOnContext(v -> {
        for (int i = 0; i < BURST; i++) {
          vertx.eventBus().send(Addresses.agentOutbox(agent), AgentChannelTest.metrics(agent, i));
        }
      });
      waitFor(() -> seqs.size() >= BURST, 120_000);
      double seconds = (System.nanoTime() - start) / 1e9;

      measuring[0] = true;
      long paced = vertx.setPeriodic(20, id -> vertx.eventBus().send(Addresses.agentOutbox(agent), AgentChannelTest.metrics(agent, 0)));
      Thread.sleep(6_000);
      vertx.cancelTimer(paced);
      waitFor(() -> seqs.size() >= BURST + latencies.size(), 10_000);
      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      System.out.printf("writeAhead=%s: burst of %d in %.2f s = %.0f events/s; paced 50/s: %d events, latency p50 %d ms, p99 %d ms%n",
          writeAhead, BURST, seconds, BURST / seconds, sorted.size(), sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99)));
      await(hub.close());
    } finally {
      await(vertx.close());
      RabbitBroker.deleteVhost(vhost);
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
