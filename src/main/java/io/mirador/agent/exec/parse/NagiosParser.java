package io.mirador.agent.exec.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Output of a Nagios / Monitoring Plugins check (plugin development guidelines, "Plugin Output" and "Performance
 * data"): {@code TEXT | perfdata} on the first line, then optional long output lines; the first {@code |} in the long
 * output starts more perfdata, which runs to the end of the output.
 *
 * <p>Status: the exit code when 0..3 (OK, WARNING, CRITICAL, UNKNOWN), otherwise 3, as Nagios does. Output: the first
 * line's text before {@code |}, stripped. Long output: the following text lines, without their perfdata.
 *
 * <p>Perfdata is a blank-separated list of {@code 'label'=value[UOM];[warn];[crit];[min];[max]}; the quotes around a
 * label are optional unless it holds blanks, {@code =} or quotes, and {@code ''} inside them is a quote. Each item
 * gives:
 * <ul>
 *   <li>{@code check.<check name>.<label>} = value, names cleaned by {@link MetricNames#name} (so {@code /} in a label
 *       separates segments: {@code /var/log} gives {@code var.log}); the label {@code /} (the root file system of
 *       check_disk) is named {@code root};</li>
 *   <li>{@code <that name>.warn}, {@code .crit}, {@code .min}, {@code .max} when that field is a plain number. Warn
 *       and crit may be ranges ({@code 10:}, {@code ~:10}, {@code @10:20}): a range is no number and gives no sample,
 *       and no error;</li>
 *   <li>value and thresholds converted by the unit: {@code s}, {@code ms}, {@code us} (also {@code µs}),
 *       {@code ns} to seconds; {@code B}, {@code KB}/{@code kB}/{@code KiB}, {@code MB}/{@code MiB}, {@code GB}/{@code GiB},
 *       {@code TB}/{@code TiB}, {@code PB}/{@code PiB} to bytes with a base of 1024; {@code %} and no unit as they
 *       are. These carry no tag: the unit is implied by the base. A counter ({@code c}) keeps its value and gets the
 *       tag {@code uom=c}, so a consumer knows to take a rate; any other unit keeps its value and gets the tag
 *       {@code uom=<unit>} so nothing is lost.</li>
 * </ul>
 * The guidelines name the byte units ({@code B}, {@code KB}, {@code MB}, {@code TB}) without saying whether a
 * kilobyte is 1000 or 1024 bytes; the plugins that wrote them computed them in powers of 1024 (check_swap's
 * {@code MB} was bytes / 1048576) and Icinga 2's {@code PerfdataValue::Parse} multiplies by powers of 1024, so
 * 1024 it is (docs/CHECK_OUTPUT_FORMATS.md says more).
 *
 * <p>The value {@code U} (undetermined) gives no sample and no error. A malformed item (no {@code =}, an unterminated
 * quote, a value that is no number, a threshold that is neither number nor range) is a {@link LineError} on its line;
 * the other items still count, and a bad threshold costs only that threshold.
 */
public final class NagiosParser implements OutputParser {

  private static final Pattern VALUE =
      Pattern.compile("(" + Values.DECIMAL_REGEX + ")([^0-9.,;+\\-\\s][^0-9;\\s]*)?");
  /** A Nagios range: {@code [@][start:]end}, start may be {@code ~}, either end may be empty. */
  private static final Pattern RANGE = Pattern.compile("@?(?:(?:~|" + Values.DECIMAL_REGEX + ")?:)?(?:" + Values.DECIMAL_REGEX + ")?");
  private static final String[] THRESHOLDS = {"", "warn", "crit", "min", "max"};
  private static final int MAX_SUFFIX = ".crit".length();

  @Override
  public Parsed parse(String output, int exitCode, long now, String checkName) {
    Run run = new Run(new ParseSink(now), MetricNames.join("check", MetricNames.name(checkName)));
    Lines.forEach(output, (number, line) -> {
      try {
        run.line(number, line);
      } catch (RuntimeException unexpected) {
        run.sink.error(number, line, "unreadable line: " + unexpected);
      }
    });
    int status = exitCode >= 0 && exitCode <= 3 ? exitCode : 3;
    return new Parsed(run.sink.samples(), run.sink.errors(), status, run.output, String.join("\n", run.longOutput).stripTrailing());
  }

  /** One parse: the state that carries from line to line. */
  private static final class Run {
    final ParseSink sink;
    final String prefix;
    String output = "";
    final List<String> longOutput = new ArrayList<>();
    boolean inPerfdata;

    Run(ParseSink sink, String prefix) {
      this.sink = sink;
      this.prefix = prefix;
    }

    void line(int number, String line) {
      int bar = line.indexOf('|');
      if (line.length() > MAX_LINE_LENGTH) {
        sink.error(number, line, "line longer than " + MAX_LINE_LENGTH + " characters");
        if (number == 1) {
          output = line.substring(0, bar < 0 || bar > MAX_LINE_LENGTH ? MAX_LINE_LENGTH : bar).strip();
        }
        return;
      }
      if (inPerfdata) {
        perfdata(number, line, 0);
        return;
      }
      String text = bar < 0 ? line : line.substring(0, bar);
      if (number == 1) {
        output = text.strip();
      } else if (bar < 0 || !text.isBlank()) {
        longOutput.add(text.stripTrailing());
      }
      if (bar >= 0) {
        perfdata(number, line, bar + 1);
        // the first line's perfdata ends with it; a '|' in the long output starts perfdata to the end
        inPerfdata = number > 1;
      }
    }

    /** Reads the perfdata items of {@code line} from {@code from} on. */
    void perfdata(int number, String line, int from) {
      int i = from;
      int n = line.length();
      while (i < n) {
        while (i < n && Character.isWhitespace(line.charAt(i))) {
          i++;
        }
        if (i >= n) {
          return;
        }
        int start = i;
        StringBuilder label = new StringBuilder();
        if (line.charAt(i) == '\'') {
          i++;
          boolean closed = false;
          while (i < n) {
            char c = line.charAt(i);
            if (c == '\'') {
              if (i + 1 < n && line.charAt(i + 1) == '\'') {
                label.append('\'');
                i += 2;
              } else {
                i++;
                closed = true;
                break;
              }
            } else {
              label.append(c);
              i++;
            }
          }
          if (!closed) {
            sink.error(number, line.substring(start), "perfdata label has no closing quote");
            return;
          }
        } else {
          while (i < n && line.charAt(i) != '=' && !Character.isWhitespace(line.charAt(i))) {
            label.append(line.charAt(i));
            i++;
          }
        }
        if (i >= n || line.charAt(i) != '=') {
          while (i < n && !Character.isWhitespace(line.charAt(i))) {
            i++;
          }
          sink.error(number, line.substring(start, i), "perfdata item is not label=value");
          continue;
        }
        i++;
        int valueStart = i;
        while (i < n && !Character.isWhitespace(line.charAt(i))) {
          i++;
        }
        item(number, label.toString(), line.substring(valueStart, i), line.substring(start, i));
      }
    }

    void item(int number, String label, String valueText, String itemText) {
      String[] fields = valueText.split(";", -1);
      if (fields[0].equals("U")) {
        return;
      }
      Matcher value = VALUE.matcher(fields[0]);
      if (!value.matches()) {
        sink.error(number, itemText, "perfdata value '" + LineError.cut(fields[0]) + "' is not a number");
        return;
      }
      Unit unit = Unit.of(value.group(2) == null ? "" : value.group(2));
      String name = labelName(label);
      if (name.isEmpty()) {
        sink.error(number, itemText, "perfdata label '" + LineError.cut(label) + "' has no usable character");
        return;
      }
      String base = MetricNames.truncate(MetricNames.join(prefix, name), MetricNames.MAX_NAME_LENGTH - MAX_SUFFIX);
      Tags tags = new Tags();
      if (unit.tag() != null) {
        tags.put("uom", unit.tag());
      }
      sink.sample(number, itemText, base, label, tags, unit.convert(Double.parseDouble(value.group(1))), sink.now());
      for (int f = 1; f < Math.min(fields.length, THRESHOLDS.length); f++) {
        String field = fields[f];
        if (field.isEmpty() || field.equals("U")) {
          continue;
        }
        Double threshold = Values.decimal(field);
        if (threshold != null) {
          sink.sample(number, itemText, base + "." + THRESHOLDS[f], label, tags, unit.convert(threshold), sink.now());
        } else if (f > 2 || !RANGE.matcher(field).matches()) {
          sink.error(number, itemText, THRESHOLDS[f] + " '" + LineError.cut(field) + "' is "
              + (f > 2 ? "not a number" : "neither a number nor a range"));
        }
      }
      if (fields.length > THRESHOLDS.length) {
        sink.error(number, itemText, "more fields than value;warn;crit;min;max, the rest ignored");
      }
    }
  }

  /** The metric name part for a perfdata label; the label {@code /} (a root file system) is {@code root}. */
  static String labelName(String label) {
    String name = MetricNames.name(label);
    if (name.isEmpty() && !label.isEmpty() && label.chars().allMatch(c -> c == '/')) {
      return "root";
    }
    return name;
  }

  /** How a unit of measurement converts a value, and the {@code uom} tag it leaves, if any. */
  record Unit(double multiplier, double divisor, String tag) {

    private static final Unit AS_IS = new Unit(1, 1, null);
    private static final double KIB = 1024;

    double convert(double value) {
      return divisor != 1 ? value / divisor : value * multiplier;
    }

    static Unit of(String uom) {
      return switch (uom) {
        case "", "s", "%", "B" -> AS_IS;
        case "ms" -> new Unit(1, 1e3, null);
        case "us", "µs" -> new Unit(1, 1e6, null);
        case "ns" -> new Unit(1, 1e9, null);
        case "KB", "kB", "KiB" -> new Unit(KIB, 1, null);
        case "MB", "MiB" -> new Unit(KIB * KIB, 1, null);
        case "GB", "GiB" -> new Unit(KIB * KIB * KIB, 1, null);
        case "TB", "TiB" -> new Unit(KIB * KIB * KIB * KIB, 1, null);
        case "PB", "PiB" -> new Unit(KIB * KIB * KIB * KIB * KIB, 1, null);
        default -> new Unit(1, 1, uom);
      };
    }
  }
}
