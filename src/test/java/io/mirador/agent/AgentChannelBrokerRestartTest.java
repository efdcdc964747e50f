package io.mirador.agent;

import static io.mirador.agent.AgentChannelTest.await;
import static io.mirador.agent.AgentChannelTest.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Addresses;
import io.mirador.model.AgentInfo;
import io.mirador.model.Envelope;
import io.mirador.model.EnvelopeMessageCodec;
import io.mirador.model.EventType;
import io.mirador.model.Wire;
import io.mirador.transport.rabbitmq.AmqpSettings;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.mirador.transport.rabbitmq.RabbitHubTransport;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DESIGN.md §6: a broker restart loses no event. The agent channel publishes continuously through the RabbitMQ
 * transport while the broker's application is stopped and started again; afterwards every seq it handed out has
 * reached the hub transport (duplicates allowed: the store dedups).
 */
@ExtendWith(VertxExtension.class)
class AgentChannelBrokerRestartTest {

  private static final Logger LOG = LoggerFactory.getLogger(AgentChannelBrokerRestartTest.class);
  private static final String AGENT = "restart-test";

  @TempDir
  Path dataDir;

  @Test
  void everySeqReachesTheHubAcrossABrokerRestart(Vertx vertx) throws Exception {
    vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeMessageCodec());
    String vhost = RabbitBroker.createVhost("restart");
    RabbitHubTransport hub = null;
    try {
      JsonObject config = RabbitBroker.config(RabbitBroker.url(vhost)).mergeIn(AgentChannelTest.config(dataDir));
      config.getJsonObject("agent").put("id", AGENT);
      Set<Long> seqs = ConcurrentHashMap.newKeySet();
      AtomicLong deliveries = new AtomicLong();
      List<Envelope> heartbeats = new CopyOnWriteArrayList<>();
      hub = new RabbitHubTransport(vertx, AmqpSettings.of(config));
      await(hub.consume(delivery -> {
        Envelope event = Wire.standard().decode(delivery.body());
        deliveries.incrementAndGet();
        seqs.add(event.seq());
        if (event.type() == EventType.HEARTBEAT) {
          heartbeats.add(event);
        }
        delivery.ack();
      }));
      await(vertx.deployVerticle(new AgentChannelVerticle(), new DeploymentOptions().setConfig(config)));

      AtomicLong sent = new AtomicLong();
      java.util.concurrent.atomic.AtomicBoolean stopProducing = new java.util.concurrent.atomic.AtomicBoolean();
      io.vertx.core.Promise<Void> producerStopped = io.vertx.core.Promise.promise();
      vertx.setPeriodic(4, id -> {
        if (stopProducing.get()) {
          // the producer stops itself, so no tick can still be under way when the test counts
          vertx.cancelTimer(id);
          producerStopped.tryComplete();
          return;
        }
        vertx.eventBus().send(Addresses.agentOutbox(AGENT), AgentChannelTest.metrics(AGENT, (int) sent.get()));
        sent.incrementAndGet();
      });
      waitUntil(() -> seqs.size() >= 20, "the hub receiving before the restart");
      long beforeStop = sent.get();
      long stoppedAt = System.nanoTime();
      try {
        RabbitBroker.stopApp();
        waitUntil(() -> sent.get() >= beforeStop + 20, "events made while the broker is away");
      } finally {
        RabbitBroker.startApp(); // whatever happened, the broker is left running
      }
      LOG.info("broker away for {} ms; {} events sent before the stop", (System.nanoTime() - stoppedAt) / 1_000_000, beforeStop);
      long afterStart = sent.get();
      waitUntil(() -> sent.get() >= afterStart + 20, "events made after the broker is back");
      stopProducing.set(true);
      await(producerStopped.future());
      vertx.eventBus().send(Addresses.agentOutbox(AGENT), Envelope.of(EventType.HEARTBEAT, AGENT, 0, System.currentTimeMillis(),
          new AgentInfo(AGENT, "host", List.of(), "linux", "test", false, 1, 10, Map.of(), List.of())));
      long total = sent.get() + 1;

      waitUntil(() -> seqs.size() == total, "all " + total + " seqs at the hub", 45);
      assertEquals(LongStream.rangeClosed(1, total).boxed().collect(Collectors.toSet()), seqs);
      Map<String, Long> counters = heartbeats.get(0).body(AgentInfo.class).counters();
      LOG.info("{} seqs, {} deliveries ({} duplicates); agent counters {}", total, deliveries.get(), deliveries.get() - total, counters);
      assertTrue(counters.get("publish_failures") > 0, "the restart was felt: " + counters);
      assertTrue(counters.get("spool_appended") > 0, "and bridged by the spool: " + counters);
      assertEquals(0L, counters.getOrDefault("outbox_dropped", 0L));
      assertEquals(0L, counters.get("spool_evicted_events"));
    } finally {
      if (hub != null) {
        await(hub.close());
      }
      await(vertx.close());
      RabbitBroker.deleteVhost(vhost);
    }
  }
}
