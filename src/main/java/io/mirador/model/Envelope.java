package io.mirador.model;

import java.util.regex.Pattern;

/**
 * The one envelope for everything that crosses a process boundary (RabbitMQ, SockJS, spool files).
 * Build one with {@link #of}; read one from bytes with {@link Wire#decode}, which validates it.
 *
 * @param v    format version, {@value #VERSION}
 * @param seq  per agent, strictly increasing across restarts; the hub stores each (agent, seq) once
 * @param ts   when the agent made the event, epoch milliseconds
 */
public record Envelope(int v, EventType type, String agent, long seq, long ts, EventBody body) {

  public static final int VERSION = 1;
  public static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /**
   * The largest seq the hub takes, 2^53: the Redis store keeps seqs as Lua numbers (doubles), exact up to there, and
   * refuses a larger one. A larger seq is rejected here, with its reason, rather than failing at every store attempt.
   */
  public static final long MAX_SEQ = 1L << 53;

  /** The latest timestamp (epoch ms) the hub takes, 2^53, for the same reason: the store compares them as doubles. */
  public static final long MAX_TS = 1L << 53;

  public static Envelope of(EventType type, String agent, long seq, long ts, EventBody body) {
    return new Envelope(VERSION, type, agent, seq, ts, body);
  }

  /** Throws {@link InvalidEventException} with the first reason this envelope cannot be accepted. */
  public Envelope validate() {
    if (v != VERSION) {
      throw new InvalidEventException("version", "unsupported envelope version " + v + ", this hub speaks " + VERSION);
    }
    InvalidEventException.require(type != null, "type is required");
    InvalidEventException.require(agent != null && AGENT_ID.matcher(agent).matches(), "agent must match " + AGENT_ID.pattern() + ", got " + quote(agent));
    if (seq <= 0 || seq > MAX_SEQ) {
      throw new InvalidEventException("invalid", outOfRange("seq", seq));
    }
    if (ts <= 0 || ts > MAX_TS) {
      throw new InvalidEventException("invalid", outOfRange("ts", ts));
    }
    InvalidEventException.require(body != null, "body is required for " + type.wireName());
    InvalidEventException.require(type.bodyType().isInstance(body), "body of " + type.wireName() + " must be a " + type.bodyType().getSimpleName());
    body.validate();
    return this;
  }

  public <B extends EventBody> B body(Class<B> bodyType) {
    return bodyType.cast(body);
  }

  /** The reason for a seq or timestamp outside 1..2^53 ({@link #MAX_SEQ}, {@link #MAX_TS}); {@code got} is cut as input is. */
  static String outOfRange(String field, Object got) {
    return field + " out of range: must be 1..2^53 (" + MAX_SEQ + "), got " + printable(String.valueOf(got));
  }

  static String quote(String s) {
    return s == null ? "null" : '"' + printable(s) + '"';
  }

  /** Input echoed in a reason, cut to 80 chars: the reason goes into log lines and dead-letter headers, so no raw control characters. */
  static String printable(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    StringBuilder out = new StringBuilder(cut.length());
    for (char c : cut.toCharArray()) {
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
