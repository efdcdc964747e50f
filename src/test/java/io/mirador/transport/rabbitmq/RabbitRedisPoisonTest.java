package io.mirador.transport.rabbitmq;

import static io.mirador.transport.rabbitmq.RabbitTransportTest.await;
import static io.mirador.transport.rabbitmq.RabbitTransportTest.metrics;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mirador.hub.channel.ChannelVerticle;
import io.mirador.hub.engine.EngineVerticle;
import io.mirador.metrics.Meters;
import io.mirador.model.Envelope;
import io.mirador.model.EnvelopeMessageCodec;
import io.mirador.model.Wire;
import io.mirador.store.IngestCounters;
import io.mirador.store.AgentRegistry;
import io.mirador.store.Stores;
import io.mirador.testing.Await;
import io.mirador.testing.RedisServer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deliveries that can never be stored, on the production path: the hub's channel and engine on the real RabbitMQ
 * (a vhost of this test's) and a Redis store on a redis-server of this test's, which it can kill and start again.
 * Such a delivery is dead-lettered with its reason and counted, never circles; a store that is away is waited for.
 */
@ExtendWith(VertxExtension.class)
class RabbitRedisPoisonTest {

  private static final int MAX_ATTEMPTS = 3;
  private static final String PREFIX = "poison:";

  private String vhost;
  private Connection admin;
  private RedisServer redis;
  private JsonObject config;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    vhost = RabbitBroker.createVhost("poison");
    admin = RabbitBroker.connect(vhost);
    redis = RedisServer.start(Files.createTempDirectory("mirador-poison"), null); // append-only, fsync always
    vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeMessageCodec());
    config = RabbitBroker.config(RabbitBroker.url(vhost))
        .put("hub", new JsonObject().put("ingest", new JsonObject().put("maxAttempts", MAX_ATTEMPTS))
            // what the store does with valid events; authentication of agents has its own tests (AgentEnrollmentTest)
            .put("agents", new JsonObject().put("authenticate", false)))
        .put("store", new JsonObject().put("type", "redis").put("redis", new JsonObject()
            .put("url", redis.url()).put("prefix", PREFIX)
            .put("connectTimeoutMs", 1_000).put("commandTimeoutMs", 1_000).put("reconnectMinMs", 50).put("reconnectMaxMs", 200)));
    DeploymentOptions options = new DeploymentOptions().setConfig(config);
    await(vertx.deployVerticle(EngineVerticle.class.getName(), options));
    await(vertx.deployVerticle(ChannelVerticle.class.getName(), options));
  }

  @AfterEach
  void stop(Vertx vertx) throws Exception {
    for (String deployment : vertx.deploymentIDs()) { // the hub first, while the broker and Redis are still there
      await(vertx.undeploy(deployment));
    }
    admin.close();
    RabbitBroker.deleteVhost(vhost);
    redis.close();
  }

  /** The attack: 300 such envelopes used to hold the whole prefetch (250) for good, requeued every second. */
  @Test
  void seqsTheStoreCannotKeepAreRejectedAtDecodeAndNeverRequeued(Vertx vertx) throws Exception {
    List<Envelope> attack = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      attack.add(metrics("attacker", (1L << 53) + 1));
      attack.add(metrics("attacker", Long.MAX_VALUE));
    }
    attack.add(metrics("attacker", 1));
    long start = System.nanoTime();
    publish(attack.toArray(Envelope[]::new));

    assertEquals(1, ingest(vertx, "attacker", 1).received(), "the valid one behind them is stored");
    long storedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
    List<GetResponse> dead = RabbitBroker.take(admin, Topology.DEAD_QUEUE, 300);
    assertEquals(300, dead.size(), "all dead-lettered");
    assertEquals("seq out of range: must be 1..2^53 (9007199254740992), got 9007199254740993", reason(dead.get(0)));
    assertEquals("seq out of range: must be 1..2^53 (9007199254740992), got 9223372036854775807", reason(dead.get(1)));
    for (GetResponse copy : dead) {
      assertTrue(reason(copy).startsWith("seq out of range: "), reason(copy));
      assertNull(copy.getProps().getHeaders().get("x-delivery-count"), "dead-lettered on its first delivery");
    }
    System.out.printf("300 envelopes with a seq above 2^53 and a valid one: the valid one stored %d ms after publishing began%n", storedMs);
    Meters meters = Meters.of(vertx);
    assertEquals(300, meters.value("mirador_events_rejected_total", Map.of("reason", "invalid")));
    assertEquals(0, meters.value("mirador_events_requeued_total", Map.of()), "never requeued");
    waitForEmpty(Topology.INGEST_QUEUE);
  }

  @Test
  void aDeliveryTheStoreKeepsRefusingIsDeadLetteredAfterTheBound(Vertx vertx) throws Exception {
    // the agent's registry key holds a string, not a hash: Redis answers every write of this agent with WRONGTYPE
    RedisAPI redisAdmin = RedisAPI.api(Redis.createClient(vertx, redis.url()));
    await(redisAdmin.set(List.of(PREFIX + "agent:stuck", "not a hash")));

    publish(metrics("stuck", 1));
    publish(metrics("healthy", 1));

    List<GetResponse> dead = RabbitBroker.take(admin, Topology.DEAD_QUEUE, 1);
    assertEquals(1, dead.size(), "dead-lettered");
    String reason = reason(dead.get(0));
    assertTrue(reason.startsWith("not stored after " + MAX_ATTEMPTS + " attempts: store failed: Redis store write on "), reason);
    assertTrue(reason.contains("WRONGTYPE"), reason);
    assertEquals(MAX_ATTEMPTS - 1L, ((Number) dead.get(0).getProps().getHeaders().get("x-delivery-count")).longValue());
    assertEquals(1, ingest(vertx, "healthy", 1).received(), "the other agent's event is stored meanwhile");

    Meters meters = Meters.of(vertx);
    assertEquals(1, meters.value("mirador_deliveries_poison_total", Map.of()));
    assertEquals(1, meters.value("mirador_events_rejected_total", Map.of("reason", "store_failed")));
    assertEquals(MAX_ATTEMPTS - 1, meters.value("mirador_events_requeued_total", Map.of()));
    waitForEmpty(Topology.INGEST_QUEUE);
    assertEquals(0, RabbitBroker.messageCount(admin, Topology.DEAD_QUEUE));
  }

  @Test
  void whileRedisIsAwayDeliveriesAreRequeuedBeyondTheBoundAndAllStoredOnceItIsBack(Vertx vertx) throws Exception {
    for (long seq = 1; seq <= 10; seq++) {
      publish(metrics("patient", seq));
    }
    assertEquals(10, ingest(vertx, "patient", 10).received());

    redis.kill();
    long killedAt = System.nanoTime();
    for (long seq = 11; seq <= 40; seq++) {
      publish(metrics("patient", seq));
    }
    Meters meters = Meters.of(vertx);
    // each of the 30 comes back more often than the bound allows a failing event
    int requeues = 30 * 2 * MAX_ATTEMPTS;
    Await.condition(Duration.ofSeconds(60), Duration.ofMillis(50),
        () -> meters.value("mirador_events_requeued_total", Map.of()) >= requeues, () -> requeues + " requeues");
    assertEquals(0, RabbitBroker.messageCount(admin, Topology.DEAD_QUEUE), "nothing dead-lettered while Redis is away");

    redis.restart();
    long outageMs = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
    IngestCounters ingest = ingest(vertx, "patient", 40);
    double requeued = meters.value("mirador_events_requeued_total", Map.of());
    System.out.printf("redis away %d ms: %.0f requeues, then all stored: %s%n", outageMs, requeued, ingest);
    assertEquals(40, ingest.received(), "each seq stored once");
    assertEquals(40, ingest.lastSeq());
    assertEquals(0, ingest.gaps());
    waitForEmpty(Topology.INGEST_QUEUE);
    assertEquals(0, RabbitBroker.messageCount(admin, Topology.DEAD_QUEUE));
    assertEquals(0, meters.value("mirador_deliveries_poison_total", Map.of()));
  }

  /** The agent's ingest counters once it has received {@code received} events. */
  private IngestCounters ingest(Vertx vertx, String agent, long received) {
    AgentRegistry store = Stores.shared(vertx, config).registry();
    return Await.until(vertx, received + " events of " + agent + " stored", Duration.ofSeconds(30), Duration.ofMillis(50),
        () -> store.agent(agent).map(record -> record.map(r -> r.ingest()).filter(counters -> counters.received() >= received)));
  }

  private void publish(Envelope... events) throws Exception {
    try (Channel channel = admin.createChannel()) {
      channel.confirmSelect();
      for (Envelope event : events) { // encoded as they are: encoding does not validate
        channel.basicPublish(Topology.INGEST_EXCHANGE, "metrics." + event.agent(), new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
            Wire.standard().encode(event));
      }
      channel.waitForConfirmsOrDie(10_000);
    }
  }

  private void waitForEmpty(String queue) throws InterruptedException {
    Await.condition(Duration.ofSeconds(20), Duration.ofMillis(20), () -> {
      try {
        return RabbitBroker.messageCount(admin, queue) == 0;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, () -> queue + " empty");
  }

  private static String reason(GetResponse dead) {
    return String.valueOf(dead.getProps().getHeaders().get(Topology.REASON_HEADER));
  }
}
