package io.mirador.transport.rabbitmq;

import static io.mirador.transport.rabbitmq.RabbitTransportTest.await;
import static io.mirador.transport.rabbitmq.RabbitTransportTest.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mirador.Addresses;
import io.mirador.hub.channel.ChannelVerticle;
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
import java.util.concurrent.CopyOnWriteArrayList;
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
          .put("hub", new JsonObject().put("ingest", new JsonObject().put("maxMessageBytes", 4096)));
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
