package io.mirador.model;

import static io.mirador.model.InvalidEventException.require;

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

  void validate() {
    require(name != null && name.length() <= MAX_NAME_LENGTH && NAME.matcher(name).matches(),
        "metric name must be dotted lower case ([a-z0-9_] segments), got " + Envelope.quote(name));
    require(Double.isFinite(value), "sample " + name + " has a non-finite value");
    require(ts > 0, "sample " + name + " has no timestamp");
    require(tags.size() <= MAX_TAGS, "sample " + name + " has more than " + MAX_TAGS + " tags");
    tags.forEach((key, val) -> {
      require(key != null && TAG_KEY.matcher(key).matches(), "sample " + name + " has an invalid tag key " + Envelope.quote(key));
      require(val != null && val.length() <= MAX_TAG_VALUE_LENGTH, "sample " + name + " tag " + key + " needs a string value of at most " + MAX_TAG_VALUE_LENGTH + " chars");
    });
  }
}
