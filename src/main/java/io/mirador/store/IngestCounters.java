package io.mirador.store;

/**
 * Per-agent accounting of sequence numbers, so loss is measured rather than guessed.
 *
 * @param received   distinct events stored
 * @param duplicates events that arrived again and were not stored twice
 * @param gaps       sequence numbers below the highest seen that never arrived (yet)
 * @param lastSeq    highest sequence number seen
 */
public record IngestCounters(long received, long duplicates, long gaps, long lastSeq) {

  public static final IngestCounters NONE = new IngestCounters(0, 0, 0, 0);
}
