package io.mirador.store;

import io.vertx.core.Future;
import java.util.List;

/** Reads of the hot window of every series (written by {@link IngestStore#write}). */
public interface SeriesStore {

  /** The latest value of each series of one agent. */
  Future<List<LatestValue>> latest(String agentId);

  /** Points of the matching series of one agent within [from, to], averaged per step when step > 0. */
  Future<List<SeriesData>> series(SeriesQuery query);
}
