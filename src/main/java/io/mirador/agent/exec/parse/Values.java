package io.mirador.agent.exec.parse;

import java.util.regex.Pattern;

/** Strict number and timestamp reading shared by the parsers ({@link Double#parseDouble} alone takes too much: {@code 1d}, {@code 0x1p3}, {@code Infinity}). */
final class Values {

  /** A plain decimal number: optional sign, digits with an optional fraction, optional exponent. */
  static final String DECIMAL_REGEX = "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?";
  static final Pattern DECIMAL = Pattern.compile(DECIMAL_REGEX);
  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]{1,19}");

  /** 9999-12-31T23:59:59.999Z: later timestamps are mistakes, not data. */
  static final long MAX_EPOCH_MS = 253_402_300_799_999L;
  /** Numbers below this are epoch seconds, above it epoch ms: 10 digits against 13. */
  static final double SECONDS_OR_MILLIS_THRESHOLD = 1e10;

  private Values() {
  }

  /** The value of a plain decimal number, or {@code null} when {@code text} is not one. May be infinite ({@code 1e999}). */
  static Double decimal(String text) {
    if (text == null || text.isEmpty() || text.length() > 400 || !DECIMAL.matcher(text).matches()) {
      return null;
    }
    return Double.parseDouble(text);
  }

  /** The value of an integer of at most 19 digits, or {@code null} when {@code text} is not one or overflows a long. */
  static Long integer(String text) {
    if (text == null || !INTEGER.matcher(text).matches()) {
      return null;
    }
    try {
      return Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
    } catch (NumberFormatException overflow) {
      return null;
    }
  }

  static boolean isEpochMs(long ms) {
    return ms > 0 && ms <= MAX_EPOCH_MS;
  }

  /** Epoch seconds (maybe fractional) as epoch ms, or -1 when not a plausible time. */
  static long millisFromSeconds(double seconds) {
    if (!Double.isFinite(seconds) || seconds <= 0 || seconds > MAX_EPOCH_MS / 1000.0) {
      return -1;
    }
    long ms = Math.round(seconds * 1000.0);
    return isEpochMs(ms) ? ms : -1;
  }

  /** Epoch seconds when below {@value #SECONDS_OR_MILLIS_THRESHOLD}, else epoch ms; -1 when not a plausible time. */
  static long millisFromSecondsOrMillis(double value) {
    if (!Double.isFinite(value)) {
      return -1;
    }
    if (value < SECONDS_OR_MILLIS_THRESHOLD) {
      return millisFromSeconds(value);
    }
    long ms = Math.round(value);
    return isEpochMs(ms) ? ms : -1;
  }
}
