package io.mirador.bench;

import java.util.Arrays;

/** Latencies in milliseconds, kept exactly (a run has a few thousand probes at most), and their percentiles. */
public final class LatencyHistogram {

  private long[] values = new long[256];
  private int count;
  private long timeouts;

  public synchronized void record(long millis) {
    if (count == values.length) {
      values = Arrays.copyOf(values, count * 2);
    }
    values[count++] = millis;
  }

  /** A probe never seen within its bound. */
  public synchronized void timeout() {
    timeouts++;
  }

  public synchronized int count() {
    return count;
  }

  public synchronized long timeouts() {
    return timeouts;
  }

  /** Nearest-rank percentile (p in (0, 100]), or -1 without values. */
  public synchronized long percentile(double p) {
    if (count == 0) {
      return -1;
    }
    long[] sorted = Arrays.copyOf(values, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * count);
    return sorted[Math.max(0, Math.min(count - 1, rank - 1))];
  }

  public synchronized long max() {
    return percentile(100);
  }
}
