package io.mirador.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EnvelopeMessageCodecTest {

  private final EnvelopeMessageCodec codec = new EnvelopeMessageCodec();

  static List<Envelope> envelopes() {
    return WireTest.oneOfEachType().toList();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("envelopes")
  void roundTripAtANonZeroPosition(Envelope envelope) {
    Buffer buffer = Buffer.buffer().appendString("other message header").appendInt(0xCAFE);
    int start = buffer.length();
    codec.encodeToWire(buffer, envelope);
    int end = buffer.length();
    buffer.appendString("whatever the event bus writes next");

    Envelope decoded = codec.decodeFromWire(start, buffer);

    assertEquals(envelope, decoded);
    assertEquals(end - start - 4, buffer.getInt(start), "length prefix covers exactly the encoded envelope");
  }

  @Test
  void twoEnvelopesBackToBack() {
    List<Envelope> all = envelopes();
    Buffer buffer = Buffer.buffer();
    buffer.appendByte((byte) 7);
    int first = buffer.length();
    codec.encodeToWire(buffer, all.get(0));
    int second = buffer.length();
    codec.encodeToWire(buffer, all.get(2));

    assertEquals(all.get(0), codec.decodeFromWire(first, buffer));
    assertEquals(all.get(2), codec.decodeFromWire(second, buffer));
  }

  @Test
  void envelopeLargerThanTheDefaultWireLimitCrossesTheCluster() {
    List<Sample> samples = IntStream.range(0, MetricsBatch.MAX_SAMPLES)
        .mapToObj(i -> Sample.of("disk.used_bytes", Map.of("mount", "/srv/volume-" + i + "/" + "d".repeat(80)), i, WireTest.TS))
        .toList();
    Envelope big = Envelope.of(EventType.METRICS, "web-01", 1, WireTest.TS, new MetricsBatch(samples));
    Buffer buffer = Buffer.buffer().appendString("xyz");
    codec.encodeToWire(buffer, big);
    assertTrue(buffer.length() > Wire.DEFAULT_MAX_BYTES, "test envelope should exceed the default limit");

    assertEquals(big, codec.decodeFromWire(3, buffer));
  }

  @Test
  void decodingValidates() {
    byte[] bad = WireTest.with("seq", "0").getBytes(StandardCharsets.UTF_8);
    Buffer buffer = Buffer.buffer().appendByte((byte) 1).appendInt(bad.length).appendBytes(bad);
    InvalidEventException e = assertThrows(InvalidEventException.class, () -> codec.decodeFromWire(1, buffer));
    assertEquals("invalid", e.code());
  }

  @Test
  void transformReturnsTheSameInstance() {
    for (Envelope envelope : envelopes()) {
      assertSame(envelope, codec.transform(envelope));
    }
  }

  @Test
  void identity() {
    assertEquals(EnvelopeMessageCodec.NAME, codec.name());
    assertEquals("mirador-envelope", codec.name());
    assertEquals((byte) -1, codec.systemCodecID());
  }
}
