package io.mirador.store.memory;

import io.mirador.store.Admission;
import io.mirador.store.IngestCounters;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Exactly-once bookkeeping of one agent's sequence numbers. The seqs skipped below the highest seen are kept as
 * ranges, so an agent first met at seq 1,000,000 costs one entry, and the number of ranges is bounded: past the
 * bound the oldest range is forgotten — its seqs stay counted as gaps but a late arrival of one of them is then
 * taken for a duplicate. Not thread-safe: the agent's lock guards it.
 */
final class SeqTracker {

  private final int maxRanges;
  private final LongConsumer onForgotten;
  /** Missing seqs, first of a range → last of it (inclusive); ranges are disjoint and not adjacent. */
  private final TreeMap<Long, Long> missing = new TreeMap<>();
  private long lastSeq;
  private long received;
  private long duplicates;
  private long gaps;

  /** @param onForgotten told how many missing seqs were forgotten whenever the bound is hit */
  SeqTracker(int maxRanges, LongConsumer onForgotten) {
    this.maxRanges = maxRanges;
    this.onForgotten = onForgotten;
  }

  Admission admit(long seq) {
    if (seq > lastSeq) {
      if (seq > lastSeq + 1) {
        missing.put(lastSeq + 1, seq - 1);
        gaps += seq - lastSeq - 1;
      }
      lastSeq = seq;
    } else if (!fill(seq)) {
      duplicates++;
      return Admission.DUPLICATE;
    }
    received++;
    forgetOverflow();
    return Admission.ACCEPTED;
  }

  IngestCounters counters() {
    return new IngestCounters(received, duplicates, gaps, lastSeq);
  }

  private boolean fill(long seq) {
    Map.Entry<Long, Long> range = missing.floorEntry(seq);
    if (range == null || range.getValue() < seq) {
      return false;
    }
    long first = range.getKey();
    long last = range.getValue();
    missing.remove(first);
    if (first < seq) {
      missing.put(first, seq - 1);
    }
    if (seq < last) {
      missing.put(seq + 1, last);
    }
    gaps--;
    return true;
  }

  private void forgetOverflow() {
    while (missing.size() > maxRanges) {
      Map.Entry<Long, Long> oldest = missing.pollFirstEntry();
      onForgotten.accept(oldest.getValue() - oldest.getKey() + 1);
    }
  }
}
