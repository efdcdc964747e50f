package io.mirador.hub.alert;

import java.util.Arrays;
import java.util.Locale;

/** How a threshold rule reduces the points of its window to one value. */
public enum Agg {
  LAST, AVG, MIN, MAX, SUM, COUNT, RATE, P50, P90, P95, P99;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Agg named(String name) {
    for (Agg agg : values()) {
      if (agg.wireName().equals(name)) {
        return agg;
      }
    }
    throw new IllegalArgumentException("agg must be one of last, avg, min, max, sum, count, rate, p50, p90, p95, p99; got '" + name + "'");
  }

  /**
   * The value of {@code n} points, oldest first ({@code ts} epoch ms); NaN when there is none (and for a rate, fewer
   * than two). A rate is per second between the first and last point, a counter reset (a drop) counting from zero.
   */
  public double apply(long[] ts, double[] values, int from, int n) {
    if (n <= 0) {
      return Double.NaN;
    }
    int end = from + n;
    switch (this) {
      case LAST:
        return values[end - 1];
      case COUNT:
        return n;
      case SUM:
      case AVG: {
        double sum = 0;
        for (int i = from; i < end; i++) {
          sum += values[i];
        }
        return this == SUM ? sum : sum / n;
      }
      case MIN: {
        double min = Double.POSITIVE_INFINITY;
        for (int i = from; i < end; i++) {
          min = Math.min(min, values[i]);
        }
        return min;
      }
      case MAX: {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < end; i++) {
          max = Math.max(max, values[i]);
        }
        return max;
      }
      case RATE: {
        if (n < 2 || ts[end - 1] <= ts[from]) {
          return Double.NaN;
        }
        double increase = 0;
        for (int i = from + 1; i < end; i++) {
          double delta = values[i] - values[i - 1];
          increase += delta >= 0 ? delta : values[i];
        }
        return increase * 1000.0 / (ts[end - 1] - ts[from]);
      }
      default: {
        double q = switch (this) {
          case P50 -> 0.50;
          case P90 -> 0.90;
          case P95 -> 0.95;
          default -> 0.99;
        };
        double[] sorted = Arrays.copyOfRange(values, from, end);
        Arrays.sort(sorted);
        // nearest rank, as most dashboards read a percentile
        int rank = (int) Math.ceil(q * n);
        return sorted[Math.max(0, Math.min(n - 1, rank - 1))];
      }
    }
  }
}
