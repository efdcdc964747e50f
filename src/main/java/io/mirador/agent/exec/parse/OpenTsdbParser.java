package io.mirador.agent.exec.parse;

import java.util.regex.Pattern;

/**
 * OpenTSDB's telnet-style {@code put}, one data point per line:
 * {@code put <metric> <timestamp> <value> [tagk=tagv ...]}, fields separated by blanks.
 *
 * <p>The timestamp is epoch seconds when it has at most 10 digits and epoch milliseconds when it has 11 to 13, as
 * OpenTSDB reads it; {@code seconds.fraction} is accepted too. The metric becomes the name by
 * {@link MetricNames#name} ({@code sys.cpu.user} stays, {@code sys/if-octets} gives {@code sys.if_octets}); tags
 * become tags. Any other command than {@code put}, a missing field, a value that is no plain number or a tag
 * without {@code =} is an error.
 */
public final class OpenTsdbParser extends LineParser {

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,13}");
  private static final Pattern SECONDS_WITH_FRACTION = Pattern.compile("[0-9]{1,10}\\.[0-9]{1,9}");

  @Override
  void parseLine(int number, String line, ParseSink sink) {
    String[] fields = line.strip().split("\\s+");
    if (!fields[0].equalsIgnoreCase("put")) {
      sink.error(number, line, "not a put command");
      return;
    }
    if (fields.length < 4) {
      sink.error(number, line, "expected 'put metric timestamp value [tag=value ...]'");
      return;
    }
    long ts = timestamp(fields[2]);
    if (ts < 0) {
      sink.error(number, line, "timestamp '" + LineError.cut(fields[2]) + "' is neither epoch seconds nor epoch ms");
      return;
    }
    Double value = Values.decimal(fields[3]);
    if (value == null) {
      sink.error(number, line, "value '" + LineError.cut(fields[3]) + "' is not a number");
      return;
    }
    Tags tags = new Tags();
    for (int i = 4; i < fields.length; i++) {
      int eq = fields[i].indexOf('=');
      if (eq <= 0 || eq == fields[i].length() - 1) {
        sink.error(number, line, "tag '" + LineError.cut(fields[i]) + "' is not tagk=tagv");
        return;
      }
      tags.put(fields[i].substring(0, eq), fields[i].substring(eq + 1));
    }
    sink.sample(number, line, MetricNames.name(fields[1]), fields[1], tags, value, ts);
  }

  /** Epoch ms for an OpenTSDB timestamp: up to 10 digits are seconds, 11 to 13 are ms; -1 when neither. */
  static long timestamp(String text) {
    if (DIGITS.matcher(text).matches()) {
      long raw = Long.parseLong(text);
      long ms = text.length() <= 10 ? raw * 1000 : raw;
      return Values.isEpochMs(ms) ? ms : -1;
    }
    if (SECONDS_WITH_FRACTION.matcher(text).matches()) {
      return Values.millisFromSeconds(Double.parseDouble(text));
    }
    return -1;
  }
}
