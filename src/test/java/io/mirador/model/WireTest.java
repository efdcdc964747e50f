package io.mirador.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class WireTest {

  static final long TS = 1_763_712_000_123L;
  static final String AGENT = "web-01";
  static final String SAMPLE = "{\"name\":\"cpu.usage\",\"tags\":{\"cpu\":\"total\"},\"value\":12.5,\"ts\":" + TS + "}";
  static final String METRICS_BODY = "{\"samples\":[" + SAMPLE + "]}";

  // ---------------------------------------------------------------- helpers

  static Envelope decode(String json) {
    return Wire.standard().decode(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The top-level fields of a good metrics envelope, as raw JSON values, in wire order. */
  static Map<String, String> baseFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("v", "1");
    fields.put("type", "\"metrics\"");
    fields.put("agent", "\"" + AGENT + "\"");
    fields.put("seq", "42");
    fields.put("ts", Long.toString(TS));
    fields.put("body", METRICS_BODY);
    return fields;
  }

  static String render(Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> "\"" + e.getKey() + "\":" + e.getValue())
        .collect(Collectors.joining(",", "{", "}"));
  }

  /** A good metrics envelope with one top-level field replaced by a raw JSON value, or removed when {@code raw} is null. */
  static String with(String field, String raw) {
    Map<String, String> fields = baseFields();
    if (raw == null) {
      fields.remove(field);
    } else {
      fields.put(field, raw);
    }
    return render(fields);
  }

  static String envelope(String type, String body) {
    return with("type", "\"" + type + "\"").replace(METRICS_BODY, body);
  }

  static String good() {
    return render(baseFields());
  }

  /** A metrics envelope whose single sample is the given raw JSON. */
  static String sample(String sampleJson) {
    return envelope("metrics", "{\"samples\":[" + sampleJson + "]}");
  }

  /** A metrics envelope whose single sample has the given raw {@code value}. */
  static String value(String raw) {
    return sample("{\"name\":\"cpu.usage\",\"value\":" + raw + ",\"ts\":" + TS + "}");
  }

  /** A metrics envelope whose single sample has the given raw {@code name}. */
  static String name(String raw) {
    return sample("{\"name\":" + raw + ",\"value\":1,\"ts\":" + TS + "}");
  }

  /** A metrics envelope whose single sample has tag {@code k} with the given raw value. */
  static String tag(String raw) {
    return sample("{\"name\":\"cpu.usage\",\"tags\":{\"k\":" + raw + "},\"value\":1,\"ts\":" + TS + "}");
  }

  static String samples(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> "{\"name\":\"m" + i + "\",\"value\":" + i + ",\"ts\":" + TS + "}")
        .collect(Collectors.joining(",", "{\"samples\":[", "]}"));
  }

  static String check(String statusRaw) {
    return envelope("check", "{\"check\":\"disk_root\",\"status\":" + statusRaw
        + ",\"output\":\"DISK OK\",\"duration_ms\":12,\"executed\":" + TS + "}");
  }

  static String checkBody(String fields) {
    return envelope("check", "{" + fields + "}");
  }

  /** A register envelope with the given AgentInfo fields plus the primitive ones the wire requires. */
  static String agentBody(String fields) {
    return envelope("register", "{" + fields + ",\"busy\":false,\"startedAt\":1,\"interval\":10}");
  }

  static String resultBody(String fields) {
    return envelope("result", "{" + fields + ",\"startedAt\":" + TS + ",\"endedAt\":" + TS + "}");
  }

  static String nested(int depth) {
    return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
  }

  static InvalidEventException rejected(String json) {
    return assertThrows(InvalidEventException.class, () -> decode(json), () -> "should be rejected: " + abbreviate(json));
  }

  static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  static ObjectNode payload(String json) {
    try {
      return (ObjectNode) Wire.MAPPER.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------- good envelopes decode to the right record

  @Nested
  class Decoding {

    @Test
    void register() {
      Envelope e = decode(envelope("register", """
          {"id":"web-01","hostname":"web-01.example.org","ips":["10.0.0.5","fe80::1"],"os":"Linux 6.8 amd64",
           "version":"0.1.0","busy":false,"startedAt":1763711000000,"interval":10,"counters":{"spool.evicted":3}}"""));
      assertEquals(EventType.REGISTER, e.type());
      assertEquals(Envelope.VERSION, e.v());
      assertEquals(AGENT, e.agent());
      assertEquals(42, e.seq());
      assertEquals(TS, e.ts());
      assertEquals(new AgentInfo("web-01", "web-01.example.org", List.of("10.0.0.5", "fe80::1"), "Linux 6.8 amd64",
          "0.1.0", false, 1_763_711_000_000L, 10, Map.of("spool.evicted", 3L), List.of()), e.body(AgentInfo.class));
    }

    @Test
    void registerWithSubscriptions() {
      Envelope e = decode(envelope("register", """
          {"id":"web-01","hostname":"web-01","busy":false,"startedAt":1,"interval":10,"subscriptions":["all","web"]}"""));
      assertEquals(List.of("all", "web"), e.body(AgentInfo.class).subscriptions());
    }

    @Test
    void heartbeatWithoutOptionalFields() {
      Envelope e = decode(envelope("heartbeat", "{\"id\":\"web-01\",\"hostname\":\"web-01\",\"busy\":true,\"startedAt\":1,\"interval\":30}"));
      assertEquals(EventType.HEARTBEAT, e.type());
      AgentInfo info = e.body(AgentInfo.class);
      assertEquals("web-01", info.id());
      assertTrue(info.busy());
      assertEquals(30, info.interval());
      assertEquals(List.of(), info.ips());
      assertEquals(Map.of(), info.counters());
      assertNull(info.os());
    }

    @Test
    void metrics() {
      Envelope e = decode(envelope("metrics", "{\"samples\":[" + SAMPLE
          + ",{\"name\":\"mem.used_bytes\",\"value\":8589934592,\"ts\":" + (TS + 1) + "}"
          + ",{\"name\":\"load.1\",\"value\":-0.5,\"ts\":" + (TS + 2) + "}]}"));
      assertEquals(EventType.METRICS, e.type());
      MetricsBatch batch = e.body(MetricsBatch.class);
      assertEquals(List.of(
          Sample.of("cpu.usage", Map.of("cpu", "total"), 12.5, TS),
          Sample.of("mem.used_bytes", 8_589_934_592.0, TS + 1),
          Sample.of("load.1", -0.5, TS + 2)), batch.samples());
    }

    @Test
    void metricsWithExactlyMaxSamples() {
      MetricsBatch batch = decode(envelope("metrics", samples(MetricsBatch.MAX_SAMPLES))).body(MetricsBatch.class);
      assertEquals(MetricsBatch.MAX_SAMPLES, batch.samples().size());
    }

    @Test
    void check() {
      Envelope e = decode(envelope("check", """
          {"check":"disk_root","status":2,"output":"DISK CRITICAL - free space: / 1 GB (2%)",
           "perfdata":[{"name":"disk.free_bytes","tags":{"mount":"/"},"value":1073741824,"ts":1763712000100}],
           "duration_ms":12,"executed":1763712000100}"""));
      assertEquals(EventType.CHECK, e.type());
      assertEquals(new CheckResult("disk_root", 2, "DISK CRITICAL - free space: / 1 GB (2%)",
          List.of(Sample.of("disk.free_bytes", Map.of("mount", "/"), 1_073_741_824.0, 1_763_712_000_100L)),
          12, 1_763_712_000_100L), e.body(CheckResult.class));
    }

    @Test
    void log() {
      Envelope e = decode(envelope("log", "{\"source\":\"job:backup\",\"level\":\"warn\",\"line\":\"disk almost full\",\"ts\":" + TS + "}"));
      assertEquals(EventType.LOG, e.type());
      assertEquals(new LogLine("job:backup", "warn", "disk almost full", TS), e.body(LogLine.class));
    }

    @Test
    void result() {
      Envelope e = decode(envelope("result", """
          {"job":"j-17","state":"finished","exitCode":0,"output":"ok","startedAt":1763712000000,"endedAt":1763712000100}"""));
      assertEquals(EventType.RESULT, e.type());
      assertEquals(new JobResult("j-17", "finished", 0, "ok", 1_763_712_000_000L, 1_763_712_000_100L), e.body(JobResult.class));
    }

    @Test
    void resultWithoutExitCode() {
      Envelope e = decode(envelope("result", "{\"job\":\"j-17\",\"state\":\"cancelled\",\"startedAt\":" + TS + ",\"endedAt\":" + TS + "}"));
      assertNull(e.body(JobResult.class).exitCode());
    }

    @Test
    void agentIdOfMaximumLength() {
      String agent = "a".repeat(64);
      assertEquals(agent, decode(with("agent", "\"" + agent + "\"")).agent());
    }

    @Test
    void unknownFieldsAreIgnored() {
      Map<String, String> fields = baseFields();
      fields.put("future", "{\"x\":[1,2]}");
      fields.put("body", "{\"samples\":[" + SAMPLE + "],\"compressed\":false}");
      assertEquals(decode(good()), decode(render(fields)));
    }

    @Test
    void fieldOrderDoesNotMatter() {
      String json = "{\"body\":" + METRICS_BODY + ",\"ts\":" + TS + ",\"seq\":42,\"agent\":\"web-01\",\"type\":\"metrics\",\"v\":1}";
      assertEquals(decode(good()), decode(json));
    }

    @Test
    void messageExactlyAtTheLimitIsAccepted() {
      byte[] bytes = good().getBytes(StandardCharsets.UTF_8);
      assertEquals(AGENT, new Wire(bytes.length).decode(bytes).agent());
    }

    @Test
    void fromATree() throws Exception {
      JsonNode tree = Wire.MAPPER.readTree(good());
      assertEquals(decode(good()), Wire.standard().decode(tree));
      InvalidEventException e = assertThrows(InvalidEventException.class, () -> Wire.standard().decode((JsonNode) null));
      assertEquals("malformed", e.code());
    }
  }

  // ---------------------------------------------------------------- encode → decode

  static Stream<Envelope> oneOfEachType() {
    ObjectNode config = payload("{\"interval\":10,\"collectors\":[\"cpu\",\"disk\"],\"checks\":{\"disk_root\":{\"warn\":0.8}}}");
    ObjectNode job = payload("{\"command\":\"uptime\",\"timeout_s\":30,\"ratio\":0.25,\"big\":9007199254740993,\"env\":null,\"dry\":true}");
    return Stream.of(
        Envelope.of(EventType.REGISTER, AGENT, 1, TS, new AgentInfo(AGENT, "web-01.example.org", List.of("10.0.0.5"),
            "Linux", "0.1.0", false, TS - 1000, 10, Map.of("spool.evicted", 0L, "batches.dropped", 7L), List.of("all", "web"))),
        Envelope.of(EventType.HEARTBEAT, AGENT, 2, TS, new AgentInfo(AGENT, "web-01", null, null, null, true, 0, 0, null, null)),
        Envelope.of(EventType.METRICS, AGENT, 3, TS, new MetricsBatch(List.of(
            Sample.of("cpu.usage", Map.of("cpu", "total", "host.role", "web"), 12.5, TS),
            Sample.of("cpu.idle", 0.0, TS),
            Sample.of("temp.delta", -3.25, TS),
            Sample.of("net.rx_bytes", 1.0E15, TS),
            Sample.of("tiny", Double.MIN_VALUE, TS)))),
        Envelope.of(EventType.CHECK, AGENT, 4, TS, new CheckResult("disk_root", 1, "DISK WARNING – ünïcödé \"quoted\"\n2nd line",
            List.of(Sample.of("disk.used_ratio", Map.of("mount", "/"), 0.81, TS)), 12, TS)),
        Envelope.of(EventType.CHECK, AGENT, 5, TS, new CheckResult("ping", 0, null, null, 0, TS)),
        Envelope.of(EventType.LOG, AGENT, 6, TS, new LogLine("plugin:nginx", "error", "x".repeat(LogLine.MAX_LINE), TS)),
        Envelope.of(EventType.RESULT, AGENT, 7, TS, new JobResult("j-1", "failed", 127, "sh: nope: not found", TS - 5, TS)),
        Envelope.of(EventType.RESULT, AGENT, 8, TS, new JobResult("j-2", "running", null, null, TS, 0)),
        Envelope.of(EventType.CONFIG, AGENT, 9, TS, new Command("cfg-3", config)),
        Envelope.of(EventType.JOB, AGENT, Envelope.MAX_SEQ, Envelope.MAX_TS, new Command("j-1", job)),
        Envelope.of(EventType.CANCEL, AGENT, 10, TS, new Command("j-1", payload("{}"))),
        Envelope.of(EventType.CANCEL, AGENT, 11, TS, new Command("j-2", null)),
        Envelope.of(EventType.ENROLL, AGENT, 1, TS, new EnrollRequest("MCowBQYDK2VuAyEA", "web-01", "tok", "proof")),
        Envelope.of(EventType.ENROLL, AGENT, 1, TS, new EnrollRequest("MCowBQYDK2VuAyEA", null, null, null)),
        Envelope.of(EventType.ENROLLED, AGENT, 12, TS, new Enrolled("hub-x25519", "hub-ed25519", null)));
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("oneOfEachType")
  void roundTrip(Envelope envelope) {
    byte[] bytes = Wire.standard().encode(envelope);
    Envelope decoded = Wire.standard().decode(bytes);
    assertEquals(envelope, decoded);
    assertArrayEquals(bytes, Wire.standard().encode(decoded), "encoding is stable");
  }

  @Test
  void roundTripCoversEveryType() {
    assertEquals(List.of(EventType.values()),
        oneOfEachType().map(Envelope::type).distinct().sorted().toList());
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void encodesTheContractShape(EventType type) throws Exception {
    Envelope envelope = oneOfEachType().filter(e -> e.type() == type).findFirst().orElseThrow();
    JsonNode tree = Wire.MAPPER.readTree(Wire.standard().encode(envelope));
    assertEquals(1, tree.get("v").intValue());
    assertEquals(type.wireName(), tree.get("type").textValue());
    assertEquals(AGENT, tree.get("agent").textValue());
    assertTrue(tree.get("seq").isIntegralNumber());
    assertTrue(tree.get("ts").isIntegralNumber());
    assertTrue(tree.get("body").isObject());
  }

  @Test
  void checkBodyUsesSnakeCaseDuration() throws Exception {
    Envelope envelope = Envelope.of(EventType.CHECK, AGENT, 1, TS, new CheckResult("ping", 0, "", List.of(), 12, TS));
    JsonNode body = Wire.MAPPER.readTree(Wire.standard().encode(envelope)).get("body");
    assertEquals(12, body.get("duration_ms").intValue());
    assertFalse(body.has("durationMs"));
  }

  // ---------------------------------------------------------------- rejections

  static Stream<Arguments> rejections() {
    return Stream.of(
        // not an envelope at all
        arguments("malformed JSON", "{v:1,type:metrics}", "malformed", "not JSON"),
        arguments("not JSON at all", "hello", "malformed", "not JSON"),
        arguments("empty input", "", "malformed", "JSON object"),
        arguments("array", "[" + good() + "]", "malformed", "JSON object"),
        arguments("string", "\"metrics\"", "malformed", "JSON object"),
        arguments("number", "42", "malformed", "JSON object"),
        arguments("null", "null", "malformed", "JSON object"),
        arguments("truncated", good().substring(0, good().length() / 2), "malformed", "not JSON"),
        arguments("truncated by one byte", good().substring(0, good().length() - 1), "malformed", "not JSON"),
        arguments("trailing garbage", good() + " x", "malformed", "not JSON"),
        arguments("trailing second object", good() + good(), "malformed", "not JSON"),
        arguments("trailing comma", good().substring(0, good().length() - 1) + ",}", "malformed", "not JSON"),
        arguments("nesting too deep", with("future", nested(100)), "malformed", "not JSON"),
        // version
        arguments("v missing", with("v", null), "version", "version"),
        arguments("v 2", with("v", "2"), "version", "version 2"),
        arguments("v 0", with("v", "0"), "version", "version 0"),
        arguments("v \"1\"", with("v", "\"1\""), "version", "version \"1\""),
        arguments("v 1.0", with("v", "1.0"), "version", "version 1.0"),
        arguments("v null", with("v", "null"), "version", "version null"),
        // type
        arguments("type missing", with("type", null), "type", "type is required"),
        arguments("type unknown", with("type", "\"metric\""), "type", "unknown event type \"metric\""),
        arguments("type upper case", with("type", "\"METRICS\""), "type", "unknown event type \"METRICS\""),
        arguments("type empty", with("type", "\"\""), "type", "unknown event type \"\""),
        arguments("type a number", with("type", "3"), "type", "must be a string"),
        arguments("type null", with("type", "null"), "type", "type is required"),
        // agent
        arguments("agent missing", with("agent", null), "invalid", "agent is required"),
        arguments("agent null", with("agent", "null"), "invalid", "agent is required"),
        arguments("agent a number", with("agent", "17"), "invalid", "agent is required and must be a string"),
        arguments("agent empty", with("agent", "\"\""), "invalid", "agent must match"),
        arguments("agent with a space", with("agent", "\"web 01\""), "invalid", "agent must match"),
        arguments("agent with a slash", with("agent", "\"web/01\""), "invalid", "agent must match"),
        arguments("agent with a newline", with("agent", "\"web\\n01\""), "invalid", "agent must match"),
        arguments("agent non-ASCII", with("agent", "\"wéb\""), "invalid", "agent must match"),
        arguments("agent leading dash", with("agent", "\"-web\""), "invalid", "agent must match"),
        arguments("agent too long", with("agent", "\"" + "a".repeat(65) + "\""), "invalid", "agent must match"),
        // seq
        arguments("seq missing", with("seq", null), "invalid", "seq is required"),
        arguments("seq 0", with("seq", "0"), "invalid", "seq out of range: must be 1..2^53 (9007199254740992), got 0"),
        arguments("seq negative", with("seq", "-5"), "invalid", "seq out of range: must be 1..2^53 (9007199254740992), got -5"),
        arguments("seq 2^53 + 1", with("seq", "9007199254740993"), "invalid", "seq out of range: must be 1..2^53 (9007199254740992), got 9007199254740993"),
        arguments("seq 2^63 - 1", with("seq", "9223372036854775807"), "invalid", "seq out of range: must be 1..2^53 (9007199254740992), got 9223372036854775807"),
        arguments("seq most negative long", with("seq", "-9223372036854775808"), "invalid", "seq out of range: must be 1..2^53 (9007199254740992), got -9223372036854775808"),
        arguments("seq fraction", with("seq", "1.5"), "invalid", "seq is required and must be an integer"),
        arguments("seq float literal", with("seq", "42.0"), "invalid", "seq is required and must be an integer"),
        arguments("seq exponent", with("seq", "4e1"), "invalid", "seq is required and must be an integer"),
        arguments("seq string", with("seq", "\"42\""), "invalid", "seq is required and must be an integer"),
        arguments("seq beyond long", with("seq", "9223372036854775808"), "invalid", "seq out of range: must be 1..2^53 (9007199254740992), got 9223372036854775808"),
        arguments("seq far beyond long", with("seq", "1" + "0".repeat(200)), "invalid", "seq out of range: must be 1..2^53 (9007199254740992), got 1000000000"),
        arguments("seq null", with("seq", "null"), "invalid", "seq is required"),
        // ts
        arguments("ts missing", with("ts", null), "invalid", "ts is required"),
        arguments("ts 0", with("ts", "0"), "invalid", "ts out of range: must be 1..2^53 (9007199254740992), got 0"),
        arguments("ts 2^53 + 1", with("ts", "9007199254740993"), "invalid", "ts out of range: must be 1..2^53 (9007199254740992), got 9007199254740993"),
        arguments("ts beyond long", with("ts", "-9223372036854775809"), "invalid", "ts out of range: must be 1..2^53 (9007199254740992), got -9223372036854775809"),
        arguments("ts string", with("ts", "\"1763712000123\""), "invalid", "ts is required and must be an integer"),
        arguments("ts fraction", with("ts", "1763712000123.5"), "invalid", "ts is required and must be an integer"),
        // body
        arguments("body missing", with("body", null), "invalid", "body must be a JSON object"),
        arguments("body null", with("body", "null"), "invalid", "body must be a JSON object"),
        arguments("body an array", with("body", "[" + SAMPLE + "]"), "invalid", "body must be a JSON object"),
        arguments("body a string", with("body", "\"cpu.usage=12.5\""), "invalid", "body must be a JSON object"),
        // metrics
        arguments("metrics body empty", envelope("metrics", "{}"), "invalid", "non-empty samples"),
        arguments("metrics no samples", envelope("metrics", "{\"samples\":[]}"), "invalid", "non-empty samples"),
        arguments("metrics samples null", envelope("metrics", "{\"samples\":null}"), "invalid", "non-empty samples"),
        arguments("metrics samples not an array", envelope("metrics", "{\"samples\":" + SAMPLE + "}"), "invalid", "fit at samples:"),
        arguments("metrics null sample", envelope("metrics", "{\"samples\":[null]}"), "invalid", "null sample"),
        arguments("too many samples", envelope("metrics", samples(MetricsBatch.MAX_SAMPLES + 1)), "invalid",
            (MetricsBatch.MAX_SAMPLES + 1) + " samples, at most " + MetricsBatch.MAX_SAMPLES),
        arguments("metric name upper case", name("\"CPU.usage\""), "invalid", "dotted lower case ([a-z0-9_] segments), got \"CPU.usage\""),
        arguments("metric name with space", name("\"cpu usage\""), "invalid", "dotted lower case ([a-z0-9_] segments), got \"cpu usage\""),
        arguments("metric name leading dot", name("\".cpu\""), "invalid", "dotted lower case ([a-z0-9_] segments), got \".cpu\""),
        arguments("metric name trailing dot", name("\"cpu.\""), "invalid", "got \"cpu.\""),
        arguments("metric name double dot", name("\"cpu..usage\""), "invalid", "got \"cpu..usage\""),
        arguments("metric name with dash", name("\"cpu-usage\""), "invalid", "got \"cpu-usage\""),
        arguments("metric name empty", name("\"\""), "invalid", "metric name must be dotted lower case"),
        arguments("metric name too long", name("\"" + "a".repeat(201) + "\""), "invalid", "metric name must be dotted lower case"),
        arguments("metric name missing", sample("{\"value\":1,\"ts\":" + TS + "}"), "invalid", "metric name must be dotted lower case ([a-z0-9_] segments), got null"),
        arguments("metric name a number", name("7"), "invalid", "fit at samples[0].name: Cannot coerce Integer value (7)"),
        arguments("value as string", value("\"12.5\""), "invalid", "fit at samples[0].value: Cannot coerce String value (\"12.5\")"),
        arguments("value null", value("null"), "invalid", "fit at samples[0].value: Cannot map `null`"),
        arguments("value missing", sample("{\"name\":\"cpu.usage\",\"ts\":" + TS + "}"), "invalid", "fit at samples[0].value"),
        arguments("value boolean", value("true"), "invalid", "fit at samples[0].value"),
        arguments("value an array", value("[12.5]"), "invalid", "fit at samples[0].value"),
        arguments("value NaN literal", value("NaN"), "malformed", "NaN"),
        arguments("value Infinity literal", value("Infinity"), "malformed", "Infinity"),
        arguments("value \"NaN\" string", value("\"NaN\""), "invalid", "sample cpu.usage has a non-finite value"),
        arguments("value \"Infinity\" string", value("\"Infinity\""), "invalid", "sample cpu.usage has a non-finite value"),
        arguments("value overflows to infinity", value("1e999"), "invalid", "sample cpu.usage has a non-finite value"),
        arguments("sample ts missing", sample("{\"name\":\"cpu.usage\",\"value\":1}"), "invalid", "fit at samples[0].ts"),
        arguments("sample ts 0", sample("{\"name\":\"cpu.usage\",\"value\":1,\"ts\":0}"), "invalid", "sample cpu.usage ts out of range: must be 1..2^53 (9007199254740992), got 0"),
        arguments("sample ts 2^53 + 1", sample("{\"name\":\"cpu.usage\",\"value\":1,\"ts\":9007199254740993}"), "invalid",
            "sample cpu.usage ts out of range: must be 1..2^53 (9007199254740992), got 9007199254740993"),
        arguments("sample second of two bad", envelope("metrics", "{\"samples\":[" + SAMPLE + ",{\"name\":\"x\",\"value\":\"1\",\"ts\":1}]}"),
            "invalid", "fit at samples[1].value"),
        arguments("tag value a number", tag("5"), "invalid", "fit at samples[0].tags.k: Cannot coerce Integer value (5)"),
        arguments("tag value a float", tag("1.5"), "invalid", "fit at samples[0].tags.k: Cannot coerce Float value (1.5)"),
        arguments("tag value boolean", tag("true"), "invalid", "fit at samples[0].tags.k: Cannot coerce Boolean value (true)"),
        arguments("tag value an object", tag("{\"a\":\"b\"}"), "invalid", "fit at samples[0].tags.k"),
        arguments("tag value an array", tag("[\"a\"]"), "invalid", "fit at samples[0].tags.k"),
        arguments("tag value null", tag("null"), "invalid", "tag k needs a string value"),
        arguments("tag value too long", tag("\"" + "v".repeat(257) + "\""), "invalid", "tag k needs a string value of at most 256"),
        arguments("tags not an object", sample("{\"name\":\"cpu.usage\",\"tags\":[\"cpu=0\"],\"value\":1,\"ts\":" + TS + "}"),
            "invalid", "fit at samples[0].tags"),
        arguments("tag key bad", sample("{\"name\":\"cpu.usage\",\"tags\":{\"1cpu\":\"0\"},\"value\":1,\"ts\":" + TS + "}"),
            "invalid", "invalid tag key \"1cpu\""),
        arguments("too many tags", sample("{\"name\":\"cpu.usage\",\"tags\":{" + IntStream.range(0, 17)
            .mapToObj(i -> "\"t" + i + "\":\"x\"").collect(Collectors.joining(",")) + "},\"value\":1,\"ts\":" + TS + "}"),
            "invalid", "more than 16 tags"),
        // check
        arguments("check status 7", check("7"), "invalid", "status must be 0..3 (OK, WARNING, CRITICAL, UNKNOWN), got 7"),
        arguments("check status 4", check("4"), "invalid", "status must be 0..3 (OK, WARNING, CRITICAL, UNKNOWN), got 4"),
        arguments("check status negative", check("-1"), "invalid", "status must be 0..3 (OK, WARNING, CRITICAL, UNKNOWN), got -1"),
        arguments("check status as string", check("\"2\""), "invalid", "fit at status: Cannot coerce String value (\"2\")"),
        arguments("check status a float", check("2.0"), "invalid", "fit at status: Cannot coerce Floating-point value (2.0)"),
        arguments("check status null", check("null"), "invalid", "fit at status: Cannot map `null`"),
        arguments("check status overflows int", check("4294967296"), "invalid", "fit at status"),
        arguments("check status missing", checkBody("\"check\":\"disk_root\",\"duration_ms\":1,\"executed\":" + TS),
            "invalid", "fit at status"),
        arguments("check name missing", checkBody("\"status\":0,\"duration_ms\":1,\"executed\":" + TS), "invalid", "check name must match"),
        arguments("check name with space", checkBody("\"check\":\"disk root\",\"status\":0,\"duration_ms\":1,\"executed\":" + TS),
            "invalid", "check name must match"),
        arguments("check not executed", checkBody("\"check\":\"disk_root\",\"status\":0,\"duration_ms\":1"), "invalid", "fit at executed"),
        arguments("check executed 0", checkBody("\"check\":\"disk_root\",\"status\":0,\"duration_ms\":1,\"executed\":0"),
            "invalid", "executed out of range: must be 1..2^53 (9007199254740992), got 0"),
        arguments("check executed 2^63 - 1", checkBody("\"check\":\"disk_root\",\"status\":0,\"duration_ms\":1,\"executed\":9223372036854775807"),
            "invalid", "executed out of range: must be 1..2^53 (9007199254740992), got 9223372036854775807"),
        arguments("check negative duration", checkBody("\"check\":\"ping\",\"status\":0,\"duration_ms\":-1,\"executed\":" + TS),
            "invalid", "duration_ms must not be negative"),
        arguments("check output too long", checkBody("\"check\":\"ping\",\"status\":0,\"duration_ms\":1,\"output\":\""
            + "o".repeat(CheckResult.MAX_OUTPUT + 1) + "\",\"executed\":" + TS), "invalid", "check output longer than " + CheckResult.MAX_OUTPUT),
        arguments("check bad perfdata", checkBody("\"check\":\"ping\",\"status\":0,\"duration_ms\":1,\"executed\":" + TS
            + ",\"perfdata\":[{\"name\":\"RTA\",\"value\":1,\"ts\":" + TS + "}]"), "invalid", "metric name must be dotted lower case ([a-z0-9_] segments), got \"RTA\""),
        // register / heartbeat
        arguments("register without id", agentBody("\"hostname\":\"web-01\""), "invalid", "agent id must match"),
        arguments("register with bad id", agentBody("\"id\":\"web 01\",\"hostname\":\"web-01\""), "invalid", "agent id must match"),
        arguments("register without hostname", agentBody("\"id\":\"web-01\""), "invalid", "hostname is required"),
        arguments("register blank hostname", agentBody("\"id\":\"web-01\",\"hostname\":\"  \""), "invalid", "hostname is required"),
        arguments("register too many ips", agentBody("\"id\":\"web-01\",\"hostname\":\"w\",\"ips\":[" + IntStream.range(0, 65)
            .mapToObj(i -> "\"10.0.0." + i + "\"").collect(Collectors.joining(",")) + "]"), "invalid", "at most 64 addresses"),
        arguments("register ip a number", agentBody("\"id\":\"web-01\",\"hostname\":\"w\",\"ips\":[10]"), "invalid", "fit at ips[0]"),
        arguments("heartbeat without interval", envelope("heartbeat", "{\"id\":\"web-01\",\"hostname\":\"w\",\"busy\":false,\"startedAt\":1}"),
            "invalid", "fit at interval"),
        arguments("heartbeat negative interval", envelope("heartbeat", "{\"id\":\"web-01\",\"hostname\":\"w\",\"busy\":false,\"startedAt\":1,\"interval\":-1}"),
            "invalid", "interval must not be negative"),
        arguments("heartbeat interval as string", envelope("heartbeat", "{\"id\":\"web-01\",\"hostname\":\"w\",\"busy\":false,\"startedAt\":1,\"interval\":\"30\"}"),
            "invalid", "fit at interval: Cannot coerce String value (\"30\")"),
        arguments("heartbeat busy as string", envelope("heartbeat", "{\"id\":\"web-01\",\"hostname\":\"w\",\"busy\":\"true\",\"startedAt\":1,\"interval\":10}"),
            "invalid", "fit at busy"),
        arguments("register counter as string", agentBody("\"id\":\"web-01\",\"hostname\":\"w\",\"counters\":{\"x\":\"5\"}"),
            "invalid", "fit at counters.x"),
        // log / result / commands
        arguments("log without source", envelope("log", "{\"line\":\"x\",\"ts\":" + TS + "}"), "invalid", "log source is required"),
        arguments("log without line", envelope("log", "{\"source\":\"s\",\"ts\":" + TS + "}"), "invalid", "log line is required"),
        arguments("log line too long", envelope("log", "{\"source\":\"s\",\"line\":\"" + "x".repeat(LogLine.MAX_LINE + 1) + "\",\"ts\":" + TS + "}"),
            "invalid", "at most " + LogLine.MAX_LINE),
        arguments("log line a number", envelope("log", "{\"source\":\"s\",\"line\":42,\"ts\":" + TS + "}"), "invalid", "fit at line"),
        arguments("result without job", resultBody("\"state\":\"finished\""), "invalid", "job id is required"),
        arguments("result without state", resultBody("\"job\":\"j-1\""), "invalid", "job state is required"),
        arguments("result exit code as string", resultBody("\"job\":\"j-1\",\"state\":\"finished\",\"exitCode\":\"0\""),
            "invalid", "fit at exitCode: Cannot coerce String value (\"0\")"),
        arguments("config without id", envelope("config", "{\"payload\":{}}"), "invalid", "command id is required"),
        arguments("job with blank id", envelope("job", "{\"id\":\" \",\"payload\":{}}"), "invalid", "command id is required"),
        arguments("cancel payload an array", envelope("cancel", "{\"id\":\"j-1\",\"payload\":[1]}"), "invalid", "fit at payload"),
        // reasons echo input safely
        arguments("agent with CR LF", with("agent", "\"web\\r\\nX-Injected: 1\""), "invalid", "got \"web\\u000d\\u000aX-Injected: 1\""),
        arguments("metric name with newline", name("\"cpu\\nusage\""), "invalid", "got \"cpu\\u000ausage\""),
        arguments("tag key with newline", sample("{\"name\":\"cpu.usage\",\"tags\":{\"a\\nb\":\"0\"},\"value\":1,\"ts\":" + TS + "}"),
            "invalid", "invalid tag key \"a\\u000ab\""),
        arguments("value a string with CR LF", value("\"1\\r\\n2\""), "invalid", "fit at samples[0].value"),
        arguments("value a long string", value("\"" + "9".repeat(100_000) + "\""), "invalid", "fit at samples[0].value"),
        arguments("tag value wrong with key of newline", sample("{\"name\":\"cpu.usage\",\"tags\":{\"a\\nb\":5},\"value\":1,\"ts\":" + TS + "}"),
            "invalid", "fit at samples[0].tags.a\\u000ab"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejections")
  void rejects(String name, String json, String code, String fragment) {
    InvalidEventException e = rejected(json);
    assertEquals(code, e.code(), () -> name + ": wrong code, message was: " + e.getMessage());
    assertTrue(e.getMessage().contains(fragment),
        () -> name + ": message should mention «" + fragment + "» but was: " + e.getMessage());
  }

  @Test
  void rejectionsHaveOneLineMessages() {
    rejections().forEach(args -> {
      InvalidEventException e = rejected((String) args.get()[1]);
      assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f),
          () -> args.get()[0] + ": control character in " + e.getMessage());
      assertTrue(e.getMessage().length() < 1000, () -> args.get()[0] + ": message of " + e.getMessage().length() + " chars");
    });
  }

  // ---------------------------------------------------------------- size limit

  @Test
  void oversizeAgainstASmallLimit() {
    byte[] bytes = good().getBytes(StandardCharsets.UTF_8);
    Wire wire = new Wire(bytes.length - 1);
    InvalidEventException e = assertThrows(InvalidEventException.class, () -> wire.decode(bytes));
    assertEquals("oversize", e.code());
    assertTrue(e.getMessage().contains(bytes.length + " bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("limit of " + (bytes.length - 1)), e.getMessage());
  }

  @Test
  void oversizeIsCheckedBeforeParsing() {
    byte[] garbage = "x".repeat(200).getBytes(StandardCharsets.UTF_8);
    InvalidEventException e = assertThrows(InvalidEventException.class, () -> new Wire(100).decode(garbage));
    assertEquals("oversize", e.code());
  }

  @Test
  void tenMegabyteBodyAgainstTheDefaultLimit() {
    assertEquals(1024 * 1024, Wire.standard().maxBytes());
    String line = "x".repeat(10 * 1024 * 1024);
    byte[] bytes = envelope("log", "{\"source\":\"s\",\"line\":\"" + line + "\"}").getBytes(StandardCharsets.UTF_8);
    InvalidEventException e = assertThrows(InvalidEventException.class, () -> Wire.standard().decode(bytes));
    assertEquals("oversize", e.code());
    assertTrue(e.getMessage().contains(bytes.length + " bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("limit of " + Wire.DEFAULT_MAX_BYTES), e.getMessage());
  }

  @Test
  void limitCountsBytesNotChars() {
    String json = envelope("log", "{\"source\":\"s\",\"line\":\"" + "é".repeat(100) + "\",\"ts\":" + TS + "}");
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertTrue(bytes.length > json.length());
    assertEquals("oversize", assertThrows(InvalidEventException.class, () -> new Wire(json.length()).decode(bytes)).code());
    assertEquals("é".repeat(100), new Wire(bytes.length).decode(bytes).body(LogLine.class).line());
  }

  // ---------------------------------------------------------------- envelopes built in code

  @Test
  void validateRejectsAnotherVersion() {
    Envelope envelope = new Envelope(2, EventType.LOG, AGENT, 1, TS, new LogLine("s", "info", "l", TS));
    InvalidEventException e = assertThrows(InvalidEventException.class, envelope::validate);
    assertEquals("version", e.code());
    assertTrue(e.getMessage().contains("version 2"), e.getMessage());
  }

  @Test
  void validateRejectsABodyOfTheWrongType() {
    Envelope envelope = Envelope.of(EventType.METRICS, AGENT, 1, TS, new LogLine("s", "info", "l", TS));
    InvalidEventException e = assertThrows(InvalidEventException.class, envelope::validate);
    assertEquals("invalid", e.code());
    assertTrue(e.getMessage().contains("body of metrics must be a MetricsBatch"), e.getMessage());
  }

  @Test
  void validateRejectsAMissingType() {
    Envelope envelope = Envelope.of(null, AGENT, 1, TS, new LogLine("s", "info", "l", TS));
    InvalidEventException e = assertThrows(InvalidEventException.class, envelope::validate);
    assertEquals("invalid", e.code());
    assertTrue(e.getMessage().contains("type is required"), e.getMessage());
  }

  @Test
  void validateReturnsTheSameEnvelope() {
    Envelope envelope = oneOfEachType().findFirst().orElseThrow();
    assertSame(envelope, envelope.validate());
  }

  @Test
  void agentIdIsQuotedAndAbbreviatedInMessages() {
    String agent = "bad agent " + "z".repeat(200);
    InvalidEventException e = rejected(with("agent", "\"" + agent + "\""));
    assertTrue(e.getMessage().contains("\"" + agent.substring(0, 80) + "…\""), e.getMessage());
    assertFalse(e.getMessage().contains(agent), e.getMessage());
  }

  @Test
  void typesKnowTheirDirectionAndBody() {
    List<EventType> toAgent = new ArrayList<>();
    for (EventType type : EventType.values()) {
      assertEquals(type, EventType.fromWireName(type.wireName()).orElseThrow());
      if (type.direction() == EventType.Direction.TO_AGENT) {
        toAgent.add(type);
        assertEquals(type == EventType.ENROLLED ? Enrolled.class : Command.class, type.bodyType());
      }
    }
    assertEquals(List.of(EventType.CONFIG, EventType.JOB, EventType.CANCEL, EventType.ENROLLED), toAgent);
    assertTrue(EventType.fromWireName("METRICS").isEmpty());
  }
}
