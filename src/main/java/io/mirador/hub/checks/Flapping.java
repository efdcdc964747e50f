package io.mirador.hub.checks;

import java.util.List;

/**
 * Flap detection as Nagios does it (flapping.c): over the last 21 statuses, each of the 20 places where the status
 * may change weighs from 0.8 (oldest) to 1.2 (newest), linearly; the percent state change is the weighted count of
 * changes × 100 / 20. A check starts flapping when that percentage goes above {@code high} and stops when it falls
 * below {@code low}; in between it keeps its state (hysteresis).
 *
 * <p>A history shorter than 21 is read as if the first status had filled the older places, as Nagios fills its
 * history with the first state it sees: the changes it has sit at the newest, heaviest end.
 */
public record Flapping(double low, double high) {

  public static final int HISTORY = 21;
  private static final double LOW_WEIGHT = 0.8;
  private static final double HIGH_WEIGHT = 1.2;

  public Flapping {
    if (!(low >= 0 && low < high && high <= 100)) {
      throw new IllegalArgumentException("flapping thresholds need 0 <= low < high <= 100, got low " + low + ", high " + high);
    }
  }

  /** Nagios's default thresholds are 20/30 per service; the issue asks for 25/50. */
  public static Flapping defaults() {
    return new Flapping(25, 50);
  }

  /** The weighted percent state change of {@code statuses} (oldest first; only the last 21 count), 0..100. */
  public static double percentStateChange(List<Integer> statuses) {
    int n = Math.min(statuses.size(), HISTORY);
    List<Integer> last = statuses.subList(statuses.size() - n, statuses.size());
    double changes = 0;
    for (int i = 1; i < n; i++) {
      if (!last.get(i).equals(last.get(i - 1))) {
        int place = HISTORY - n + i; // 1..20, 20 the newest
        changes += LOW_WEIGHT + (place - 1) * (HIGH_WEIGHT - LOW_WEIGHT) / (HISTORY - 2);
      }
    }
    return changes * 100.0 / (HISTORY - 1);
  }

  /** Whether a check that {@code wasFlapping} is flapping after its history became {@code statuses}. */
  public boolean flapping(boolean wasFlapping, double percent) {
    if (percent > high) {
      return true;
    }
    if (percent < low) {
      return false;
    }
    return wasFlapping;
  }
}
