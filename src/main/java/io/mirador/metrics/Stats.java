package io.mirador.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A snapshot of a component's own numbers (a store's sizes and counters), each with its Prometheus type and HELP
 * text, for {@code /metrics}. The description is given where the value is, so no family can reach {@code /metrics}
 * without one:
 *
 * <pre>{@code
 * return new Stats()
 *     .gauge("series", "Series held in memory", seriesCount.get())
 *     .counter("series_rejected", "New series refused because maxSeries was reached", seriesRejected.sum());
 * }</pre>
 *
 * <p>Names are snake_case and given without a prefix; {@link #render} adds one ({@code mirador_store_}), and a
 * counter's family name also gets {@code _total} — so a counter is named without it here, and {@link #get} and
 * {@link #values} use these short names.
 */
public final class Stats {

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /** The Prometheus type of a value: a counter only ever grows (until a restart), a gauge goes up and down. */
  public enum Kind { COUNTER, GAUGE }

  /** One value with what it means. */
  public record Stat(String name, Kind kind, String help, long value) {
  }

  private final Map<String, Stat> stats = new LinkedHashMap<>();

  /** A value that only grows; rendered as {@code <prefix><name>_total}. */
  public Stats counter(String name, String help, long value) {
    return add(new Stat(name, Kind.COUNTER, help, value));
  }

  /** A value that goes up and down (a size, a 0/1 state); rendered as {@code <prefix><name>}. */
  public Stats gauge(String name, String help, long value) {
    return add(new Stat(name, Kind.GAUGE, help, value));
  }

  private Stats add(Stat stat) {
    if (!NAME.matcher(stat.name()).matches()) {
      throw new IllegalArgumentException("stat name must be snake_case, got '" + stat.name() + "'");
    }
    if (stat.name().endsWith("_total")) {
      throw new IllegalArgumentException("stat " + stat.name() + ": give a counter's name without _total, render adds it");
    }
    if (stat.help() == null || stat.help().isBlank()) {
      throw new IllegalArgumentException("stat " + stat.name() + " needs a help text");
    }
    if (stats.putIfAbsent(stat.name(), stat) != null) {
      throw new IllegalArgumentException("stat " + stat.name() + " given twice");
    }
    return this;
  }

  /** The value of a stat by its short name, or null when there is none. */
  public Long get(String name) {
    Stat stat = stats.get(name);
    return stat == null ? null : stat.value();
  }

  /** Every value by short name, in the order they were added. */
  public Map<String, Long> values() {
    Map<String, Long> values = new LinkedHashMap<>();
    stats.forEach((name, stat) -> values.put(name, stat.value()));
    return values;
  }

  /** Every stat with its kind and help, in the order they were added. */
  public Map<String, Stat> all() {
    return Collections.unmodifiableMap(stats);
  }

  /** Appends each stat as a family of the Prometheus text format, {@code # HELP} and {@code # TYPE} first, by name. */
  public void render(String prefix, StringBuilder out) {
    new TreeMap<>(stats).values().forEach(stat -> {
      String family = prefix + stat.name() + (stat.kind() == Kind.COUNTER ? "_total" : "");
      out.append("# HELP ").append(family).append(' ').append(Meters.escapeHelp(stat.help())).append('\n');
      out.append("# TYPE ").append(family).append(' ').append(stat.kind() == Kind.COUNTER ? "counter" : "gauge").append('\n');
      out.append(family).append(' ').append(stat.value()).append('\n');
    });
  }

  @Override
  public String toString() {
    return values().toString();
  }
}
