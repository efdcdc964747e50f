package io.mirador.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.store.Admission;
import io.mirador.store.IngestCounters;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeqTrackerTest {

  /** Shuffled arrivals with repeats, against a plain set of every seq seen (no bound hit). */
  @Test
  void admitsEachSeqOnceWhateverTheOrder() {
    Random random = new Random(7);
    SeqTracker tracker = new SeqTracker(Integer.MAX_VALUE, forgotten -> {
      throw new AssertionError("nothing should be forgotten");
    });
    Set<Long> seen = new HashSet<>();
    long duplicates = 0;
    long last = 0;
    for (int i = 0; i < 50_000; i++) {
      long seq = 1 + random.nextInt(20_000);
      boolean fresh = seen.add(seq);
      duplicates += fresh ? 0 : 1;
      last = Math.max(last, seq);
      assertEquals(fresh ? Admission.ACCEPTED : Admission.DUPLICATE, tracker.admit(seq), "seq " + seq);
      assertEquals(new IngestCounters(seen.size(), duplicates, last - seen.size(), last), tracker.counters());
    }
  }

  @Test
  void forgetsTheOldestRangeWhenTheBoundIsHit() {
    long[] forgotten = {0};
    SeqTracker tracker = new SeqTracker(1, n -> forgotten[0] += n);
    tracker.admit(4); // missing 1..3
    tracker.admit(6); // missing 5: two ranges, 1..3 forgotten

    assertEquals(3, forgotten[0]);
    assertEquals(Admission.DUPLICATE, tracker.admit(2));
    assertEquals(Admission.ACCEPTED, tracker.admit(5));
    assertEquals(new IngestCounters(3, 1, 3, 6), tracker.counters());
  }
}
