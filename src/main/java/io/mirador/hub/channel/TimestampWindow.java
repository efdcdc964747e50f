package io.mirador.hub.channel;

import io.mirador.config.Settings;
import io.mirador.model.Envelope;
import io.mirador.model.InvalidEventException;
import io.vertx.core.json.JsonObject;

/**
 * How far from the hub's clock an envelope's {@code ts} may be ({@code hub.ingest.maxAgeSeconds} back,
 * {@code hub.ingest.maxFutureSeconds} ahead): an agent's spool may hold events of a few days, a clock may be a little
 * ahead; a ts of 1e16 or 2^63-1 is neither, and such an envelope is dead-lettered with reason {@code timestamp} before
 * it can create or touch an agent.
 */
record TimestampWindow(long maxAgeMs, long maxFutureMs) {

  static TimestampWindow of(JsonObject config) {
    JsonObject ingest = Settings.section(config, "hub", "ingest");
    return new TimestampWindow(Settings.positiveInt(ingest, "maxAgeSeconds", 7 * 24 * 3600) * 1000L,
        Settings.positiveInt(ingest, "maxFutureSeconds", 600) * 1000L);
  }

  /** Throws {@link InvalidEventException} (code {@code timestamp}) when the envelope's ts is outside the window around {@code now}. */
  void check(Envelope event, long now) {
    if (event.ts() < now - maxAgeMs) {
      throw new InvalidEventException("timestamp", "ts " + event.ts() + " is more than hub.ingest.maxAgeSeconds = " + maxAgeMs / 1000
          + " s before the hub's clock (" + now + ")");
    }
    if (event.ts() > now + maxFutureMs) {
      throw new InvalidEventException("timestamp", "ts " + event.ts() + " is more than hub.ingest.maxFutureSeconds = " + maxFutureMs / 1000
          + " s after the hub's clock (" + now + ")");
    }
  }
}
