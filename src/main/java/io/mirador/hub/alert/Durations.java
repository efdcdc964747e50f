package io.mirador.hub.alert;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as users write them in rules, notifiers and silences: {@code 0s}, {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}. */
public final class Durations {

  private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  /** Longest duration accepted anywhere: a year. */
  static final long MAX_MS = 366L * 86_400_000;

  private Durations() {
  }

  /** Milliseconds of {@code text}; an {@link IllegalArgumentException} naming {@code field} when it is no duration. */
  public static long parse(String field, Object text) {
    if (!(text instanceof String s)) {
      throw new IllegalArgumentException(field + " must be a duration such as \"30s\", \"5m\" or \"1h\", got " + text);
    }
    Matcher m = FORM.matcher(s.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(field + " must be a duration such as \"30s\", \"5m\" or \"1h\", got \"" + s + "\"");
    }
    long n = Long.parseLong(m.group(1));
    long ms = switch (m.group(2)) {
      case "ms" -> n;
      case "s" -> n * 1_000;
      case "m" -> n * 60_000;
      case "h" -> n * 3_600_000;
      default -> n * 86_400_000;
    };
    if (ms > MAX_MS) {
      throw new IllegalArgumentException(field + " must be at most 366d, got \"" + s + "\"");
    }
    return ms;
  }

  /** The shortest exact text for {@code ms}: 300000 → "5m", 1500 → "1500ms". */
  public static String format(long ms) {
    if (ms == 0) {
      return "0s";
    }
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
