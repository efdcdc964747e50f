package io.mirador.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON wire format of {@link Envelope}s: strict decoding with a reason for every rejection, and encoding.
 * Thread-safe; one instance serves the whole process.
 */
public final class Wire {

  /** Default bound on one encoded envelope; configurable per process through {@link #Wire(int)}. */
  public static final int DEFAULT_MAX_BYTES = 1024 * 1024;

  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .addModule(new SimpleModule().addSerializer(EventType.class, new EventTypeSerializer()))
      .build();

  static {
    // "12.5" is not a number and 12.5 is not a string: the wire is strict about types
    MAPPER.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    MAPPER.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    MAPPER.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    // same doubles as Double.parseDouble, faster (Jackson's FastDoubleParser)
    MAPPER.getFactory().enable(JsonParser.Feature.USE_FAST_DOUBLE_PARSER);
  }

  /** Longest Jackson message quoted in a rejection reason. */
  private static final int MAX_REASON = 300;

  private static final Wire DEFAULT = new Wire(DEFAULT_MAX_BYTES);

  private final int maxBytes;

  public Wire(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  public static Wire standard() { return DEFAULT; }

  public int maxBytes() { return maxBytes; }

  /** Parses and validates; throws {@link InvalidEventException} whose message says why the bytes are no envelope. */
  public Envelope decode(byte[] bytes) {
    if (bytes.length > maxBytes) {
      throw new InvalidEventException("oversize", "message of " + bytes.length + " bytes exceeds the limit of " + maxBytes);
    }
    Envelope metrics = MetricsFastPath.decode(bytes);
    return metrics != null ? metrics.validate() : decodeTree(bytes);
  }

  /** The strict path every input can take; {@link MetricsFastPath} is a shortcut for the commonest valid input. */
  Envelope decodeTree(byte[] bytes) {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new InvalidEventException("malformed", "not JSON: " + firstLine(e));
    }
    return decode(tree);
  }

  public Envelope decode(JsonNode tree) {
    if (tree == null || !tree.isObject()) {
      throw new InvalidEventException("malformed", "an envelope must be a JSON object");
    }
    JsonNode version = tree.get("v");
    if (version == null || !version.isInt() || version.intValue() != Envelope.VERSION) {
      throw new InvalidEventException("version", "unsupported envelope version " + version + ", this hub speaks " + Envelope.VERSION);
    }
    JsonNode typeNode = tree.get("type");
    if (typeNode == null || !typeNode.isTextual()) {
      throw new InvalidEventException("type", "type is required and must be a string");
    }
    EventType type = EventType.fromWireName(typeNode.textValue())
        .orElseThrow(() -> new InvalidEventException("type", "unknown event type " + Envelope.quote(typeNode.textValue())));
    String agent = text(tree, "agent");
    long seq = integer(tree, "seq");
    long ts = integer(tree, "ts");
    JsonNode bodyNode = tree.get("body");
    if (bodyNode == null || !bodyNode.isObject()) {
      throw new InvalidEventException("invalid", "body must be a JSON object");
    }
    EventBody body;
    try {
      body = MAPPER.treeToValue(bodyNode, type.bodyType());
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new InvalidEventException("invalid", "body of " + type.wireName() + " does not fit" + at(e) + ": " + firstLine(e));
    }
    return new Envelope(Envelope.VERSION, type, agent, seq, ts, body).validate();
  }

  public byte[] encode(Envelope envelope) {
    try {
      return MAPPER.writeValueAsBytes(envelope);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(JsonNode tree, String field) {
    JsonNode node = tree.get(field);
    if (node == null || !node.isTextual()) {
      throw new InvalidEventException("invalid", field + " is required and must be a string");
    }
    return node.textValue();
  }

  private static long integer(JsonNode tree, String field) {
    JsonNode node = tree.get(field);
    // an integer literal: not 42.0, not 4e1, not "42" (as the body's integers)
    if (node == null || !node.isIntegralNumber()) {
      throw new InvalidEventException("invalid", field + " is required and must be an integer");
    }
    if (!node.canConvertToLong()) {
      throw new InvalidEventException("invalid", Envelope.outOfRange(field, node.asText()));
    }
    return node.longValue();
  }

  /** Where in the body Jackson gave up, e.g. {@code " at samples[0].value"}, so the reason names the field. */
  private static String at(Exception e) {
    if (!(e instanceof JsonMappingException jme) || jme.getPath().isEmpty()) {
      return "";
    }
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : jme.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "" : " at " + Envelope.printable(path.toString());
  }

  private static String firstLine(Exception e) {
    String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    // Jackson quotes input in its messages: no control characters and no megabyte string in a log line or header
    line = line.length() > MAX_REASON ? line.substring(0, MAX_REASON) + "…" : line;
    return line.replaceAll("\\p{Cntrl}", "?");
  }

  private static final class EventTypeSerializer extends StdSerializer<EventType> {
    EventTypeSerializer() {
      super(EventType.class);
    }

    @Override
    public void serialize(EventType value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeString(value.wireName());
    }
  }
}
