package io.mirador.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the common case of the hub's hottest input — a well-formed {@code metrics} envelope, fields in the order
 * agents write them — in one streaming pass, with no tree and no object mapper: the {@link Wire} tree path spent
 * a third of the hub's CPU on these.
 *
 * <p>It accepts only input it fully understands and gives up ({@code null}) on anything else — another type, the
 * body before the type, a duplicate field, a null, a string where a number belongs, a number beyond a long,
 * malformed JSON — and {@link Wire#decode} then takes the strict tree path, which accepts or rejects the input
 * with its reason. So what this path accepts, the tree path accepts with the same result, and every rejection
 * keeps its exact reason; {@code WireFastPathTest} holds the two paths to that. What it builds is validated as the
 * tree path's result is ({@link Envelope#validate}): the ranges the store needs (seq and timestamps 1..2^53) are
 * checked in that one place for both paths.
 */
final class MetricsFastPath {

  private MetricsFastPath() {
  }

  /** The envelope, not yet validated; or null when the input is not the plain case. */
  static Envelope decode(byte[] bytes) {
    try (JsonParser p = Wire.MAPPER.getFactory().createParser(bytes)) {
      Envelope envelope = envelope(p);
      // trailing tokens after the envelope: the tree path rejects them
      return envelope != null && p.nextToken() == null ? envelope : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Envelope envelope(JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    boolean version = false;
    boolean typed = false;
    String agent = null;
    long seq = 0;
    long ts = 0;
    boolean hasSeq = false;
    boolean hasTs = false;
    List<Sample> samples = null;
    String field;
    while ((field = p.nextFieldName()) != null) {
      JsonToken value = p.nextToken();
      switch (field) {
        case "v" -> {
          if (version || value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
              || p.getIntValue() != Envelope.VERSION) {
            return null;
          }
          version = true;
        }
        case "type" -> {
          if (typed || value != JsonToken.VALUE_STRING || !EventType.METRICS.wireName().equals(p.getText())) {
            return null;
          }
          typed = true;
        }
        case "agent" -> {
          if (agent != null || value != JsonToken.VALUE_STRING) {
            return null;
          }
          agent = p.getText();
        }
        case "seq" -> {
          if (hasSeq || !isLong(p, value)) {
            return null;
          }
          seq = p.getLongValue();
          hasSeq = true;
        }
        case "ts" -> {
          if (hasTs || !isLong(p, value)) {
            return null;
          }
          ts = p.getLongValue();
          hasTs = true;
        }
        case "body" -> {
          // the body's meaning depends on the type: one that comes first is the tree path's case
          if (!typed || samples != null || value != JsonToken.START_OBJECT || (samples = body(p)) == null) {
            return null;
          }
        }
        default -> p.skipChildren(); // unknown fields are ignored, as on the tree path
      }
    }
    if (!version || !typed || agent == null || !hasSeq || !hasTs || samples == null) {
      return null;
    }
    return new Envelope(Envelope.VERSION, EventType.METRICS, agent, seq, ts, new MetricsBatch(samples));
  }

  /** The samples of a metrics body, the parser on its opening brace; null when not the plain case. */
  private static List<Sample> body(JsonParser p) throws IOException {
    List<Sample> samples = null;
    String field;
    while ((field = p.nextFieldName()) != null) {
      JsonToken value = p.nextToken();
      if (!field.equals("samples")) {
        p.skipChildren();
        continue;
      }
      if (samples != null || value != JsonToken.START_ARRAY) {
        return null;
      }
      samples = new ArrayList<>(128);
      JsonToken element;
      while ((element = p.nextToken()) != JsonToken.END_ARRAY) {
        Sample sample = element == JsonToken.START_OBJECT ? sample(p) : null;
        if (sample == null || samples.size() == MetricsBatch.MAX_SAMPLES) {
          return null;
        }
        samples.add(sample);
      }
    }
    return samples;
  }

  private static Sample sample(JsonParser p) throws IOException {
    String name = null;
    Map<String, String> tags = null;
    double number = 0;
    long ts = 0;
    boolean hasValue = false;
    boolean hasTs = false;
    String field;
    while ((field = p.nextFieldName()) != null) {
      JsonToken value = p.nextToken();
      switch (field) {
        case "name" -> {
          if (name != null || value != JsonToken.VALUE_STRING) {
            return null;
          }
          name = p.getText();
        }
        case "tags" -> {
          if (tags != null || value != JsonToken.START_OBJECT || (tags = tags(p)) == null) {
            return null;
          }
        }
        case "value" -> {
          if (hasValue || (value != JsonToken.VALUE_NUMBER_FLOAT && value != JsonToken.VALUE_NUMBER_INT)) {
            return null;
          }
          number = p.getDoubleValue();
          hasValue = true;
        }
        case "ts" -> {
          if (hasTs || !isLong(p, value)) {
            return null;
          }
          ts = p.getLongValue();
          hasTs = true;
        }
        default -> p.skipChildren();
      }
    }
    return name != null && hasValue && hasTs ? new Sample(name, tags, number, ts) : null;
  }

  /** String values only; the parser on the opening brace. */
  private static Map<String, String> tags(JsonParser p) throws IOException {
    Map<String, String> tags = new LinkedHashMap<>(8); // in wire order, as the tree path keeps them
    String key;
    while ((key = p.nextFieldName()) != null) {
      if (p.nextToken() != JsonToken.VALUE_STRING || tags.put(key, p.getText()) != null) {
        return null;
      }
    }
    return tags;
  }

  private static boolean isLong(JsonParser p, JsonToken token) throws IOException {
    if (token != JsonToken.VALUE_NUMBER_INT) {
      return false;
    }
    JsonParser.NumberType type = p.getNumberType();
    return type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG;
  }
}
