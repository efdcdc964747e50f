package io.mirador.agent.collect;

import io.mirador.model.Sample;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Turns cumulative counters into per-second rates; the one place that decides what a reset looks like.
 *
 * <p>A counter that went backwards was reset (device re-plugged, driver reloaded, a 32-bit counter wrapped):
 * the value is skipped for that round rather than reported as a negative rate or a huge spike. The next round
 * measures from the new, lower value again.
 */
final class Rates {

  private Rates() {
  }

  /** Change per second of a counter read {@code elapsedMs} apart; empty when no time passed or the counter went backwards. */
  static OptionalDouble perSecond(long previous, long current, long elapsedMs) {
    if (elapsedMs <= 0 || current < previous) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of((current - previous) * 1000.0 / elapsedMs);
  }

  /** Appends the {@link #perSecond} rate as a sample, or nothing when there is no rate this round. */
  static void addPerSecond(List<Sample> out, String name, Map<String, String> tags,
      long previous, long current, long elapsedMs, long ts) {
    perSecond(previous, current, elapsedMs).ifPresent(rate -> out.add(Sample.of(name, tags, rate, ts)));
  }

  /** {@code 100 * part / whole}, the percentage every collector reports. */
  static double percent(double part, double whole) {
    return 100.0 * part / whole;
  }
}
