package io.mirador.transport.rabbitmq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mirador.model.Command;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.mirador.model.Wire;
import io.mirador.transport.HubTransport;
import io.mirador.transport.TransportStatus;
import io.mirador.transport.UndeliverableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Agent and hub transports against the real broker, in a vhost of their own. */
@ExtendWith(VertxExtension.class)
class RabbitTransportTest {

  private static String vhost;
  private static Connection admin;
  /** Run last-registered first, so a transport closes before the proxy it goes through. */
  private final java.util.Deque<Runnable> cleanups = new java.util.ArrayDeque<>();

  @BeforeAll
  static void createVhost() throws Exception {
    vhost = RabbitBroker.createVhost("transport");
    admin = RabbitBroker.connect(vhost);
  }

  @AfterAll
  static void deleteVhost() throws Exception {
    admin.close();
    RabbitBroker.deleteVhost(vhost);
  }

  @BeforeEach
  void emptyQueues() throws Exception {
    RabbitBroker.purge(admin, Topology.INGEST_QUEUE);
    RabbitBroker.purge(admin, Topology.DEAD_QUEUE);
  }

  @AfterEach
  void closeTransports() {
    cleanups.forEach(Runnable::run);
  }

  @Test
  void bothSidesDeclareTheTopologyOfTheDesign(Vertx vertx) throws Exception {
    hub(vertx, RabbitBroker.url(vhost), delivery -> delivery.ack());
    agent(vertx, RabbitBroker.url(vhost), "topology-1");

    Map<String, JsonObject> queues = byName(RabbitBroker.ctl("list_queues", "-q", "-p", vhost, "name", "type", "durable", "arguments", "--formatter", "json"));
    JsonObject ingest = queues.get(Topology.INGEST_QUEUE);
    assertEquals("quorum", ingest.getString("type"));
    assertTrue(ingest.encode().contains(Topology.DEAD_LETTER_EXCHANGE), "ingest dead-letters to mirador.dlx: " + ingest);
    assertTrue(queues.get(Topology.DEAD_QUEUE).getBoolean("durable"));
    JsonObject agentQueue = queues.get("mirador.agent.topology-1");
    assertTrue(agentQueue.getBoolean("durable"));
    assertTrue(agentQueue.encode().contains("3600000"), "command TTL of an hour: " + agentQueue);

    Map<String, JsonObject> exchanges = byName(RabbitBroker.ctl("list_exchanges", "-q", "-p", vhost, "name", "type", "durable", "--formatter", "json"));
    assertEquals("topic", exchanges.get(Topology.INGEST_EXCHANGE).getString("type"));
    assertEquals("direct", exchanges.get(Topology.AGENTS_EXCHANGE).getString("type"));
    assertEquals("fanout", exchanges.get(Topology.DEAD_LETTER_EXCHANGE).getString("type"));
    exchanges.values().forEach(exchange -> assertTrue(exchange.getBoolean("durable"), exchange::encode));

    Map<String, JsonObject> health = TransportStatus.of(vertx).checks();
    assertEquals("UP", health.get("rabbitmq").getString("status"), health::toString);
    assertEquals(3, health.get("rabbitmq").getInteger("connections"), "hub consume + hub publish + agent");
  }

  @Test
  void eventsGoFromAgentThroughTheBrokerToTheHubAndAreAcked(Vertx vertx) throws Exception {
    Set<Long> received = ConcurrentHashMap.newKeySet();
    Set<String> routingKeys = ConcurrentHashMap.newKeySet();
    hub(vertx, RabbitBroker.url(vhost), delivery -> {
      Envelope event = Wire.standard().decode(delivery.body());
      received.add(event.seq());
      delivery.ack();
    });
    RabbitAgentTransport agent = agent(vertx, RabbitBroker.url(vhost), "round-trip");

    List<Future<Void>> confirms = new ArrayList<>();
    for (long seq = 1; seq <= 500; seq++) {
      confirms.add(agent.publish(metrics("round-trip", seq)));
    }
    await(Future.all(confirms));

    waitUntil(() -> received.size() == 500, "all 500 events at the hub");
    assertEquals(LongStream.rangeClosed(1, 500).boxed().collect(Collectors.toSet()), received);
    waitUntil(() -> count(Topology.INGEST_QUEUE) == 0, "acked events leave the queue");
    assertEquals(0, count(Topology.DEAD_QUEUE));
  }

  @Test
  void aPublishSucceedsOnlyOnceTheBrokerConfirmedItAndFailsWhenTheConnectionDropsFirst(Vertx vertx) throws Exception {
    TcpProxy proxy = new TcpProxy(vertx, RabbitBroker.HOST, RabbitBroker.PORT);
    int port = await(proxy.start());
    cleanups.push(() -> await(proxy.close()));
    RabbitAgentTransport agent = agent(vertx, RabbitBroker.url("127.0.0.1", port, vhost), "confirms");
    assertTrue(agent.connected());

    // the broker's confirms are held back: nothing may complete
    await(proxy.holdDownstream(true));
    List<Future<Void>> held = publishMany(agent, "confirms", 1, 50);
    Thread.sleep(500);
    assertTrue(held.stream().noneMatch(Future::isComplete), "no publish completes without its confirm");
    assertEquals(50, agent.unconfirmed());

    // released: every one of them is confirmed
    await(proxy.holdDownstream(false));
    await(Future.all(held));
    assertEquals(0, agent.unconfirmed());

    // held again, then the connection drops: every publish fails, none is taken for sent
    await(proxy.holdDownstream(true));
    List<Future<Void>> dropped = publishMany(agent, "confirms", 51, 100);
    waitUntil(() -> agent.unconfirmed() == 50, "50 messages written, waiting for their confirm");
    await(proxy.cut());
    await(proxy.holdDownstream(false));
    await(Future.join(dropped).otherwiseEmpty());
    for (Future<Void> publish : dropped) {
      assertTrue(publish.failed(), "a publish whose confirm never came fails");
      assertInstanceOf(PublishFailedException.class, publish.cause());
    }

    // the transport reconnects by itself and publishes again
    waitUntil(agent::connected, "reconnected");
    await(agent.publish(metrics("confirms", 101)));
    // 50 + 50 (those written before the drop reached the queue anyway: duplicates are the store's business) + 1
    waitUntil(() -> count(Topology.INGEST_QUEUE) >= 51, "confirmed messages are in the queue");
  }

  @Test
  void aConfirmThatComesTooLateFailsThePublish(Vertx vertx) throws Exception {
    TcpProxy proxy = new TcpProxy(vertx, RabbitBroker.HOST, RabbitBroker.PORT);
    int port = await(proxy.start());
    cleanups.push(() -> await(proxy.close()));
    JsonObject config = RabbitBroker.config(RabbitBroker.url("127.0.0.1", port, vhost));
    config.getJsonObject("transport").getJsonObject("amqp").put("confirmTimeoutMs", 300);
    RabbitAgentTransport agent = track(new RabbitAgentTransport(vertx, AmqpSettings.of(config), "late-confirms"));
    await(agent.onCommand(command -> { }));

    await(proxy.holdDownstream(true));
    long start = System.nanoTime();
    Future<Void> late = agent.publish(metrics("late-confirms", 1));
    await(late.otherwiseEmpty());
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(late.failed());
    assertTrue(late.cause().getMessage().contains("no confirm"), late.cause().getMessage());
    assertTrue(waitedMs >= 300 && waitedMs < 3_000, "failed after the timeout, waited " + waitedMs + " ms");
  }

  @Test
  void whileTheBrokerCannotBeReachedPublishFailsAtOnce(Vertx vertx) throws Exception {
    TcpProxy proxy = new TcpProxy(vertx, RabbitBroker.HOST, RabbitBroker.PORT);
    int port = await(proxy.start());
    cleanups.push(() -> await(proxy.close()));
    await(proxy.refuse(true));
    RabbitAgentTransport agent = agent(vertx, RabbitBroker.url("127.0.0.1", port, vhost), "unreachable");

    assertFalse(agent.connected());
    Future<Void> publish = agent.publish(metrics("unreachable", 1));
    await(publish.otherwiseEmpty());
    assertTrue(publish.failed());
    assertInstanceOf(PublishFailedException.class, publish.cause());
    assertEquals("DOWN", TransportStatus.of(vertx).checks().get("rabbitmq").getString("status"));

    await(proxy.refuse(false));
    waitUntil(agent::connected, "connected once the broker can be reached");
    await(agent.publish(metrics("unreachable", 2)));
  }

  @Test
  void anIngestQueueDeletedUnderALiveConnectionFailsThePublishAndIsDeclaredAgain(Vertx vertx) throws Exception {
    RabbitAgentTransport agent = agent(vertx, RabbitBroker.url(vhost), "healing");
    try (Channel channel = admin.createChannel()) {
      channel.queueDelete(Topology.INGEST_QUEUE);
    }

    Future<Void> unroutable = agent.publish(metrics("healing", 1));
    await(unroutable.otherwiseEmpty());
    assertTrue(unroutable.failed(), "confirmed by the broker but routed nowhere: not taken for sent");
    assertTrue(unroutable.cause().getMessage().startsWith("unroutable"), unroutable.cause().getMessage());

    waitUntil(() -> count(Topology.INGEST_QUEUE) >= 0, "the queue is back");
    await(agent.publish(metrics("healing", 2)));
    assertEquals(1, count(Topology.INGEST_QUEUE));
  }

  @Test
  void anOversizeEventIsUndeliverableOnTheAgent(Vertx vertx) throws Exception {
    JsonObject config = RabbitBroker.config(RabbitBroker.url(vhost));
    config.getJsonObject("transport").getJsonObject("amqp").put("maxMessageBytes", 200);
    RabbitAgentTransport agent = track(new RabbitAgentTransport(vertx, AmqpSettings.of(config), "oversize"));
    await(agent.onCommand(command -> { }));

    Future<Void> publish = agent.publish(metrics("oversize", 1, 50));
    await(publish.otherwiseEmpty());
    assertInstanceOf(UndeliverableException.class, publish.cause());
  }

  @Test
  void aRejectedDeliveryIsKeptInTheDeadQueueWithItsReason(Vertx vertx) throws Exception {
    hub(vertx, RabbitBroker.url(vhost), delivery -> delivery.reject("not JSON: Unexpected character ('n')"));
    byte[] body = "not an envelope".getBytes(StandardCharsets.UTF_8);
    publishRaw("metrics.bad-agent", body);

    GetResponse dead = waitForMessage(Topology.DEAD_QUEUE);
    assertArrayEquals(body, dead.getBody());
    Map<String, Object> headers = dead.getProps().getHeaders();
    assertEquals("not JSON: Unexpected character ('n')", String.valueOf(headers.get(Topology.REASON_HEADER)));
    assertEquals("metrics.bad-agent", String.valueOf(headers.get(Topology.ROUTING_KEY_HEADER)));
    assertNotNull(headers.get(Topology.REJECTED_AT_HEADER));
    waitUntil(() -> count(Topology.INGEST_QUEUE) == 0, "the rejected original is gone from the ingest queue");
  }

  @Test
  void aRequeuedDeliveryComesBackAfterTheDelayWithItsCount(Vertx vertx) throws Exception {
    List<Long> deliveredAt = new CopyOnWriteArrayList<>();
    List<Long> redeliveries = new CopyOnWriteArrayList<>();
    hub(vertx, RabbitBroker.url(vhost), delivery -> {
      deliveredAt.add(System.nanoTime());
      redeliveries.add(delivery.redeliveries());
      if (deliveredAt.size() < 3) {
        delivery.requeue("store down");
      } else {
        delivery.ack();
      }
    });
    publishRaw("metrics.requeue", Wire.standard().encode(metrics("requeue", 1)));

    waitUntil(() -> deliveredAt.size() == 3, "delivered again after each requeue");
    long gapMs = TimeUnit.NANOSECONDS.toMillis(deliveredAt.get(1) - deliveredAt.get(0));
    assertTrue(gapMs >= 150, "requeue waits about requeueDelayMs (200) first, waited " + gapMs);
    assertEquals(List.of(0L, 1L, 2L), redeliveries, "the quorum queue counts the returns (x-delivery-count)");
    waitUntil(() -> count(Topology.INGEST_QUEUE) == 0, "acked on the third delivery");
    assertEquals(0, count(Topology.DEAD_QUEUE));
  }

  @Test
  void aCommandGoesFromHubToItsAgentThroughTheAgentsExchange(Vertx vertx) throws Exception {
    RabbitHubTransport hub = hub(vertx, RabbitBroker.url(vhost), delivery -> delivery.ack());
    List<Envelope> commands = new CopyOnWriteArrayList<>();
    agent(vertx, RabbitBroker.url(vhost), "commanded", commands::add);
    List<Envelope> strayed = new CopyOnWriteArrayList<>();
    agent(vertx, RabbitBroker.url(vhost), "bystander", strayed::add);

    Envelope command = Envelope.of(EventType.JOB, "commanded", 7, System.currentTimeMillis(),
        new Command("job-1", JsonNodeFactory.instance.objectNode().put("script", "uptime")));
    await(hub.sendToAgent("commanded", command));

    waitUntil(() -> commands.size() == 1, "the agent got its command");
    assertEquals(command, commands.get(0));
    waitUntil(() -> count("mirador.agent.commanded") == 0, "acked after it was handed over");
    assertTrue(strayed.isEmpty(), "another agent gets nothing");

    Future<Void> nobody = hub.sendToAgent("never-connected", command);
    await(nobody.otherwiseEmpty());
    assertTrue(nobody.failed(), "a command no queue takes fails instead of vanishing");
    assertTrue(nobody.cause().getMessage().contains("unroutable"), nobody.cause().getMessage());
  }

  // ---- helpers

  private RabbitHubTransport hub(Vertx vertx, String url, io.vertx.core.Handler<HubTransport.Delivery> handler) {
    RabbitHubTransport hub = new RabbitHubTransport(vertx, AmqpSettings.of(RabbitBroker.config(url)));
    cleanups.push(() -> await(hub.close()));
    await(hub.consume(handler));
    return hub;
  }

  private RabbitAgentTransport agent(Vertx vertx, String url, String id) {
    return agent(vertx, url, id, command -> { });
  }

  private RabbitAgentTransport agent(Vertx vertx, String url, String id, io.vertx.core.Handler<Envelope> commands) {
    RabbitAgentTransport agent = track(new RabbitAgentTransport(vertx, AmqpSettings.of(RabbitBroker.config(url)), id));
    await(agent.onCommand(commands));
    return agent;
  }

  private RabbitAgentTransport track(RabbitAgentTransport agent) {
    cleanups.push(() -> await(agent.close()));
    return agent;
  }

  private static List<Future<Void>> publishMany(RabbitAgentTransport agent, String id, long from, long to) {
    List<Future<Void>> publishes = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      publishes.add(agent.publish(metrics(id, seq)));
    }
    return publishes;
  }

  static Envelope metrics(String agent, long seq) {
    return metrics(agent, seq, 1);
  }

  static Envelope metrics(String agent, long seq, int samples) {
    long now = System.currentTimeMillis();
    List<Sample> batch = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      batch.add(Sample.of("cpu.usage", Map.of("cpu", String.valueOf(i)), seq, now));
    }
    return Envelope.of(EventType.METRICS, agent, seq, now, new MetricsBatch(batch));
  }

  private static void publishRaw(String routingKey, byte[] body) throws Exception {
    Channel channel = admin.createChannel();
    try {
      channel.confirmSelect();
      channel.basicPublish(Topology.INGEST_EXCHANGE, routingKey, new AMQP.BasicProperties.Builder().deliveryMode(2).build(), body);
      channel.waitForConfirmsOrDie(5_000);
    } finally {
      channel.close();
    }
  }

  private static GetResponse waitForMessage(String queue) throws Exception {
    List<GetResponse> taken = RabbitBroker.take(admin, queue, 1);
    if (taken.isEmpty()) {
      throw new AssertionError("no message in " + queue);
    }
    return taken.get(0);
  }

  /** Messages in the queue; -1 while it does not exist. */
  private static long count(String queue) {
    try {
      return RabbitBroker.messageCount(admin, queue);
    } catch (java.io.IOException e) {
      return -1;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, JsonObject> byName(String json) {
    return new JsonArray(json).stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(entry -> entry.getString("name"), entry -> entry));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not succeed: " + e, e);
    }
  }

  static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    io.mirador.testing.Await.condition(java.time.Duration.ofSeconds(20), java.time.Duration.ofMillis(20), condition, () -> what);
  }
}
