package io.mirador.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PointRingTest {

  /** Random appends, late inserts, replacements and trims against a sorted map that does the same the slow way. */
  @Test
  void behavesLikeABoundedSortedMap() {
    Random random = new Random(42);
    for (int capacity : new int[] {1, 2, 3, 8, 9, 50}) {
      PointRing ring = new PointRing(capacity);
      TreeMap<Long, Double> model = new TreeMap<>();
      long clock = 0;
      for (int step = 0; step < 3_000; step++) {
        int op = random.nextInt(10);
        if (op < 6) {
          clock += 1 + random.nextInt(3);
          add(ring, model, capacity, clock, random.nextDouble());
        } else if (op < 9) {
          add(ring, model, capacity, clock - random.nextInt(2 * capacity + 2), random.nextDouble());
        } else {
          long cutoff = clock - random.nextInt(4 * capacity + 4);
          int expected = model.headMap(cutoff).size();
          model.headMap(cutoff).clear();
          assertEquals(expected, ring.trimBefore(cutoff));
        }
        assertEquals(model.size(), ring.size());
        assertEquals(List.copyOf(model.entrySet()), contents(ring), "capacity " + capacity + ", step " + step);
        if (!model.isEmpty()) {
          assertEquals(model.lastKey(), ring.lastTs());
          assertEquals(model.lastEntry().getValue(), ring.lastValue());
        }
      }
    }
  }

  @Test
  void visitsOnlyTheClosedRange() {
    PointRing ring = new PointRing(10);
    for (long ts = 10; ts <= 50; ts += 10) {
      ring.add(ts, ts / 10.0);
    }
    List<Long> seen = new ArrayList<>();
    ring.forEachBetween(20, 40, (ts, value) -> seen.add(ts));
    assertEquals(List.of(20L, 30L, 40L), seen);
  }

  private static void add(PointRing ring, TreeMap<Long, Double> model, int capacity, long ts, double value) {
    PointRing.Outcome expected;
    if (model.containsKey(ts)) {
      expected = PointRing.Outcome.REPLACED;
    } else if (model.size() < capacity) {
      expected = PointRing.Outcome.ADDED;
    } else if (ts < model.firstKey()) {
      expected = PointRing.Outcome.TOO_OLD;
    } else {
      expected = PointRing.Outcome.EVICTED_OLDEST;
      model.pollFirstEntry();
    }
    if (expected != PointRing.Outcome.TOO_OLD) {
      model.put(ts, value);
    }
    assertEquals(expected, ring.add(ts, value));
  }

  private static List<Map.Entry<Long, Double>> contents(PointRing ring) {
    List<Map.Entry<Long, Double>> entries = new ArrayList<>();
    ring.forEachBetween(Long.MIN_VALUE, Long.MAX_VALUE, (ts, value) -> entries.add(Map.entry(ts, value)));
    return entries;
  }
}
