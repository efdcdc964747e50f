package io.mirador.agent.exec.parse;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Prometheus text exposition format 0.0.4: {@code metric_name[{label="value",...}] value [timestamp]}.
 *
 * <p>{@code # HELP}, {@code # TYPE} and other {@code #} lines are comments. Histograms and summaries are read as the
 * plain series they are written as ({@code _bucket} with its {@code le} label, {@code _sum}, {@code _count}, and
 * {@code quantile} labels). The name becomes the metric name by {@link MetricNames#name}: lower-cased, {@code :}
 * becomes {@code _} (it is not a Mirador name character) and underscores stay: {@code http_requests_total} is kept
 * as one segment. Labels become tags; label values may hold the escapes {@code \\}, {@code \"} and {@code \n}; a
 * label with an empty value is, as in Prometheus, no label. The timestamp is epoch ms; none means now.
 *
 * <p>{@code NaN}, {@code +Inf} and {@code -Inf} are valid values in this format (an empty summary's quantiles are
 * {@code NaN}), but not Mirador values: such a series gives no sample and no error. A line that does not follow the
 * grammar is an error.
 */
public final class PrometheusTextParser extends LineParser {

  /** Thrown inside one line to reject it; never leaves this class. */
  private static final class Reject extends RuntimeException {
    Reject(String reason) {
      super(reason, null, false, false);
    }
  }

  @Override
  void parseLine(int number, String line, ParseSink sink) {
    String text = line.strip();
    if (text.startsWith("#")) {
      return;
    }
    try {
      parseSeries(number, line, text, sink);
    } catch (Reject reject) {
      sink.error(number, line, reject.getMessage());
    }
  }

  private static void parseSeries(int number, String line, String text, ParseSink sink) {
    Scan in = new Scan(text);
    String name = in.identifier(true);
    if (name.isEmpty()) {
      throw new Reject("no metric name");
    }
    Tags tags = new Tags();
    in.blanks();
    if (in.peek() == '{') {
      in.labels(tags);
      in.blanks();
    }
    String valueText = in.word();
    if (valueText.isEmpty()) {
      throw new Reject("no value");
    }
    Double value = Values.decimal(valueText);
    if (value == null) {
      if (isNonFinite(valueText)) {
        return;
      }
      throw new Reject("value '" + LineError.cut(valueText) + "' is not a number");
    }
    long ts = sink.now();
    in.blanks();
    if (!in.atEnd()) {
      String tsText = in.word();
      Long ms = Values.integer(tsText);
      if (ms == null || !Values.isEpochMs(ms)) {
        throw new Reject("timestamp '" + LineError.cut(tsText) + "' is not epoch ms");
      }
      ts = ms;
      in.blanks();
      if (!in.atEnd()) {
        throw new Reject("unexpected text after the timestamp");
      }
    }
    sink.sample(number, line, MetricNames.name(name), name, tags, value, ts);
  }

  private static boolean isNonFinite(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
    return unsigned.equals("inf") || unsigned.equals("infinity") || lower.equals("nan");
  }

  /** Reads one series line left to right. */
  private static final class Scan {
    private final String text;
    private int pos;

    Scan(String text) {
      this.text = text;
    }

    boolean atEnd() {
      return pos >= text.length();
    }

    char peek() {
      return atEnd() ? '\0' : text.charAt(pos);
    }

    void blanks() {
      while (!atEnd() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
        pos++;
      }
    }

    void expect(char c) {
      if (atEnd() || text.charAt(pos) != c) {
        throw new Reject("'" + c + "' expected at column " + (pos + 1));
      }
      pos++;
    }

    /** Up to the next blank. */
    String word() {
      int start = pos;
      while (!atEnd() && text.charAt(pos) != ' ' && text.charAt(pos) != '\t') {
        pos++;
      }
      return text.substring(start, pos);
    }

    /** A metric name ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}) or, without colons, a label name. */
    String identifier(boolean colons) {
      int start = pos;
      while (!atEnd()) {
        char c = text.charAt(pos);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colons && c == ':')
            || (pos > start && c >= '0' && c <= '9');
        if (!ok) {
          break;
        }
        pos++;
      }
      return text.substring(start, pos);
    }

    /** Reads {@code {name="value",...}} from the opening brace on; labels with an empty value are no labels. */
    void labels(Tags tags) {
      pos++;
      Set<String> seen = new HashSet<>();
      while (true) {
        blanks();
        if (peek() == '}') {
          pos++;
          return;
        }
        String label = identifier(false);
        if (label.isEmpty()) {
          throw new Reject("label name expected at column " + (pos + 1));
        }
        blanks();
        expect('=');
        blanks();
        expect('"');
        String value = labelValue(label);
        if (!seen.add(label)) {
          throw new Reject("label " + label + " given twice");
        }
        if (!value.isEmpty()) {
          tags.put(label, value);
        }
        blanks();
        if (peek() == ',') {
          pos++;
        } else if (peek() != '}') {
          throw new Reject("',' or '}' expected after label " + label);
        }
      }
    }

    /** The rest of a quoted label value: {@code \\}, {@code \"} and {@code \n} are escapes, other backslashes stay. */
    private String labelValue(String label) {
      StringBuilder value = new StringBuilder();
      while (true) {
        if (atEnd()) {
          throw new Reject("value of label " + label + " has no closing quote");
        }
        char c = text.charAt(pos++);
        if (c == '"') {
          return value.toString();
        }
        if (c == '\\' && !atEnd()) {
          char escaped = text.charAt(pos++);
          switch (escaped) {
            case 'n' -> value.append('\n');
            case '\\', '"' -> value.append(escaped);
            default -> value.append('\\').append(escaped);
          }
        } else {
          value.append(c);
        }
      }
    }
  }
}
