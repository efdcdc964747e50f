package io.mirador.hub.web;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the time parameters of the API: epoch milliseconds, or durations such as {@code 15m}, {@code -1h}, {@code 10s}. */
public final class TimeParams {

  private static final Pattern DURATION = Pattern.compile("(-?)(\\d{1,9})(ms|s|m|h|d)");

  private TimeParams() {
  }

  /** An instant: epoch ms, {@code now}, or a negative duration back from now. */
  public static long instant(String name, String text, long fallback, long now) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    if (text.equals("now")) {
      return now;
    }
    Matcher duration = DURATION.matcher(text);
    if (duration.matches()) {
      if (duration.group(1).isEmpty()) {
        throw ApiError.badRequest(name + " must be epoch milliseconds or a duration back from now such as -15m, got '" + text + "'");
      }
      return now - millis(duration);
    }
    try {
      long value = Long.parseLong(text);
      if (value < 0) {
        throw ApiError.badRequest(name + " must not be negative epoch milliseconds");
      }
      return value;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + " must be epoch milliseconds or a duration such as -15m, got '" + text + "'");
    }
  }

  /** A length of time in ms: a plain number of ms, or a duration such as {@code 10s}. */
  static long duration(String name, String text, long fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    Matcher duration = DURATION.matcher(text);
    if (duration.matches() && duration.group(1).isEmpty()) {
      return millis(duration);
    }
    try {
      long value = Long.parseLong(text);
      if (value >= 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiError.badRequest(name + " must be a non-negative number of ms or a duration such as 10s, got '" + text + "'");
  }

  private static long millis(Matcher duration) {
    long amount = Long.parseLong(duration.group(2));
    return switch (duration.group(3)) {
      case "ms" -> amount;
      case "s" -> amount * 1_000;
      case "m" -> amount * 60_000;
      case "h" -> amount * 3_600_000;
      default -> amount * 86_400_000;
    };
  }
}
