package io.mirador.agent.exec.parse;

/**
 * Graphite's plaintext protocol, one metric per line: {@code path value [timestamp]}, fields separated by blanks, the
 * timestamp in epoch seconds (fractions allowed); a missing timestamp or {@code -1} means now.
 *
 * <p>The tagged form {@code path;tag=value;tag2=value2 value timestamp} puts Graphite tags into Mirador tags. The path
 * becomes the metric name by {@link MetricNames#name} ({@code Servers.web-01.CPU} gives {@code servers.web_01.cpu}).
 * A line with fewer than two or more than three fields, a value that is no plain decimal number, a timestamp that
 * is no plausible epoch time, or a tag without {@code =} is an error.
 */
public final class GraphiteParser extends LineParser {

  @Override
  void parseLine(int number, String line, ParseSink sink) {
    String[] fields = line.strip().split("\\s+");
    if (fields.length < 2 || fields.length > 3) {
      sink.error(number, line, "expected 'path value [timestamp]', got " + fields.length + " field(s)");
      return;
    }
    Double value = Values.decimal(fields[1]);
    if (value == null) {
      sink.error(number, line, "value '" + LineError.cut(fields[1]) + "' is not a number");
      return;
    }
    long ts = sink.now();
    if (fields.length == 3 && !fields[2].equals("-1")) {
      Double seconds = Values.decimal(fields[2]);
      ts = seconds == null ? -1 : Values.millisFromSeconds(seconds);
      if (ts < 0) {
        sink.error(number, line, "timestamp '" + LineError.cut(fields[2]) + "' is not epoch seconds");
        return;
      }
    }
    String[] parts = fields[0].split(";", -1);
    Tags tags = new Tags();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq <= 0 || eq == parts[i].length() - 1) {
        sink.error(number, line, "tag '" + LineError.cut(parts[i]) + "' is not tag=value");
        return;
      }
      tags.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
    }
    sink.sample(number, line, MetricNames.name(parts[0]), parts[0], tags, value, ts);
  }
}
