package io.mirador.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Wire#decode} takes {@link MetricsFastPath} for plain metrics envelopes and the strict tree path for
 * everything else. Over a corpus of valid, odd and broken inputs, the two must agree exactly: the same envelope,
 * or the same rejection with the same code and reason.
 */
class WireFastPathTest {

  private static final long TS = 1_763_712_000_123L;
  private static final String SAMPLE = "{\"name\":\"cpu.usage\",\"tags\":{\"cpu\":\"total\",\"host\":\"a\"},\"value\":12.5,\"ts\":" + TS + "}";
  private static final String PLAIN = envelope(Map.of());

  private final Wire wire = new Wire(Wire.DEFAULT_MAX_BYTES);

  @Test
  void whatAgentsSendTakesTheFastPath() {
    Envelope sent = Envelope.of(EventType.METRICS, "web-01", 7, TS, new MetricsBatch(List.of(
        Sample.of("cpu.usage", Map.of("cpu", "total"), 12.5, TS), Sample.of("load.1m", 0.25, TS), Sample.of("mem.used", 1e12, TS))));
    byte[] bytes = Wire.standard().encode(sent);

    assertEquals(sent, MetricsFastPath.decode(bytes), "an agent's own encoding is the plain case");
    assertEquals(sent, wire.decode(bytes));
    assertNotNull(MetricsFastPath.decode(PLAIN.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void leavesWhatItDoesNotFullyUnderstandToTheTreePath() {
    for (String odd : List.of(
        PLAIN.replace("\"v\":1,", "\"v\":1,\"v\":1,"),                               // duplicate field
        "{\"body\":{\"samples\":[" + SAMPLE + "]},\"v\":1,\"type\":\"metrics\",\"agent\":\"a\",\"seq\":1,\"ts\":1}", // body first
        PLAIN.replace("\"value\":12.5", "\"value\":\"12.5\""),                     // string for a number
        PLAIN.replace("\"value\":12.5", "\"value\":null"),
        PLAIN.replace("\"seq\":42", "\"seq\":1.0"),
        PLAIN.replace("\"seq\":42", "\"seq\":99999999999999999999"),
        PLAIN.replace("{\"cpu\":\"total\",\"host\":\"a\"}", "{\"cpu\":1}"),
        PLAIN + " {}",                                                                // trailing tokens
        PLAIN.substring(0, PLAIN.length() - 3))) {                                    // truncated
      assertNull(MetricsFastPath.decode(odd.getBytes(StandardCharsets.UTF_8)), odd);
    }
  }

  @Test
  void rejectsOnBothPathsWhatTheStoreCannotKeepExactly() {
    for (String seq : List.of("9007199254740993", "9223372036854775807")) {
      byte[] bytes = envelope(Map.of("seq", seq)).getBytes(StandardCharsets.UTF_8);
      assertNotNull(MetricsFastPath.decode(bytes), "a long seq is the fast path's to judge");
      String expected = "rejected invalid: seq out of range: must be 1..2^53 (9007199254740992), got " + seq;
      assertEquals(expected, outcome(() -> wire.decode(bytes)));
      assertEquals(expected, outcome(() -> wire.decodeTree(bytes)));
    }
    byte[] highest = envelope(Map.of("seq", "9007199254740992", "ts", "9007199254740992")).getBytes(StandardCharsets.UTF_8);
    assertEquals(Envelope.MAX_SEQ, wire.decode(highest).seq(), "2^53 itself is kept exactly");
  }

  @Test
  void agreesWithTheTreePathOnEveryVariant() {
    List<String> corpus = new ArrayList<>();
    corpus.add(PLAIN);
    String[] odd = {"null", "true", "\"x\"", "\"1\"", "0", "-1", "1", "1.0", "1e3", "2.5", "-0.0", "1e400", "9223372036854775807",
        "9223372036854775808", "99999999999999999999", "[]", "{}", "[1]", "{\"a\":1}", "\"cpu.usage\"", "\"Bad Name\"", "\"web-01\"",
        "\"metrics\"", "\"check\"", "\"nope\"",
        // at the bounds of what the store keeps exactly (seq and timestamps 1..2^53) and of a long
        "9007199254740991", "9007199254740992", "9007199254740993", "9007199254740992.0", "9.007199254740993e15",
        "-9007199254740993", "-9223372036854775808", "-9223372036854775809", "4611686018427387904"};
    for (String field : List.of("v", "type", "agent", "seq", "ts", "body", "extra")) {
      corpus.add(envelopeWithout(field));
      for (String raw : odd) {
        corpus.add(envelope(Map.of(field, raw)));
      }
    }
    for (String field : List.of("name", "tags", "value", "ts", "extra")) {
      corpus.add(PLAIN.replace(SAMPLE, sampleWithout(field)));
      for (String raw : odd) {
        corpus.add(PLAIN.replace(SAMPLE, sample(field, raw)));
      }
    }
    for (String tags : List.of("{}", "{\"cpu\":\"total\",\"cpu\":\"0\"}", "{\"9bad\":\"x\"}", "{\"k\":null}", "{\"k\":\"" + "v".repeat(300) + "\"}")) {
      corpus.add(PLAIN.replace(SAMPLE, sample("tags", tags)));
    }
    for (String samples : List.of("[]", "null", "[null]", "[1]", "[" + SAMPLE + "," + SAMPLE + "]", "{}")) {
      corpus.add(envelope(Map.of("body", "{\"samples\":" + samples + "}")));
    }
    corpus.add(envelope(Map.of("body", "{\"other\":[1,{\"a\":[]}],\"samples\":[" + SAMPLE + "]}")));
    corpus.add(envelope(Map.of("body", "{\"samples\":[" + SAMPLE + "],\"samples\":[" + SAMPLE + "]}")));
    corpus.add(envelope(Map.of("body", "{\"samples\":[" + String.join(",", java.util.Collections.nCopies(MetricsBatch.MAX_SAMPLES + 1, SAMPLE)) + "]}")));
    for (int cut = 0; cut < PLAIN.length(); cut++) {
      corpus.add(PLAIN.substring(0, cut));
    }
    corpus.addAll(integersAtTheBounds(new Random(20260303), 3_000));
    corpus.add(PLAIN + "x");
    corpus.add(" \n" + PLAIN + "\n ");
    // byte-level damage, reproducibly
    Random random = new Random(20261121);
    String alphabet = "{}[]\",:0123456789.-eE truenlfasx\\";
    for (int i = 0; i < 5_000; i++) {
      StringBuilder damaged = new StringBuilder(PLAIN);
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(damaged.length());
        switch (random.nextInt(3)) {
          case 0 -> damaged.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> damaged.deleteCharAt(at);
          default -> damaged.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      corpus.add(damaged.toString());
    }

    int fast = 0;
    for (String input : corpus) {
      byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
      assertEquals(outcome(() -> wire.decodeTree(bytes)), outcome(() -> wire.decode(bytes)), () -> "decoding " + cut(input));
      if (MetricsFastPath.decode(bytes) != null) {
        fast++;
      }
    }
    assertTrue(fast > 100, "the corpus exercises the fast path (" + fast + " of " + corpus.size() + " inputs took it)");
  }

  /**
   * Envelopes whose seq, ts or sample ts is an integer near a bound the hub cares about: 0, 2^31, 2^53 (what the store
   * keeps exactly), 2^63 (a long), either sign, or of any bit length; the fast path must reject out-of-range values
   * with the tree path's exact reason and keep every in-range one.
   */
  private static List<String> integersAtTheBounds(Random random, int n) {
    BigInteger[] bounds = {BigInteger.ZERO, BigInteger.ONE.shiftLeft(31), BigInteger.ONE.shiftLeft(53),
        BigInteger.ONE.shiftLeft(63), BigInteger.ONE.shiftLeft(64)};
    List<String> inputs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      BigInteger value = switch (random.nextInt(3)) {
        case 0 -> bounds[random.nextInt(bounds.length)].add(BigInteger.valueOf(random.nextInt(5) - 2));
        case 1 -> new BigInteger(1 + random.nextInt(66), random);
        default -> BigInteger.valueOf(random.nextLong());
      };
      String raw = (random.nextInt(8) == 0 ? value.negate() : value).toString();
      inputs.add(switch (random.nextInt(4)) {
        case 0 -> envelope(Map.of("seq", raw));
        case 1 -> envelope(Map.of("ts", raw));
        case 2 -> PLAIN.replace(SAMPLE, sample("ts", raw));
        default -> envelope(Map.of("seq", raw, "body", "{\"samples\":[" + SAMPLE + "," + sample("ts", raw) + "]}"));
      });
    }
    return inputs;
  }

  private static String outcome(java.util.function.Supplier<Envelope> decoding) {
    try {
      return "accepted " + decoding.get();
    } catch (InvalidEventException e) {
      return "rejected " + e.code() + ": " + e.getMessage();
    }
  }

  private static String envelope(Map<String, String> replaced) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("v", "1");
    fields.put("type", "\"metrics\"");
    fields.put("agent", "\"web-01\"");
    fields.put("seq", "42");
    fields.put("ts", Long.toString(TS));
    fields.put("body", "{\"samples\":[" + SAMPLE + "]}");
    fields.putAll(replaced);
    return object(fields);
  }

  private static String envelopeWithout(String field) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String[] pair : new String[][] {{"v", "1"}, {"type", "\"metrics\""}, {"agent", "\"web-01\""}, {"seq", "42"}, {"ts", Long.toString(TS)},
        {"body", "{\"samples\":[" + SAMPLE + "]}"}}) {
      if (!pair[0].equals(field)) {
        fields.put(pair[0], pair[1]);
      }
    }
    return object(fields);
  }

  private static String sample(String field, String raw) {
    Map<String, String> fields = sampleFields();
    fields.put(field, raw);
    return object(fields);
  }

  private static String sampleWithout(String field) {
    Map<String, String> fields = sampleFields();
    fields.remove(field);
    return object(fields);
  }

  private static Map<String, String> sampleFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", "\"cpu.usage\"");
    fields.put("tags", "{\"cpu\":\"total\",\"host\":\"a\"}");
    fields.put("value", "12.5");
    fields.put("ts", Long.toString(TS));
    return fields;
  }

  private static String object(Map<String, String> fields) {
    StringBuilder out = new StringBuilder("{");
    fields.forEach((key, raw) -> out.append(out.length() > 1 ? "," : "").append('"').append(key).append("\":").append(raw));
    return out.append('}').toString();
  }

  private static String cut(String input) {
    return input.length() > 300 ? input.substring(0, 300) + "…" : input;
  }
}
