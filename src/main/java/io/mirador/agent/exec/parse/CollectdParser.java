package io.mirador.agent.exec.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * collectd's plain text protocol as its exec plugin reads it:
 * {@code PUTVAL "host/plugin[-instance]/type[-instance]" [interval=10] time:value[:value...] [time:value...]}.
 *
 * <p>The identifier may be double-quoted (backslash escapes inside). {@code time} is {@code N} (now) or epoch seconds;
 * a value {@code U} (undefined) gives no sample. Each value list gives samples named
 * {@code <plugin>.<type>} (each cleaned by {@link MetricNames#name}) when it holds one value; with several values the
 * name ends in the data source name for the few well-known collectd types below (e.g. {@code load.load.shortterm},
 * {@code interface.if_octets.rx}), or else in the value's index: {@code .0}, {@code .1}… Tags: {@code host}, and
 * {@code plugin_instance} and {@code type_instance} when present. Options ({@code interval=…} and others) are read
 * and otherwise ignored. {@code PUTNOTIF} lines are notifications, not values: ignored without error. Any other
 * command, a malformed identifier or a value list with a non-number is an error.
 */
public final class CollectdParser extends LineParser {

  /** Data source names of multi-value types from collectd's types.db. */
  private static final Map<String, List<String>> DATA_SOURCES = Map.ofEntries(
      Map.entry("load", List.of("shortterm", "midterm", "longterm")),
      Map.entry("if_octets", List.of("rx", "tx")),
      Map.entry("if_packets", List.of("rx", "tx")),
      Map.entry("if_errors", List.of("rx", "tx")),
      Map.entry("if_dropped", List.of("rx", "tx")),
      Map.entry("io_octets", List.of("rx", "tx")),
      Map.entry("io_packets", List.of("rx", "tx")),
      Map.entry("disk_octets", List.of("read", "write")),
      Map.entry("disk_ops", List.of("read", "write")),
      Map.entry("disk_time", List.of("read", "write")),
      Map.entry("disk_merged", List.of("read", "write")),
      Map.entry("disk_io_time", List.of("io_time", "weighted_io_time")),
      Map.entry("ps_cputime", List.of("user", "syst")),
      Map.entry("ps_count", List.of("processes", "threads")),
      Map.entry("ps_disk_octets", List.of("read", "write")),
      Map.entry("ps_disk_ops", List.of("read", "write")),
      Map.entry("ps_pagefaults", List.of("minflt", "majflt")));

  @Override
  void parseLine(int number, String line, ParseSink sink) {
    List<String> tokens = tokens(line);
    if (tokens == null) {
      sink.error(number, line, "quoted string has no closing quote");
      return;
    }
    String command = tokens.get(0).toUpperCase(Locale.ROOT);
    if (command.equals("PUTNOTIF")) {
      return;
    }
    if (!command.equals("PUTVAL")) {
      sink.error(number, line, "unknown command '" + LineError.cut(tokens.get(0)) + "', expected PUTVAL");
      return;
    }
    if (tokens.size() < 3) {
      sink.error(number, line, "expected 'PUTVAL host/plugin/type [options] time:value[:value...]'");
      return;
    }
    String[] parts = tokens.get(1).split("/", -1);
    if (parts.length != 3 || parts[0].isEmpty()) {
      sink.error(number, line, "identifier '" + LineError.cut(tokens.get(1)) + "' is not host/plugin[-instance]/type[-instance]");
      return;
    }
    String[] plugin = instance(parts[1]);
    String[] type = instance(parts[2]);
    String pluginName = MetricNames.name(plugin[0]);
    String typeName = MetricNames.name(type[0]);
    if (pluginName.isEmpty() || typeName.isEmpty()) {
      sink.error(number, line, "identifier '" + LineError.cut(tokens.get(1)) + "' has no usable plugin or type name");
      return;
    }
    String base = MetricNames.join(pluginName, typeName);
    Tags tags = new Tags().put("host", parts[0]);
    if (!plugin[1].isEmpty()) {
      tags.put("plugin_instance", plugin[1]);
    }
    if (!type[1].isEmpty()) {
      tags.put("type_instance", type[1]);
    }
    List<String[]> valueLists = new ArrayList<>();
    for (String token : tokens.subList(2, tokens.size())) {
      int eq = token.indexOf('=');
      if (eq >= 0 && token.indexOf(':') < 0) {
        if (eq == 0 || (token.startsWith("interval=") && positive(token.substring(eq + 1)) == null)) {
          sink.error(number, line, "option '" + LineError.cut(token) + "' is not key=value with a positive interval");
          return;
        }
      } else {
        valueLists.add(token.split(":", -1));
      }
    }
    if (valueLists.isEmpty()) {
      sink.error(number, line, "no value list");
      return;
    }
    List<String> names = DATA_SOURCES.get(type[0]);
    for (String[] values : valueLists) {
      long ts = values[0].equals("N") ? sink.now() : seconds(values[0]);
      if (ts < 0 || values.length < 2) {
        sink.error(number, line, "value list '" + LineError.cut(String.join(":", values)) + "' is not time:value[:value...]");
        continue;
      }
      int count = values.length - 1;
      for (int i = 0; i < count; i++) {
        String raw = values[i + 1];
        if (raw.equals("U")) {
          continue;
        }
        Double value = Values.decimal(raw);
        if (value == null) {
          sink.error(number, line, "value '" + LineError.cut(raw) + "' is not a number");
          continue;
        }
        String suffix = count == 1 ? "" : names != null && names.size() == count ? names.get(i) : Integer.toString(i);
        sink.sample(number, line, MetricNames.join(base, suffix), tokens.get(1), tags, value, ts);
      }
    }
  }

  /** {@code name-instance} split at the first {@code -}: the name and the instance ({@code ""} when none). */
  private static String[] instance(String part) {
    int dash = part.indexOf('-');
    return dash < 0 ? new String[] {part, ""} : new String[] {part.substring(0, dash), part.substring(dash + 1)};
  }

  private static Double positive(String text) {
    Double value = Values.decimal(text);
    return value != null && value > 0 && Double.isFinite(value) ? value : null;
  }

  private static long seconds(String text) {
    Double value = Values.decimal(text);
    return value == null ? -1 : Values.millisFromSeconds(value);
  }

  /** The blank-separated tokens of {@code line}, double quotes grouping (with backslash escapes); {@code null} on an open quote. */
  static List<String> tokens(String line) {
    List<String> tokens = new ArrayList<>();
    StringBuilder token = new StringBuilder();
    boolean inToken = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        inToken = true;
        i++;
        boolean closed = false;
        while (i < line.length()) {
          char q = line.charAt(i);
          if (q == '\\' && i + 1 < line.length()) {
            token.append(line.charAt(i + 1));
            i += 2;
          } else if (q == '"') {
            closed = true;
            break;
          } else {
            token.append(q);
            i++;
          }
        }
        if (!closed) {
          return null;
        }
      } else if (Character.isWhitespace(c)) {
        if (inToken) {
          tokens.add(token.toString());
          token.setLength(0);
          inToken = false;
        }
      } else {
        token.append(c);
        inToken = true;
      }
    }
    if (inToken) {
      tokens.add(token.toString());
    }
    return tokens;
  }
}
