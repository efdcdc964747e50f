package io.mirador.agent;

import static io.mirador.agent.AgentChannelTest.AGENT;
import static io.mirador.agent.AgentChannelTest.await;
import static io.mirador.agent.AgentChannelTest.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Addresses;
import io.mirador.agent.spool.Spool;
import io.mirador.model.AgentInfo;
import io.mirador.model.Envelope;
import io.mirador.model.EnvelopeMessageCodec;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.mirador.model.Wire;
import io.mirador.transport.local.EventBusHubTransport;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent channel merges the metrics events its collectors emit within {@code agent.batch.lingerMs} into one
 * event, bounded in samples and bytes; other events are never held; nothing held is lost on a stop.
 */
@ExtendWith(VertxExtension.class)
class AgentChannelCoalescingTest {

  @TempDir
  Path dataDir;

  private final List<Envelope> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void codec(Vertx vertx) {
    vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeMessageCodec());
  }

  @AfterEach
  void stop(Vertx vertx) {
    await(vertx.close());
  }

  @Test
  void collectorsEventsWithinTheLingerReachTheHubAsOneEvent(Vertx vertx) throws Exception {
    hubUp(vertx);
    deploy(vertx, config(new JsonObject())); // the defaults: 500 ms, 2,000 samples

    List<Sample> sent = new ArrayList<>();
    for (String collector : List.of("cpu", "memory", "load", "disk", "network", "uptime", "filesystem", "process")) {
      Envelope event = collectorEvent(collector, 10);
      sent.addAll(event.body(MetricsBatch.class).samples());
      vertx.eventBus().send(Addresses.agentOutbox(AGENT), event);
    }

    waitUntil(() -> !received.isEmpty(), "the merged event at the hub");
    Envelope merged = received.get(0);
    assertEquals(1L, merged.seq(), "one event, one number");
    assertEquals(sent, merged.body(MetricsBatch.class).samples(), "every sample, in the order the collectors sent them");
    assertEquals(1, received.size());
    assertEquals(7L, counter(vertx, "metrics_coalesced"), "seven events merged away, reported in the heartbeat");
  }

  @Test
  void aFullBatchLeavesAtOnceAndTheRestFollowsAfterTheLinger(Vertx vertx) throws Exception {
    hubUp(vertx);
    deploy(vertx, config(new JsonObject().put("lingerMs", 60_000).put("maxSamples", 25)));

    for (int i = 0; i < 6; i++) {
      vertx.eventBus().send(Addresses.agentOutbox(AGENT), collectorEvent("c" + i, 10));
    }
    // 10 + 10 fit, the third would pass 25: 20 leave, 20 leave, and 20 wait for the (long) linger
    waitUntil(() -> received.size() == 2, "the two full batches, long before the linger ends");
    assertEquals(List.of(20, 20), sizes());
  }

  @Test
  void bytesBoundTheBatchAsWellAsSamples(Vertx vertx) throws Exception {
    hubUp(vertx);
    // a sample with a 100-character tag value counts 96 + 12 + 6 + 4 + 600 bytes: two fit in 1,500, a third does not
    deploy(vertx, config(new JsonObject().put("lingerMs", 60_000).put("maxBytes", 1_500)));
    long now = System.currentTimeMillis();
    for (int i = 0; i < 5; i++) {
      Sample wide = Sample.of("disk.used_pct", Map.of("path", "p".repeat(100)), i, now);
      vertx.eventBus().send(Addresses.agentOutbox(AGENT), Envelope.of(EventType.METRICS, AGENT, 0, now, new MetricsBatch(List.of(wide))));
    }
    waitUntil(() -> received.size() == 2, "two batches of two");
    assertEquals(List.of(2, 2), sizes());
    assertTrue(MetricsCoalescer.estimatedBytes(received.get(0).body(MetricsBatch.class).samples())
        >= Wire.standard().encode(received.get(0)).length - 200, "the estimate bounds the samples' JSON");
  }

  @Test
  void otherEventsAreNotHeldByAPendingLinger(Vertx vertx) throws Exception {
    hubUp(vertx);
    deploy(vertx, config(new JsonObject().put("lingerMs", 60_000)));
    vertx.eventBus().send(Addresses.agentOutbox(AGENT), collectorEvent("cpu", 5));
    vertx.eventBus().send(Addresses.agentOutbox(AGENT), Envelope.of(EventType.HEARTBEAT, AGENT, 0, System.currentTimeMillis(),
        new AgentInfo(AGENT, "host", List.of(), "linux", "test", false, 1, 10, Map.of(), List.of())));

    waitUntil(() -> received.stream().anyMatch(event -> event.type() == EventType.HEARTBEAT), "the heartbeat, at once");
    assertTrue(received.stream().noneMatch(event -> event.type() == EventType.METRICS), "the metrics wait for their linger");
  }

  @Test
  void withNoLingerEveryEventGoesAsItCame(Vertx vertx) throws Exception {
    hubUp(vertx);
    deploy(vertx, config(new JsonObject().put("lingerMs", 0)));
    for (int i = 0; i < 5; i++) {
      vertx.eventBus().send(Addresses.agentOutbox(AGENT), collectorEvent("c" + i, 3));
    }
    waitUntil(() -> received.size() == 5, "five events");
    assertEquals(List.of(3, 3, 3, 3, 3), sizes());
  }

  @Test
  void whatIsHeldAtAStopIsSpooledAndSentAfterTheRestart(Vertx vertx) throws Exception {
    String first = deploy(vertx, config(new JsonObject().put("lingerMs", 60_000)));
    vertx.eventBus().send(Addresses.agentOutbox(AGENT), collectorEvent("cpu", 4));
    vertx.eventBus().send(Addresses.agentOutbox(AGENT), collectorEvent("memory", 3));
    // the event bus delivers in order: once a heartbeat sent after them is spooled, the metrics are held
    vertx.eventBus().send(Addresses.agentOutbox(AGENT), Envelope.of(EventType.HEARTBEAT, AGENT, 0, System.currentTimeMillis(),
        new AgentInfo(AGENT, "host", List.of(), "linux", "test", false, 1, 10, Map.of(), List.of())));
    waitUntil(() -> AgentChannelTest.spooledBytes(dataDir) > 0, "the heartbeat in the write-ahead spool");
    await(vertx.undeploy(first));
    try (Spool spool = Spool.open(dataDir.resolve("spool"), 1 << 20, 1 << 16)) {
      assertEquals(2, spool.stats().events(), "the heartbeat and the merged metrics, on disk");
    }

    hubUp(vertx);
    deploy(vertx, config(new JsonObject().put("lingerMs", 60_000)));
    waitUntil(() -> received.stream().anyMatch(event -> event.type() == EventType.METRICS), "the held samples, after the restart");
    assertEquals(List.of(7), sizes());
  }

  @Test
  void badSettingsAreRefusedWithTheKeyNamed(Vertx vertx) {
    for (JsonObject bad : List.of(new JsonObject().put("lingerMs", -1), new JsonObject().put("lingerMs", "soon"),
        new JsonObject().put("maxSamples", 10_001), new JsonObject().put("maxSamples", 0), new JsonObject().put("maxBytes", 0))) {
      Throwable refused = vertx.deployVerticle(new AgentChannelVerticle(), new DeploymentOptions().setConfig(config(bad)))
          .toCompletionStage().toCompletableFuture().handle((id, e) -> e).join();
      assertTrue(refused != null && String.valueOf(refused.getMessage()).contains("agent.batch."), bad + " → " + refused);
    }
  }

  // ---- helpers

  private JsonObject config(JsonObject batch) {
    JsonObject config = AgentChannelTest.config(dataDir);
    config.getJsonObject("agent").put("batch", batch);
    return config;
  }

  private String deploy(Vertx vertx, JsonObject config) {
    return await(vertx.deployVerticle(new AgentChannelVerticle(), new DeploymentOptions().setConfig(config)));
  }

  private void hubUp(Vertx vertx) {
    EventBusHubTransport hub = new EventBusHubTransport(vertx);
    await(hub.consume(delivery -> {
      received.add(Wire.standard().decode(delivery.body()));
      delivery.ack();
    }));
  }

  private static Envelope collectorEvent(String collector, int samples) {
    long now = System.currentTimeMillis();
    return Envelope.of(EventType.METRICS, AGENT, 0, now, new MetricsBatch(IntStream.range(0, samples)
        .mapToObj(i -> Sample.of(collector + ".m" + i, i, now)).toList()));
  }

  private List<Integer> sizes() {
    return received.stream().filter(event -> event.type() == EventType.METRICS)
        .map(event -> event.body(MetricsBatch.class).samples().size()).toList();
  }

  /** A counter as the channel reports it: in the counters of the next heartbeat it forwards. */
  private long counter(Vertx vertx, String name) throws InterruptedException {
    vertx.eventBus().send(Addresses.agentOutbox(AGENT), Envelope.of(EventType.HEARTBEAT, AGENT, 0, System.currentTimeMillis(),
        new AgentInfo(AGENT, "host", List.of(), "linux", "test", false, 1, 10, Map.of(), List.of())));
    waitUntil(() -> received.stream().anyMatch(event -> event.type() == EventType.HEARTBEAT), "a heartbeat");
    return received.stream().filter(event -> event.type() == EventType.HEARTBEAT).findFirst().orElseThrow()
        .body(AgentInfo.class).counters().getOrDefault(name, 0L);
  }
}
