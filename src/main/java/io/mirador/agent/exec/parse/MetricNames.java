package io.mirador.agent.exec.parse;

import java.util.Locale;

/**
 * Turns names written by foreign tools into valid Mirador metric names and tag keys.
 *
 * <p>A Mirador metric name is dotted lower case, {@code [a-z0-9_]+(\.[a-z0-9_]+)*}, at most {@value #MAX_NAME_LENGTH}
 * characters. {@link #name(String)} maps a foreign name to one this way:
 * <ol>
 *   <li>it is lower-cased ({@link Locale#ROOT});</li>
 *   <li>{@code .} and {@code /} separate segments: {@code disk/sda1} and {@code disk.sda1} both give {@code disk.sda1};
 *       empty segments vanish, so separators collapse and leading or trailing ones drop ({@code /var/log/} gives
 *       {@code var.log});</li>
 *   <li>in a segment, every character outside {@code [a-z0-9_]} is invalid ({@code :}, {@code -}, blanks, {@code %},
 *       non-ASCII letters…): a run of invalid characters inside a segment becomes one {@code _} (not doubling an
 *       {@code _} next to it), and invalid characters at a segment's edges are dropped: {@code Disk Usage (%)} gives
 *       {@code disk_usage}, {@code job:rate5m} gives {@code job_rate5m}, {@code eth0-rx} gives {@code eth0_rx};</li>
 *   <li>the result is cut to {@value #MAX_NAME_LENGTH} characters (and a trailing {@code .} dropped).</li>
 * </ol>
 * A name that is already valid comes back unchanged. A name with nothing usable comes back empty, and the parsers
 * report that line as an error (the Nagios parser first gives the label {@code /} the name {@code root}). A segment
 * may start with a digit or {@code _}, so no prefix is ever needed.
 *
 * <p>Tag keys must match {@code [a-zA-Z_][a-zA-Z0-9_.-]*}: {@link #tagKey(String)} keeps case, applies the same
 * run and edge rules with {@code [a-zA-Z0-9_.-]} as the valid set, puts {@code _} in front of a key that would start
 * with a digit, {@code .} or {@code -}, and cuts it to {@value #MAX_NAME_LENGTH} characters. Tag values are any
 * string, cut to {@value #MAX_TAG_VALUE_LENGTH} characters by {@link #tagValue(String)}; a sample keeps at most
 * {@value #MAX_TAGS} tags.
 */
public final class MetricNames {

  public static final int MAX_NAME_LENGTH = 200;
  public static final int MAX_TAGS = 16;
  public static final int MAX_TAG_VALUE_LENGTH = 256;

  private MetricNames() {
  }

  /** A dotted Mirador name for {@code foreign}, {@code ""} when nothing in it is usable. */
  public static String name(String foreign) {
    return truncate(clean(foreign, true), MAX_NAME_LENGTH);
  }

  /** One name segment for {@code foreign}: like {@link #name} but {@code .} and {@code /} are ordinary invalid characters. */
  public static String segment(String foreign) {
    return truncate(clean(foreign, false), MAX_NAME_LENGTH);
  }

  /** Joins already clean names with {@code .}, skipping empty ones, cut to {@value #MAX_NAME_LENGTH} characters. */
  public static String join(String... names) {
    StringBuilder out = new StringBuilder();
    for (String name : names) {
      if (name != null && !name.isEmpty()) {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(name);
      }
    }
    return truncate(out.toString(), MAX_NAME_LENGTH);
  }

  /** A clean name cut to {@code max} characters, without a trailing {@code .}. */
  public static String truncate(String name, int max) {
    if (name.length() <= max) {
      return name;
    }
    int end = max;
    while (end > 0 && name.charAt(end - 1) == '.') {
      end--;
    }
    return name.substring(0, end);
  }

  /** A valid tag key for {@code foreign}, {@code ""} when nothing in it is usable. */
  public static String tagKey(String foreign) {
    if (foreign == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(foreign.length(), MAX_NAME_LENGTH) + 1);
    boolean gap = false;
    for (int i = 0; i < foreign.length() && out.length() < MAX_NAME_LENGTH; i++) {
      char c = foreign.charAt(i);
      if (isTagKeyChar(c)) {
        appendWithGap(out, c, gap);
        gap = false;
      } else {
        gap = true;
      }
    }
    if (out.length() > 0 && !isLetterOrUnderscore(out.charAt(0))) {
      out.insert(0, '_');
    }
    return out.length() > MAX_NAME_LENGTH ? out.substring(0, MAX_NAME_LENGTH) : out.toString();
  }

  /** {@code value} cut to {@value #MAX_TAG_VALUE_LENGTH} characters; {@code null} reads as {@code ""}. */
  public static String tagValue(String value) {
    if (value == null) {
      return "";
    }
    if (value.length() <= MAX_TAG_VALUE_LENGTH) {
      return value;
    }
    int end = Character.isHighSurrogate(value.charAt(MAX_TAG_VALUE_LENGTH - 1)) ? MAX_TAG_VALUE_LENGTH - 1 : MAX_TAG_VALUE_LENGTH;
    return value.substring(0, end);
  }

  private static String clean(String foreign, boolean dotted) {
    if (foreign == null || foreign.isEmpty()) {
      return "";
    }
    String lower = foreign.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(Math.min(lower.length(), MAX_NAME_LENGTH + 1));
    StringBuilder segment = new StringBuilder();
    boolean gap = false;
    // Once past the length limit the rest cannot survive truncation.
    for (int i = 0; i < lower.length() && out.length() <= MAX_NAME_LENGTH && segment.length() <= MAX_NAME_LENGTH; i++) {
      char c = lower.charAt(i);
      if (dotted && (c == '.' || c == '/')) {
        endSegment(out, segment);
        gap = false;
      } else if (isNameChar(c)) {
        appendWithGap(segment, c, gap);
        gap = false;
      } else {
        gap = true;
      }
    }
    endSegment(out, segment);
    return out.toString();
  }

  private static void appendWithGap(StringBuilder to, char c, boolean gap) {
    if (gap && to.length() > 0 && c != '_' && to.charAt(to.length() - 1) != '_') {
      to.append('_');
    }
    to.append(c);
  }

  private static void endSegment(StringBuilder out, StringBuilder segment) {
    if (segment.length() > 0) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(segment);
      segment.setLength(0);
    }
  }

  private static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  }

  private static boolean isLetterOrUnderscore(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  private static boolean isTagKeyChar(char c) {
    return isLetterOrUnderscore(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
  }
}
