package io.mirador.model;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Carries {@link Envelope}s over the event bus: by reference inside a JVM (records are immutable),
 * as wire JSON between cluster nodes.
 */
public final class EnvelopeMessageCodec implements MessageCodec<Envelope, Envelope> {

  public static final String NAME = "mirador-envelope";

  private final Wire wire = Wire.standard();

  @Override
  public void encodeToWire(Buffer buffer, Envelope envelope) {
    byte[] bytes = wire.encode(envelope);
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  @Override
  public Envelope decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new Wire(Integer.MAX_VALUE).decode(buffer.getBytes(pos + 4, pos + 4 + length));
  }

  @Override
  public Envelope transform(Envelope envelope) {
    return envelope;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
