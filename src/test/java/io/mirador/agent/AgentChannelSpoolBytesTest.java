package io.mirador.agent;

import static io.mirador.agent.AgentChannelTest.await;
import static io.mirador.agent.AgentChannelTest.spooledBytes;
import static io.mirador.agent.AgentChannelTest.waitUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.mirador.Addresses;
import io.mirador.model.AgentInfo;
import io.mirador.model.Envelope;
import io.mirador.model.EnvelopeMessageCodec;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.mirador.model.Wire;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.mirador.transport.rabbitmq.TcpProxy;
import io.mirador.transport.rabbitmq.Topology;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent encodes each event once: the bytes in its write-ahead spool are the bytes that reach the broker, both
 * while it runs and when it replays a spool it finds at start, including one written by an earlier version (the
 * format did not change: {@code [length][CRC-32C][encoded envelope]}). Real RabbitMQ, in a vhost of its own; the
 * messages are read off {@code mirador.ingest} as they are, with no hub in between.
 */
@ExtendWith(VertxExtension.class)
class AgentChannelSpoolBytesTest {

  private static final String AGENT = "bytes-test";
  private static String vhost;
  private static Connection admin;

  @TempDir
  Path dataDir;

  @BeforeAll
  static void createVhost() throws Exception {
    vhost = RabbitBroker.createVhost("spool-bytes");
    admin = RabbitBroker.connect(vhost);
  }

  @AfterAll
  static void deleteVhost() throws Exception {
    admin.close();
    RabbitBroker.deleteVhost(vhost);
  }

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    vertx.eventBus().registerDefaultCodec(Envelope.class, new EnvelopeMessageCodec());
    RabbitBroker.purge(admin, Topology.INGEST_QUEUE);
  }

  /** The channel writes its spool when it stops: it must be stopped before the temporary directory goes. */
  @AfterEach
  void stop(Vertx vertx) {
    await(vertx.close());
  }

  @Test
  void theBytesPublishedAreTheBytesInTheSpool(Vertx vertx) throws Exception {
    TcpProxy proxy = new TcpProxy(vertx, RabbitBroker.HOST, RabbitBroker.PORT);
    int port = await(proxy.start());
    JsonObject config = config(RabbitBroker.url("127.0.0.1", port, vhost));
    deploy(vertx, config);
    send(vertx, metrics(1));
    assertEquals(1, RabbitBroker.take(admin, Topology.INGEST_QUEUE, 1).size(), "the agent publishes");
    waitUntil(() -> spooledBytes(dataDir) == 0, "the first event confirmed and out of the spool");

    // the broker's confirms are held back: what the agent published stays in its spool, unconfirmed
    await(proxy.holdDownstream(true));
    List<Envelope> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      events.add(metrics(1 + i * 7)); // 1 to 204 samples
    }
    events.add(heartbeat()); // carries the channel's counters, merged in before it is encoded
    events.add(metrics(2_000));
    events.forEach(event -> send(vertx, event));
    waitUntil(() -> queued() == events.size(), events.size() + " messages in the queue");

    List<byte[]> spooled = spooledPayloads(dataDir.resolve("spool"));
    List<GetResponse> published = RabbitBroker.take(admin, Topology.INGEST_QUEUE, events.size());
    assertEquals(events.size(), spooled.size(), "every published event is in the spool, unconfirmed");
    assertEquals(events.size(), published.size());
    for (int i = 0; i < events.size(); i++) {
      assertArrayEquals(spooled.get(i), published.get(i).getBody(), "message " + i + " is the spooled record, byte for byte");
      Envelope event = Wire.standard().decode(published.get(i).getBody());
      assertEquals(i + 2, event.seq(), "in seq order");
      assertEquals(event.type().wireName() + "." + AGENT, published.get(i).getEnvelope().getRoutingKey());
      assertEquals(event.type().wireName(), published.get(i).getProps().getType());
      assertEquals(event.ts() / 1000, published.get(i).getProps().getTimestamp().getTime() / 1000, "AMQP timestamps are in seconds");
    }

    await(proxy.holdDownstream(false));
    waitUntil(() -> spooledBytes(dataDir) == 0, "confirmed, the spool gives its space back");
  }

  @Test
  void aSpoolFoundAtStartIsPublishedAsItIsEvenFromAnEarlierVersion(Vertx vertx) throws Exception {
    // a segment as an agent wrote it before this change: records of Wire-encoded envelopes, framed by hand here
    List<byte[]> records = new ArrayList<>();
    for (long seq = 1; seq <= 5; seq++) {
      records.add(Wire.standard().encode(Envelope.of(EventType.METRICS, AGENT, seq, 1_763_712_000_000L + seq,
          new MetricsBatch(List.of(Sample.of("cpu.usage", Map.of("cpu", "total"), seq, 1_763_712_000_000L))))));
    }
    // another writer's layout of a valid envelope (body first, spaces): the bytes leave as they are, not re-encoded
    records.set(2, ("{ \"body\": {\"samples\": [{\"name\": \"cpu.usage\", \"value\": 3, \"ts\": 1763712000000}]},\n"
        + "  \"v\": 1, \"type\": \"metrics\", \"agent\": \"bytes-test\", \"seq\": 3, \"ts\": 1763712000003 }").getBytes(StandardCharsets.UTF_8));
    Wire.standard().decode(records.get(2)); // valid: the hub takes it
    records.add(Wire.standard().encode(Envelope.of(EventType.HEARTBEAT, AGENT, 6, 1_763_712_000_006L,
        new AgentInfo(AGENT, "host", List.of(), "linux", "0.0.9", false, 1, 10, Map.of("published", 12L), List.of()))));
    byte[] unreadable = "{\"v\":1,\"type\":\"no-such-type\",\"agent\":\"bytes-test\",\"seq\":7,\"ts\":1,\"body\":{}}"
        .getBytes(StandardCharsets.UTF_8);
    // the agent reads the head only; the body is the hub's to judge (it dead-letters this one with its reason)
    byte[] badBody = "{\"v\":1,\"type\":\"metrics\",\"agent\":\"bytes-test\",\"seq\":8,\"ts\":1763712000008,\"body\":{\"samples\":\"none\"}}"
        .getBytes(StandardCharsets.UTF_8);
    Files.createDirectories(dataDir.resolve("spool"));
    Files.write(dataDir.resolve("spool").resolve("00000000000000000001.seg"), frames(records, unreadable, badBody));

    deploy(vertx, config(RabbitBroker.url(vhost)));
    List<byte[]> expected = new ArrayList<>(records);
    expected.add(badBody);
    List<GetResponse> published = RabbitBroker.take(admin, Topology.INGEST_QUEUE, expected.size());
    assertEquals(expected.size(), published.size(), "the readable records, in order");
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), published.get(i).getBody(), "record " + i + " published as it was spooled");
    }
    assertEquals("metrics." + AGENT, published.get(expected.size() - 1).getEnvelope().getRoutingKey());
    waitUntil(() -> spooledBytes(dataDir) == 0, "the old spool confirmed and gone");

    send(vertx, heartbeat());
    Envelope after = Wire.standard().decode(RabbitBroker.take(admin, Topology.INGEST_QUEUE, 1).get(0).getBody());
    assertEquals(9, after.seq(), "numbering goes on above the spool (no sequence file here)");
    assertEquals(1L, after.body(AgentInfo.class).counters().get("spool_undecodable"), "the unreadable record skipped and counted");
  }

  // ---- helpers

  private JsonObject config(String url) {
    JsonObject config = RabbitBroker.config(url).mergeIn(AgentChannelTest.config(dataDir), true);
    config.getJsonObject("agent").put("id", AGENT).getJsonObject("outbox").put("maxInFlight", 128);
    // confirms may be held back for a while on purpose: a late-confirm failure would publish them a second time
    config.getJsonObject("transport").getJsonObject("amqp").put("confirmTimeoutMs", 60_000);
    return config;
  }

  private static void deploy(Vertx vertx, JsonObject config) {
    await(vertx.deployVerticle(new AgentChannelVerticle(), new DeploymentOptions().setConfig(config)));
  }

  private static void send(Vertx vertx, Envelope event) {
    vertx.eventBus().send(Addresses.agentOutbox(AGENT), event);
  }

  private static Envelope metrics(int samples) {
    long now = System.currentTimeMillis();
    List<Sample> batch = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      batch.add(Sample.of("disk.io.read_bytes", Map.of("device", "sd" + i), i * 1.5, now));
    }
    return Envelope.of(EventType.METRICS, AGENT, 0, now, new MetricsBatch(batch));
  }

  private static Envelope heartbeat() {
    return Envelope.of(EventType.HEARTBEAT, AGENT, 0, System.currentTimeMillis(),
        new AgentInfo(AGENT, "host", List.of(), "linux", "test", false, 1, 10, Map.of(), List.of()));
  }

  private static long queued() {
    try {
      return RabbitBroker.messageCount(admin, Topology.INGEST_QUEUE);
    } catch (Exception e) {
      return -1;
    }
  }

  /** The payloads of every record in the spool's segments, oldest first, read straight off the files. */
  static List<byte[]> spooledPayloads(Path spool) throws Exception {
    List<Path> segments;
    try (Stream<Path> files = Files.list(spool)) {
      segments = files.filter(path -> path.toString().endsWith(".seg")).sorted().toList();
    }
    List<byte[]> payloads = new ArrayList<>();
    for (Path segment : segments) {
      ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
      while (bytes.remaining() >= 8) {
        byte[] payload = new byte[bytes.getInt()];
        int crc = bytes.getInt();
        bytes.get(payload);
        assertEquals(crc, crc(payload), "CRC of a record in " + segment);
        payloads.add(payload);
      }
      assertEquals(0, bytes.remaining(), "no partial record at the end of " + segment);
    }
    return payloads;
  }

  private static byte[] frames(List<byte[]> records, byte[]... more) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DataOutputStream data = new DataOutputStream(out);
    List<byte[]> all = new ArrayList<>(records);
    all.addAll(List.of(more));
    for (byte[] record : all) {
      data.writeInt(record.length); // big-endian, as the spool has always written them
      data.writeInt(crc(record));
      data.write(record);
    }
    return out.toByteArray();
  }

  private static int crc(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return (int) crc.getValue();
  }
}
