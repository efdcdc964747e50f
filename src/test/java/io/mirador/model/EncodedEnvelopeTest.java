package io.mirador.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EncodedEnvelope#read} takes type, agent, seq and ts off an encoded envelope without decoding its body: it
 * must give what {@link Wire#decode} gives for them, whatever the field order, and hand the bytes on untouched.
 */
class EncodedEnvelopeTest {

  static List<Envelope> envelopes() {
    return WireTest.oneOfEachType().toList();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("envelopes")
  void readsWhatATransportNeedsOffEveryType(Envelope envelope) {
    EncodedEnvelope encoded = EncodedEnvelope.of(envelope);
    EncodedEnvelope read = EncodedEnvelope.read(encoded.bytes());

    assertEquals(head(envelope), head(read));
    assertEquals(head(envelope), head(encoded));
    assertSame(encoded.bytes(), read.bytes(), "the bytes go on as they are");
  }

  @Test
  void readsTheHeadInAnyFieldOrderAsTheStrictDecoderDoes() throws Exception {
    Random random = new Random(42);
    for (Envelope envelope : envelopes()) {
      ObjectNode tree = (ObjectNode) Wire.MAPPER.readTree(Wire.standard().encode(envelope));
      tree.put("unknown", "ignored").putObject("nested").putArray("deep").add(1);
      for (int round = 0; round < 20; round++) {
        List<String> names = new ArrayList<>();
        tree.fieldNames().forEachRemaining(names::add);
        Collections.shuffle(names, random);
        ObjectNode shuffled = Wire.MAPPER.createObjectNode();
        names.forEach(name -> shuffled.set(name, tree.get(name)));
        byte[] bytes = Wire.MAPPER.writeValueAsBytes(shuffled);

        assertEquals(head(Wire.standard().decode(bytes)), head(EncodedEnvelope.read(bytes)), shuffled::toString);
      }
    }
  }

  @Test
  void stopsBeforeTheBodyWhichTheHubValidates() {
    String head = "{\"v\":1,\"type\":\"metrics\",\"agent\":\"web-01\",\"seq\":42,\"ts\":1763712000123,";
    for (String body : List.of("\"body\":{\"samples\":[{\"name\":\"bad name\",\"value\":\"x\"}]}}", "\"body\":{\"samples\":[tru")) {
      EncodedEnvelope read = EncodedEnvelope.read((head + body).getBytes(StandardCharsets.UTF_8));
      assertEquals(List.of(EventType.METRICS, "web-01", 42L, 1763712000123L), head(read));
    }
  }

  @Test
  void refusesBytesATransportCouldNotSend() {
    String good = "{\"v\":1,\"type\":\"metrics\",\"agent\":\"a\",\"seq\":1,\"ts\":2,\"body\":{}}";
    for (String bad : List.of("", "not json", "[]", "\"x\"", "{}", "{\"v\":1,",
        good.replace("\"v\":1", "\"v\":2"),
        good.replace("\"v\":1", "\"v\":\"1\""),
        good.replace("\"metrics\"", "\"nope\""),
        good.replace("\"metrics\"", "7"),
        good.replace("\"seq\":1", "\"seq\":0"),
        good.replace("\"seq\":1", "\"seq\":-3"),
        good.replace("\"seq\":1", "\"seq\":\"1\""),
        good.replace("\"seq\":1", "\"seq\":1.5"),
        good.replace("\"seq\":1", "\"seq\":99999999999999999999"),
        good.replace("\"agent\":\"a\",", ""),
        good.replace("\"agent\":\"a\"", "\"agent\":null"),
        good.replace(",\"ts\":2", ""),
        good.replace(",\"ts\":2", ",\"ts\":true"))) {
      assertThrows(InvalidEventException.class, () -> EncodedEnvelope.read(bad.getBytes(StandardCharsets.UTF_8)), bad);
    }
  }

  private static List<Object> head(Envelope envelope) {
    return List.of(envelope.type(), envelope.agent(), envelope.seq(), envelope.ts());
  }

  private static List<Object> head(EncodedEnvelope encoded) {
    return List.of(encoded.type(), encoded.agent(), encoded.seq(), encoded.ts());
  }
}
