package io.mirador.transport.rabbitmq;

import static io.mirador.transport.rabbitmq.RabbitTransportTest.await;
import static io.mirador.transport.rabbitmq.RabbitTransportTest.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mirador.Addresses;
import io.mirador.hub.channel.ChannelVerticle;
import io.mirador.hub.engine.EngineVerticle;
import io.mirador.metrics.Meters;
import io.mirador.model.Envelope;
import io.mirador.model.EnvelopeMessageCodec;
import io.mirador.model.Wire;
import io.mirador.transport.TransportStatus;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hub's channel verticle on the RabbitMQ transport: valid events to the engine and acked, invalid ones dead-lettered with the reason. */
@ExtendWith(VertxExtension.class)
class RabbitHubChannelTest {

  @Test
  void validEventsAreStoredAndInvalidOnesKeptInTheDeadQueueWithTheirReason(Vertx vertx) throws Exception {
    String vhost = RabbitBroker.createVhost("hub-channel");
    try (Connection admin = RabbitBroker.connect(vhost)) {
      vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeMessageCodec());
      List<Envelope> stored = new CopyOnWriteArrayList<>();
      vertx.eventBus().<Envelope>consumer(Addresses.ENGINE, message -> {
        stored.add(message.body());
        message.reply(null);
      });
      JsonObject config = RabbitBroker.config(RabbitBroker.url(vhost))
          .put("hub", new JsonObject().put("ingest", new JsonObject().put("maxMessageBytes", 4096))
              // the channel's other rejections; authentication of agents has its own tests (AgentEnrollmentTest)
              .put("agents", new JsonObject().put("authenticate", false)));
      String channel = await(vertx.deployVerticle(ChannelVerticle.class.getName(), new DeploymentOptions().setConfig(config)));

      Envelope valid = RabbitTransportTest.metrics("hub-agent", 1);
      publish(admin, "metrics.hub-agent", Wire.standard().encode(valid));
      publish(admin, "metrics.hub-agent", "{\"v\":1,".getBytes(StandardCharsets.UTF_8));
      publish(admin, "metrics.hub-agent", Wire.standard().encode(RabbitTransportTest.metrics("hub-agent", 2, 100)));
      publish(admin, "gossip.hub-agent", "{\"v\":1,\"type\":\"gossip\",\"agent\":\"a\",\"seq\":1,\"ts\":1,\"body\":{}}".getBytes(StandardCharsets.UTF_8));

      waitUntil(() -> stored.size() == 1, "the valid event reached the engine");
      assertEquals(valid, stored.get(0));
      List<String> reasons = RabbitBroker.deadReasons(admin, 3);
      assertEquals(3, reasons.size(), "three messages dead-lettered: " + reasons);
      assertTrue(reasons.get(0).startsWith("not JSON"), reasons::toString);
      assertTrue(reasons.get(1).contains("exceeds the limit of 4096"), reasons::toString);
      assertTrue(reasons.get(2).contains("unknown event type \"gossip\""), reasons::toString);
      waitUntil(() -> count(admin) == 0, "nothing left in the ingest queue");
      assertEquals("UP", TransportStatus.of(vertx).checks().get("rabbitmq").getString("status"));

      await(vertx.undeploy(channel));
    } finally {
      RabbitBroker.deleteVhost(vhost);
    }
  }

  /**
   * The engine's failure code decides: 422 (refused for what the event holds) dead-letters at once, 500 (failed) after
   * hub.ingest.maxAttempts deliveries of the same message, 503 (store away) requeues however often it comes back.
   */
  @Test
  void theEnginesFailureCodeDecidesBetweenWaitingAndDeadLettering(Vertx vertx) throws Exception {
    String vhost = RabbitBroker.createVhost("hub-poison");
    try (Connection admin = RabbitBroker.connect(vhost)) {
      vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeMessageCodec());
      Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
      List<Envelope> stored = new CopyOnWriteArrayList<>();
      vertx.eventBus().<Envelope>consumer(Addresses.ENGINE, message -> {
        String agent = message.body().agent();
        int attempt = attempts.computeIfAbsent(agent, a -> new AtomicInteger()).incrementAndGet();
        switch (agent) {
          case "refused" -> message.fail(EngineVerticle.REFUSED, "store refused the event: seq must be between 1 and 2^53");
          case "failing" -> message.fail(EngineVerticle.FAILED, "store failed: WRONGTYPE Operation against a key");
          default -> {
            if (attempt <= 6) { // twice the bound: a store that is away is waited for
              message.fail(EngineVerticle.UNAVAILABLE, "store unavailable: connection refused");
            } else {
              stored.add(message.body());
              message.reply("stored");
            }
          }
        }
      });
      JsonObject config = RabbitBroker.config(RabbitBroker.url(vhost))
          .put("hub", new JsonObject().put("ingest", new JsonObject().put("maxAttempts", 3))
              .put("agents", new JsonObject().put("authenticate", false)));
      String channel = await(vertx.deployVerticle(ChannelVerticle.class.getName(), new DeploymentOptions().setConfig(config)));
      Meters meters = Meters.of(vertx);
      double requeuedBefore = meters.value("mirador_events_requeued_total", Map.of());
      double poisonBefore = meters.value("mirador_deliveries_poison_total", Map.of());

      publish(admin, "metrics.refused", Wire.standard().encode(RabbitTransportTest.metrics("refused", 1)));
      List<GetResponse> refused = RabbitBroker.take(admin, Topology.DEAD_QUEUE, 1);
      assertEquals(1, refused.size(), "the refused event is dead-lettered");
      assertEquals("store refused the event: seq must be between 1 and 2^53", reason(refused.get(0)));
      assertEquals(1, attempts.get("refused").get(), "at once: delivered once");

      publish(admin, "metrics.failing", Wire.standard().encode(RabbitTransportTest.metrics("failing", 1)));
      publish(admin, "metrics.away", Wire.standard().encode(RabbitTransportTest.metrics("away", 1)));
      List<GetResponse> failing = RabbitBroker.take(admin, Topology.DEAD_QUEUE, 1);
      assertEquals(1, failing.size(), "the event the store keeps failing on is dead-lettered");
      assertEquals("not stored after 3 attempts: store failed: WRONGTYPE Operation against a key", reason(failing.get(0)));
      assertEquals(2L, ((Number) failing.get(0).getProps().getHeaders().get("x-delivery-count")).longValue(), "the third delivery");
      assertEquals(3, attempts.get("failing").get());

      waitUntil(() -> stored.size() == 1, "the event is stored once the store is back, after 6 requeues");
      assertEquals(7, attempts.get("away").get());
      waitUntil(() -> count(admin) == 0, "nothing left in the ingest queue");
      assertEquals(0, RabbitBroker.messageCount(admin, Topology.DEAD_QUEUE), "only the two dead-lettered");
      assertEquals(poisonBefore + 2, meters.value("mirador_deliveries_poison_total", Map.of()));
      assertEquals(1, meters.value("mirador_events_rejected_total", Map.of("reason", "store_refused")));
      assertEquals(1, meters.value("mirador_events_rejected_total", Map.of("reason", "store_failed")));
      assertEquals(requeuedBefore + 2 + 6, meters.value("mirador_events_requeued_total", Map.of()));
      assertTrue(meters.scrape().contains("# HELP mirador_deliveries_poison_total "), meters::scrape);

      await(vertx.undeploy(channel));
    } finally {
      RabbitBroker.deleteVhost(vhost);
    }
  }

  private static String reason(GetResponse dead) {
    return String.valueOf(dead.getProps().getHeaders().get(Topology.REASON_HEADER));
  }

  private static void publish(Connection admin, String routingKey, byte[] body) throws Exception {
    try (Channel channel = admin.createChannel()) {
      channel.confirmSelect();
      channel.basicPublish(Topology.INGEST_EXCHANGE, routingKey, new AMQP.BasicProperties.Builder().deliveryMode(2).build(), body);
      channel.waitForConfirmsOrDie(5_000);
    }
  }

  private static long count(Connection admin) {
    try {
      return RabbitBroker.messageCount(admin, Topology.INGEST_QUEUE);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
