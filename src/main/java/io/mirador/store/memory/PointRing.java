package io.mirador.store.memory;

/**
 * The points of one series in time order, at most one per timestamp: primitive arrays used as a ring that
 * grows on demand up to its capacity (most series never fill an hour) and then overwrites its oldest point.
 * Not thread-safe: the lock of the agent that owns the series guards it.
 */
final class PointRing {

  enum Outcome {
    /** The point was stored and the ring grew by one. */
    ADDED,
    /** A point with the same timestamp was there; its value was replaced. */
    REPLACED,
    /** The ring was full: the point was stored and the oldest one overwritten. */
    EVICTED_OLDEST,
    /** The ring was full and the point older than all it holds: it would be the one evicted, so it was not stored. */
    TOO_OLD
  }

  interface PointVisitor {
    void visit(long ts, double value);
  }

  private static final int INITIAL_SLOTS = 8;

  private final int capacity;
  private long[] times;
  private double[] values;
  private int head;
  private int size;

  PointRing(int capacity) {
    this.capacity = capacity;
    int initial = Math.min(INITIAL_SLOTS, capacity);
    times = new long[initial];
    values = new double[initial];
  }

  int size() {
    return size;
  }

  long lastTs() {
    return times[slot(size - 1)];
  }

  double lastValue() {
    return values[slot(size - 1)];
  }

  /** Stores a point in time order; a late point is inserted where it belongs rather than dropped. */
  Outcome add(long ts, double value) {
    int at = firstAtOrAfter(ts);
    if (at < size && times[slot(at)] == ts) {
      values[slot(at)] = value;
      return Outcome.REPLACED;
    }
    if (size == times.length && size < capacity) {
      grow();
    }
    if (size < times.length) {
      insert(at, ts, value);
      return Outcome.ADDED;
    }
    if (at == 0) {
      return Outcome.TOO_OLD;
    }
    head = slot(1);
    size--;
    insert(at - 1, ts, value);
    return Outcome.EVICTED_OLDEST;
  }

  /** Drops the points older than {@code cutoff}; returns how many. */
  int trimBefore(long cutoff) {
    int dropped = 0;
    while (size > 0 && times[head] < cutoff) {
      head = slot(1);
      size--;
      dropped++;
    }
    return dropped;
  }

  /** Visits the points with {@code from <= ts <= to}, oldest first. */
  void forEachBetween(long from, long to, PointVisitor visitor) {
    for (int i = firstAtOrAfter(from); i < size; i++) {
      int slot = slot(i);
      if (times[slot] > to) {
        return;
      }
      visitor.visit(times[slot], values[slot]);
    }
  }

  /** Logical index of the first point with a timestamp {@code >= ts}, {@code size} when there is none. */
  private int firstAtOrAfter(long ts) {
    if (size == 0 || lastTs() < ts) {
      return size; // the usual case: samples arrive in time order
    }
    int low = 0;
    int high = size - 1;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (times[slot(mid)] < ts) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** Shifts the newer points one slot up and puts the point at logical index {@code at}; needs a free slot. */
  private void insert(int at, long ts, double value) {
    for (int i = size; i > at; i--) {
      int to = slot(i);
      int from = slot(i - 1);
      times[to] = times[from];
      values[to] = values[from];
    }
    times[slot(at)] = ts;
    values[slot(at)] = value;
    size++;
  }

  private void grow() {
    int slots = (int) Math.min(capacity, 2L * times.length);
    long[] newTimes = new long[slots];
    double[] newValues = new double[slots];
    for (int i = 0; i < size; i++) {
      newTimes[i] = times[slot(i)];
      newValues[i] = values[slot(i)];
    }
    times = newTimes;
    values = newValues;
    head = 0;
  }

  private int slot(int index) {
    int slot = head + index;
    return slot < times.length ? slot : slot - times.length;
  }
}
