package io.mirador.agent.exec.parse;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How an exec plugin writes its standard output; each format has one {@link OutputParser}, see {@link Parsers}. */
public enum OutputFormat {
  NAGIOS,
  GRAPHITE,
  INFLUX,
  OPENTSDB,
  COLLECTD,
  PROMETHEUS,
  JSON;

  /** The lower-case name used in check configuration: {@code nagios}, {@code graphite}, … */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The format called {@code name} in configuration (case and surrounding blanks do not matter).
   *
   * @throws IllegalArgumentException naming the known formats when there is no such format
   */
  public static OutputFormat fromName(String name) {
    if (name != null) {
      String wanted = name.strip().toLowerCase(Locale.ROOT);
      for (OutputFormat format : values()) {
        if (format.configName().equals(wanted)) {
          return format;
        }
      }
    }
    throw new IllegalArgumentException("unknown output format " + (name == null ? "null" : "'" + name + "'")
        + "; known formats: " + Arrays.stream(values()).map(OutputFormat::configName).collect(Collectors.joining(", ")));
  }
}
