package io.mirador.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The process's own metrics: counters and gauges, one registry per Vert.x instance, rendered in the
 * Prometheus text exposition format by {@link #scrape()}. Cheap enough for the ingest hot path.
 *
 * <p>Every family has a HELP text, and a counter's name ends in {@code _total} while a gauge's does not, as
 * {@code promtool check metrics} wants: a registration that breaks this is refused at once ({@code PromtoolTest}
 * runs the real promtool on {@code /metrics}).
 */
public final class Meters implements Shareable {

  private static final String MAP = "mirador.meters";

  private final ConcurrentMap<String, Family> families = new ConcurrentHashMap<>();

  public static Meters of(Vertx vertx) {
    LocalMap<String, Meters> map = vertx.sharedData().getLocalMap(MAP);
    return map.computeIfAbsent("default", key -> new Meters());
  }

  /** A counter with no labels. */
  public LongAdder counter(String name, String help) {
    return counter(name, help, Map.of());
  }

  /** A counter with labels; the same name and labels always give the same counter. */
  public LongAdder counter(String name, String help, Map<String, String> labels) {
    Family family = family(name, help, "counter");
    return family.counters.computeIfAbsent(labelText(labels), key -> new LongAdder());
  }

  /** A gauge read at scrape time; registering a name again replaces the supplier for those labels. */
  public void gauge(String name, String help, Map<String, String> labels, Supplier<? extends Number> value) {
    Family family = family(name, help, "gauge");
    family.gauges.put(labelText(labels), value);
  }

  public void gauge(String name, String help, Supplier<? extends Number> value) {
    gauge(name, help, Map.of(), value);
  }

  /** Current value of a counter or gauge, for tests and health reports; 0 when it does not exist. */
  public double value(String name, Map<String, String> labels) {
    Family family = families.get(name);
    if (family == null) {
      return 0;
    }
    String key = labelText(labels);
    LongAdder counter = family.counters.get(key);
    if (counter != null) {
      return counter.sum();
    }
    Supplier<? extends Number> gauge = family.gauges.get(key);
    return gauge == null ? 0 : gauge.get().doubleValue();
  }

  private Family family(String name, String help, String type) {
    Family family = families.get(name);
    if (family == null) {
      if (help == null || help.isBlank()) {
        throw new IllegalArgumentException(type + " " + name + " needs a help text");
      }
      if (type.equals("counter") != name.endsWith("_total")) {
        throw new IllegalArgumentException(type + " " + name + ": a counter's name ends in _total, a gauge's does not");
      }
      family = families.computeIfAbsent(name, key -> new Family(name, help, type));
    }
    if (!family.type.equals(type)) {
      throw new IllegalArgumentException(name + " is a " + family.type + ", not a " + type);
    }
    return family;
  }

  public String scrape() {
    StringBuilder out = new StringBuilder(4096);
    new TreeMap<>(families).values().forEach(family -> family.render(out));
    return out.toString();
  }

  private static String labelText(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder("{");
    new TreeMap<>(labels).forEach((key, value) -> {
      if (text.length() > 1) {
        text.append(',');
      }
      text.append(key).append("=\"").append(escape(value)).append('"');
    });
    return text.append('}').toString();
  }

  /** A HELP text as the text format wants it: backslash and line feed escaped. */
  static String escapeHelp(String help) {
    return help.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static final class Family {
    final String name;
    final String help;
    final String type;
    final ConcurrentMap<String, LongAdder> counters = new ConcurrentHashMap<>();
    final ConcurrentMap<String, Supplier<? extends Number>> gauges = new ConcurrentHashMap<>();

    Family(String name, String help, String type) {
      this.name = name;
      this.help = help;
      this.type = type;
    }

    void render(StringBuilder out) {
      out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
      out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
      new TreeMap<>(counters).forEach((labels, counter) -> line(out, labels, counter.sum()));
      new TreeMap<>(gauges).forEach((labels, gauge) -> {
        Number value;
        try {
          value = gauge.get();
        } catch (RuntimeException e) {
          return; // a gauge whose source is gone is left out rather than breaking the scrape
        }
        line(out, labels, value.doubleValue());
      });
    }

    private void line(StringBuilder out, String labels, double value) {
      out.append(name).append(labels).append(' ');
      if (value == Math.rint(value) && Math.abs(value) < 1e15) {
        out.append((long) value);
      } else {
        out.append(value);
      }
      out.append('\n');
    }
  }
}
