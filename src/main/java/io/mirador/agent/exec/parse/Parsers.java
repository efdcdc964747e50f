package io.mirador.agent.exec.parse;

/** The parser for each {@link OutputFormat}; parsers are stateless, so these are shared instances. */
public final class Parsers {

  private static final OutputParser NAGIOS = new NagiosParser();
  private static final OutputParser GRAPHITE = new GraphiteParser();
  private static final OutputParser INFLUX = new InfluxLineParser();
  private static final OutputParser OPENTSDB = new OpenTsdbParser();
  private static final OutputParser COLLECTD = new CollectdParser();
  private static final OutputParser PROMETHEUS = new PrometheusTextParser();
  private static final OutputParser JSON = new JsonParser();

  private Parsers() {
  }

  public static OutputParser forFormat(OutputFormat format) {
    if (format == null) {
      throw new IllegalArgumentException("an output format is required");
    }
    return switch (format) {
      case NAGIOS -> NAGIOS;
      case GRAPHITE -> GRAPHITE;
      case INFLUX -> INFLUX;
      case OPENTSDB -> OPENTSDB;
      case COLLECTD -> COLLECTD;
      case PROMETHEUS -> PROMETHEUS;
      case JSON -> JSON;
    };
  }
}
