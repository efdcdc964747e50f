package io.mirador.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * An envelope in its wire bytes, with the fields a transport needs to send it (routing key, message properties,
 * log lines) next to them. The agent encodes each numbered event once, into one of these: the bytes it appends to
 * its spool are the bytes it publishes, and a replay publishes the bytes it reads back as they are.
 *
 * <p>{@link #read} takes those fields off bytes without decoding the body: it reads the envelope's fields in the
 * order they come and stops when it has them, which is before the body in everything {@link Wire#encode} writes.
 * It does not validate the event; the hub does that with {@link Wire#decode}, as for any message.
 *
 * @param bytes the encoded envelope, shared, never changed
 */
public record EncodedEnvelope(EventType type, String agent, long seq, long ts, byte[] bytes) {

  /** Encodes the envelope. */
  public static EncodedEnvelope of(Envelope envelope) {
    return new EncodedEnvelope(envelope.type(), envelope.agent(), envelope.seq(), envelope.ts(), Wire.standard().encode(envelope));
  }

  /**
   * The fields of an encoded envelope ahead of its body. Throws {@link InvalidEventException} when the bytes are
   * not a JSON object, or lack a known {@code type}, a positive {@code seq}, an {@code agent} or a {@code ts}, or
   * carry another version: a transport could not send those as they are.
   */
  public static EncodedEnvelope read(byte[] bytes) {
    try (JsonParser p = Wire.MAPPER.getFactory().createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidEventException("malformed", "an envelope must be a JSON object");
      }
      boolean versioned = false;
      EventType type = null;
      String agent = null;
      long seq = 0;
      long ts = 0;
      boolean hasTs = false;
      String field;
      while ((field = p.nextFieldName()) != null) {
        JsonToken value = p.nextToken();
        switch (field) {
          case "v" -> {
            if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() != Envelope.VERSION) {
              throw new InvalidEventException("version", "unsupported envelope version " + p.getText());
            }
            versioned = true;
          }
          case "type" -> {
            String name = value == JsonToken.VALUE_STRING ? p.getText() : null;
            type = name == null ? null : EventType.fromWireName(name).orElse(null);
            if (type == null) {
              throw new InvalidEventException("type", "unknown event type " + Envelope.quote(p.getText()));
            }
          }
          case "agent" -> agent = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "seq" -> seq = integer(p, value, "seq");
          case "ts" -> {
            ts = integer(p, value, "ts");
            hasTs = true;
          }
          default -> p.skipChildren(); // the body, when it comes before the rest
        }
        if (versioned && type != null && agent != null && seq > 0 && hasTs) {
          return new EncodedEnvelope(type, agent, seq, ts, bytes);
        }
      }
      throw new InvalidEventException("invalid", "an envelope needs v, type, agent, a positive seq and ts");
    } catch (IOException e) {
      throw new InvalidEventException("malformed", "not JSON: " + e.getClass().getSimpleName());
    }
  }

  private static long integer(JsonParser p, JsonToken value, String field) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw new InvalidEventException("invalid", field + " must be an integer");
    }
    return p.getLongValue();
  }
}
