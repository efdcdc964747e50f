package io.mirador.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.regex.Pattern;

/** One measurement: a dotted lower-case metric name, string tags, a finite value and its time in epoch ms. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Sample(String name, Map<String, String> tags, double value, long ts) {

  static final Pattern NAME = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)*");
  static final Pattern TAG_KEY = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_.-]*");
  static final int MAX_NAME_LENGTH = 200;
  static final int MAX_TAGS = 16;
  static final int MAX_TAG_VALUE_LENGTH = 256;

  public Sample {
    tags = tags == null ? Map.of() : tags;
  }

  public static Sample of(String name, double value, long ts) {
    return new Sample(name, Map.of(), value, ts);
  }

  public static Sample of(String name, Map<String, String> tags, double value, long ts) {
    return new Sample(name, tags, value, ts);
  }

  /**
   * Runs for every sample of every batch, so it is written for the valid case: plain character checks instead of
   * the patterns (same rules), and reasons built only when a check fails.
   */
  void validate() {
    if (name == null || name.length() > MAX_NAME_LENGTH || !isMetricName(name)) {
      throw invalid("metric name must be dotted lower case ([a-z0-9_] segments), got " + Envelope.quote(name));
    }
    if (!Double.isFinite(value)) {
      throw invalid("sample " + name + " has a non-finite value");
    }
    if (ts <= 0 || ts > Envelope.MAX_TS) {
      throw invalid("sample " + name + " " + Envelope.outOfRange("ts", ts));
    }
    if (tags.size() > MAX_TAGS) {
      throw invalid("sample " + name + " has more than " + MAX_TAGS + " tags");
    }
    if (!tags.isEmpty()) {
      tags.forEach((key, val) -> {
        if (key == null || !isTagKey(key)) {
          throw invalid("sample " + name + " has an invalid tag key " + Envelope.quote(key));
        }
        if (val == null || val.length() > MAX_TAG_VALUE_LENGTH) {
          throw invalid("sample " + name + " tag " + key + " needs a string value of at most " + MAX_TAG_VALUE_LENGTH + " chars");
        }
      });
    }
  }

  /** {@link #NAME}: segments of [a-z0-9_], at least one character each, joined by single dots. */
  static boolean isMetricName(String s) {
    int segment = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (segment == 0) {
          return false;
        }
        segment = 0;
      } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
        segment++;
      } else {
        return false;
      }
    }
    return segment > 0;
  }

  /** {@link #TAG_KEY}: a letter or underscore, then letters, digits, {@code _ . -}. */
  static boolean isTagKey(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!(letter || (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-')))) {
        return false;
      }
    }
    return true;
  }

  private static InvalidEventException invalid(String reason) {
    return new InvalidEventException("invalid", reason);
  }
}
