package io.mirador.agent;

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
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The agent's channel on the event-bus transport (standalone): numbering, window, spool while the hub is away. */
@ExtendWith(VertxExtension.class)
class AgentChannelTest {

  static final String AGENT = "channel-test";

  @TempDir
  Path dataDir;

  private final List<Envelope> received = new CopyOnWriteArrayList<>();
  private EventBusHubTransport hub;

  @BeforeEach
  void codec(Vertx vertx) {
    vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeMessageCodec());
  }

  /** The channel writes its spool when it stops: it must be stopped before the temporary directory goes. */
  @AfterEach
  void stop(Vertx vertx) {
    await(vertx.close());
  }

  @Test
  void eventsAreNumberedAndReachTheHubInOrder(Vertx vertx) throws Exception {
    hubUp(vertx);
    deploy(vertx, config(dataDir));

    send(vertx, 300);

    waitUntil(() -> received.size() == 300, "300 events at the hub");
    assertEquals(LongStream.rangeClosed(1, 300).boxed().toList(), seqs(), "numbered 1.. and delivered in order");
  }

  @Test
  void whileTheHubIsAwayEventsAreSpooledThenReplayedInOrderBeforeNewOnes(Vertx vertx) throws Exception {
    deploy(vertx, config(dataDir));
    send(vertx, 200);
    waitUntil(() -> spooledBytes(dataDir) > 0, "events written to the spool");

    hubUp(vertx);
    waitUntil(() -> distinctSeqs().size() == 200, "the spool replayed");
    send(vertx, 100);

    waitUntil(() -> distinctSeqs().size() == 300, "new events after the replay");
    assertEquals(LongStream.rangeClosed(1, 300).boxed().toList(), new ArrayList<>(distinctSeqs()),
        "first arrivals in seq order: the spool before what came after");
    waitUntil(() -> spooledBytes(dataDir) == 0, "a replayed spool gives its space back");
  }

  @Test
  void unconfirmedEventsSurviveAnAgentRestart(Vertx vertx) throws Exception {
    String first = deploy(vertx, config(dataDir));
    send(vertx, 50);
    waitUntil(() -> spooledBytes(dataDir) > 0, "events written to the spool");
    await(vertx.undeploy(first));
    try (Spool spool = Spool.open(dataDir.resolve("spool"), 1 << 20, 1 << 16)) {
      assertEquals(50, spool.stats().events(), "every unconfirmed event is on disk after the stop");
    }

    hubUp(vertx);
    deploy(vertx, config(dataDir));
    waitUntil(() -> distinctSeqs().size() == 50, "replayed after the restart");
    send(vertx, 1);
    waitUntil(() -> distinctSeqs().contains(51L), "numbering goes on where it stopped");
    assertEquals(LongStream.rangeClosed(1, 51).boxed().toList(), new ArrayList<>(distinctSeqs()));
  }

  @Test
  void spoolEvictionIsCountedInTheHeartbeat(Vertx vertx) throws Exception {
    JsonObject config = config(dataDir);
    // spooling after a failed publish (writeAhead false), so the publish failures precede the heartbeat for sure
    config.getJsonObject("agent").put("spool", new JsonObject().put("maxBytes", 8 * 1024).put("segmentBytes", 2 * 1024)
        .put("writeAhead", false));
    deploy(vertx, config);
    send(vertx, 300);
    waitUntil(() -> spooledBytes(dataDir) > 6 * 1024, "the spool filled up");
    vertx.eventBus().send(Addresses.agentOutbox(AGENT), Envelope.of(EventType.HEARTBEAT, AGENT, 0, System.currentTimeMillis(),
        new AgentInfo(AGENT, "host", List.of(), "linux", "test", false, 1, 10, Map.of("collector_errors", 2L), List.of())));

    hubUp(vertx);
    waitUntil(() -> received.stream().anyMatch(event -> event.type() == EventType.HEARTBEAT), "the heartbeat arrived");
    Map<String, Long> counters = received.stream().filter(event -> event.type() == EventType.HEARTBEAT).findFirst()
        .orElseThrow().body(AgentInfo.class).counters();
    assertTrue(counters.get("spool_evicted_events") > 0, counters::toString);
    assertTrue(counters.get("spool_evicted_bytes") > 0, counters::toString);
    assertTrue(counters.get("spool_appended") >= 300, counters::toString);
    assertTrue(counters.get("publish_failures") > 0, counters::toString);
    assertEquals(2L, counters.get("collector_errors"), "the heartbeat's own counters are kept");
    // the oldest were evicted; the rest arrive in order, ending with the heartbeat
    List<Long> seqs = new ArrayList<>(distinctSeqs());
    long oldestKept = seqs.get(0);
    assertEquals(LongStream.rangeClosed(oldestKept, 301).boxed().toList(), seqs);
    assertTrue(oldestKept > counters.get("spool_evicted_events"), "at least the counted ones are missing");
  }

  @Test
  void aSpoolAheadOfTheSequenceFileWinsAtStart(Vertx vertx) throws Exception {
    // as if killed after a write-ahead append and before the sequence file caught up: spool holds 1..10, file says 5
    java.nio.file.Files.createDirectories(dataDir);
    java.nio.file.Files.writeString(dataDir.resolve("seq"), "5\n");
    try (Spool spool = Spool.open(dataDir.resolve("spool"), 1 << 20, 1 << 16)) {
      List<byte[]> records = new ArrayList<>();
      for (int seq = 1; seq <= 10; seq++) {
        Envelope event = metrics(AGENT, seq);
        records.add(Wire.standard().encode(new Envelope(event.v(), event.type(), AGENT, seq, event.ts(), event.body())));
      }
      spool.append(records);
    }
    hubUp(vertx);
    deploy(vertx, config(dataDir));
    send(vertx, 1);
    waitUntil(() -> distinctSeqs().size() == 11, "the spool replayed and one new event");
    assertEquals(LongStream.rangeClosed(1, 11).boxed().toList(), new ArrayList<>(distinctSeqs()), "numbering goes on above the spool");
  }

  // ---- helpers

  static JsonObject config(Path dataDir) {
    return new JsonObject().put("agent", new JsonObject()
        .put("id", AGENT)
        .put("dataDir", dataDir.toString())
        .put("outbox", new JsonObject().put("maxEvents", 10_000).put("maxInFlight", 16))
        // the channel's mechanics, against a bare hub transport with no one to enroll with
        .put("enroll", new JsonObject().put("enabled", false))
        .put("batch", new JsonObject().put("lingerMs", 0))); // numbering and spooling of events as sent, unmerged
  }

  private String deploy(Vertx vertx, JsonObject config) {
    return await(vertx.deployVerticle(new AgentChannelVerticle(), new DeploymentOptions().setConfig(config)));
  }

  private void hubUp(Vertx vertx) {
    hub = new EventBusHubTransport(vertx);
    await(hub.consume(delivery -> {
      received.add(Wire.standard().decode(delivery.body()));
      delivery.ack();
    }));
  }

  static void send(Vertx vertx, int count) {
    for (int i = 0; i < count; i++) {
      vertx.eventBus().send(Addresses.agentOutbox(AGENT), metrics(AGENT, i));
    }
  }

  static Envelope metrics(String agent, int i) {
    long now = System.currentTimeMillis();
    return Envelope.of(EventType.METRICS, agent, 0, now, new MetricsBatch(List.of(Sample.of("cpu.usage", Map.of("cpu", "total"), i, now))));
  }

  private List<Long> seqs() {
    return received.stream().map(Envelope::seq).toList();
  }

  /** Seqs in the order they first arrived. */
  private LinkedHashSet<Long> distinctSeqs() {
    return received.stream().map(Envelope::seq).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  static long spooledBytes(Path dataDir) {
    try (var files = java.nio.file.Files.list(dataDir.resolve("spool"))) {
      return files.filter(path -> path.toString().endsWith(".seg")).mapToLong(path -> path.toFile().length()).sum();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not succeed: " + e, e);
    }
  }

  static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    waitUntil(condition, what, 20);
  }

  static void waitUntil(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
    io.mirador.testing.Await.condition(java.time.Duration.ofSeconds(seconds), java.time.Duration.ofMillis(20), condition, () -> what);
  }
}
