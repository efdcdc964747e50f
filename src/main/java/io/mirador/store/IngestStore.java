package io.mirador.store;

import io.vertx.core.Future;

/** The engine's one write: everything an event changes, applied once per (agent, seq). */
public interface IngestStore {

  /**
   * Applies one event's writes exactly once per (agent, seq): a seq seen before is a {@link Admission#DUPLICATE}
   * and changes nothing but the duplicate counter; a seq above the highest seen counts the skipped ones as gaps,
   * and a later arrival of a skipped seq fills its gap. The admission and the writes happen atomically.
   */
  Future<Admission> write(String agentId, long seq, WriteBatch batch);
}
