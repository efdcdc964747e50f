package io.mirador.agent.exec.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * InfluxDB line protocol: {@code measurement[,tag=value...] field=value[,field2=value2...] [timestamp]}.
 *
 * <p>Each numeric field gives a sample {@code <measurement>.<field>} (both cleaned by {@link MetricNames#name}) with
 * the line's tags. Escapes: a backslash before a comma or space in the measurement, and before a comma, {@code =} or
 * space in tag keys, tag values and field keys, makes it literal ({@code \\} is a backslash). Field values: floats,
 * integers with {@code i}, unsigned integers with {@code u}, booleans {@code t}/{@code T}/{@code true}/{@code True}/
 * {@code TRUE} → 1 and {@code f}/{@code F}/{@code false}/{@code False}/{@code FALSE} → 0. Double-quoted string fields
 * are valid line protocol but not numbers: they are skipped without an error. As InfluxDB does, a line with one bad
 * field is rejected whole. The timestamp is an integer in the parser's precision (nanoseconds unless constructed
 * otherwise), turned into epoch ms; none means now. Lines starting with {@code #} are comments.
 */
public final class InfluxLineParser extends LineParser {

  private final TimeUnit precision;

  public InfluxLineParser() {
    this(TimeUnit.NANOSECONDS);
  }

  /** @param precision the unit of timestamps: nanoseconds, microseconds, milliseconds or seconds */
  public InfluxLineParser(TimeUnit precision) {
    if (precision != TimeUnit.NANOSECONDS && precision != TimeUnit.MICROSECONDS
        && precision != TimeUnit.MILLISECONDS && precision != TimeUnit.SECONDS) {
      throw new IllegalArgumentException("line protocol precision is ns, us, ms or s, not " + precision);
    }
    this.precision = precision;
  }

  private record Field(String key, double value) {
  }

  /** Thrown inside one line to reject it; never leaves this class. */
  private static final class Reject extends RuntimeException {
    Reject(String reason) {
      super(reason, null, false, false);
    }
  }

  @Override
  void parseLine(int number, String line, ParseSink sink) {
    String text = line.stripLeading();
    if (text.startsWith("#")) {
      return;
    }
    try {
      parsePoint(number, line, text, sink);
    } catch (Reject reject) {
      sink.error(number, line, reject.getMessage());
    }
  }

  private void parsePoint(int number, String line, String text, ParseSink sink) {
    Cursor in = new Cursor(text);
    String measurement = in.until(", ", ", \\");
    if (measurement.isEmpty()) {
      throw new Reject("no measurement");
    }
    Tags tags = new Tags();
    while (in.take(',')) {
      String key = in.until(",= ", ",= \\");
      if (key.isEmpty() || !in.take('=')) {
        throw new Reject("tag '" + LineError.cut(key) + "' is not key=value");
      }
      String value = in.until(", ", ",= \\");
      if (value.isEmpty()) {
        throw new Reject("tag '" + LineError.cut(key) + "' has no value");
      }
      tags.put(key, value);
    }
    if (in.peek() != ' ' || !in.skipSpaces()) {
      throw new Reject("no fields");
    }
    List<Field> fields = new ArrayList<>();
    do {
      String key = in.until(",= ", ",= \\");
      if (key.isEmpty() || !in.take('=')) {
        throw new Reject("field '" + LineError.cut(key) + "' is not key=value");
      }
      if (in.peek() == '"') {
        in.quoted();
      } else {
        fields.add(new Field(key, fieldValue(key, in.until(", ", ""))));
      }
    } while (in.take(','));
    long ts = sink.now();
    if (!in.atEnd() && in.peek() != ' ') {
      throw new Reject("unexpected '" + in.peek() + "' after field values");
    }
    if (in.skipSpaces()) {
      String raw = in.until(" ", "");
      Long value = Values.integer(raw);
      ts = value == null ? -1 : precision.toMillis(value);
      if (!Values.isEpochMs(ts)) {
        throw new Reject("timestamp '" + LineError.cut(raw) + "' is not an epoch time in " + precision.name().toLowerCase());
      }
      if (in.skipSpaces()) {
        throw new Reject("unexpected text after the timestamp");
      }
    }
    String prefix = MetricNames.name(measurement);
    for (Field field : fields) {
      String fieldName = MetricNames.name(field.key());
      String name = prefix.isEmpty() || fieldName.isEmpty() ? "" : MetricNames.join(prefix, fieldName);
      sink.sample(number, line, name, measurement + "." + field.key(), tags, field.value(), ts);
    }
  }

  private static double fieldValue(String key, String raw) {
    switch (raw) {
      case "t", "T", "true", "True", "TRUE":
        return 1;
      case "f", "F", "false", "False", "FALSE":
        return 0;
      default:
        break;
    }
    if (raw.endsWith("i")) {
      Long value = Values.integer(raw.substring(0, raw.length() - 1));
      if (value != null) {
        return value;
      }
    } else if (raw.endsWith("u")) {
      String digits = raw.substring(0, raw.length() - 1);
      if (!digits.isEmpty() && digits.length() <= 20 && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
        try {
          long value = Long.parseUnsignedLong(digits);
          return value >= 0 ? value : (value >>> 1) * 2.0 + (value & 1);
        } catch (NumberFormatException overflow) {
          // falls through to the error below
        }
      }
    } else {
      Double value = Values.decimal(raw);
      if (value != null) {
        return value;
      }
    }
    throw new Reject("field '" + LineError.cut(key) + "' has no valid value: '" + LineError.cut(raw) + "'");
  }

  /** Reads one line protocol line left to right. */
  private static final class Cursor {
    private final String text;
    private int pos;

    Cursor(String text) {
      this.text = text;
    }

    char peek() {
      return pos < text.length() ? text.charAt(pos) : '\0';
    }

    boolean take(char c) {
      if (peek() == c && pos < text.length()) {
        pos++;
        return true;
      }
      return false;
    }

    /** Skips spaces; whether anything follows them. */
    boolean skipSpaces() {
      int start = pos;
      while (pos < text.length() && text.charAt(pos) == ' ') {
        pos++;
      }
      return pos > start && pos < text.length();
    }

    boolean atEnd() {
      return pos >= text.length();
    }

    /**
     * Reads up to the first unescaped character of {@code stops}; a backslash before a character of {@code escapable}
     * stands for that character, before anything else it is itself.
     */
    String until(String stops, String escapable) {
      StringBuilder out = new StringBuilder();
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (c == '\\' && pos + 1 < text.length() && escapable.indexOf(text.charAt(pos + 1)) >= 0) {
          out.append(text.charAt(pos + 1));
          pos += 2;
        } else if (stops.indexOf(c) >= 0) {
          break;
        } else {
          out.append(c);
          pos++;
        }
      }
      return out.toString();
    }

    /** Reads a double-quoted string field ({@code \"} and {@code \\} escaped); rejects the line when unterminated. */
    String quoted() {
      StringBuilder out = new StringBuilder();
      pos++;
      while (pos < text.length()) {
        char c = text.charAt(pos);
        if (c == '\\' && pos + 1 < text.length() && (text.charAt(pos + 1) == '"' || text.charAt(pos + 1) == '\\')) {
          out.append(text.charAt(pos + 1));
          pos += 2;
        } else if (c == '"') {
          pos++;
          return out.toString();
        } else {
          out.append(c);
          pos++;
        }
      }
      throw new Reject("string field has no closing quote");
    }
  }
}
