package io.mirador.hub.alert;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One matcher of a silence, Alertmanager's shape: {@code name}, {@code value}, {@code isRegex}, {@code isEqual}. A regex
 * matches the whole label value (anchored, as in Alertmanager); a missing label reads as the empty string.
 */
public record LabelMatcher(String name, String value, boolean isRegex, boolean isEqual) {

  public LabelMatcher {
    if (name == null || !Rule.LABEL.matcher(name).matches()) {
      throw new IllegalArgumentException("matcher name must be a label name ([a-zA-Z_][a-zA-Z0-9_]*), got " + (name == null ? "nothing" : "'" + name + "'"));
    }
    if (value == null || value.length() > Rule.MAX_TEXT) {
      throw new IllegalArgumentException("matcher " + name + " needs a string value of at most " + Rule.MAX_TEXT + " characters");
    }
    if (isRegex) {
      try {
        Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException("matcher " + name + ": '" + value + "' is not a valid regular expression: " + e.getDescription());
      }
    }
  }

  public boolean matches(Map<String, String> labels) {
    String actual = labels.getOrDefault(name, "");
    boolean hit = isRegex ? Pattern.compile(value).matcher(actual).matches() : value.equals(actual);
    return hit == isEqual;
  }

  public static LabelMatcher fromJson(Object json) {
    if (!(json instanceof JsonObject m)) {
      throw new IllegalArgumentException("each matcher must be an object {name, value, isRegex, isEqual}, got " + json);
    }
    for (String field : m.fieldNames()) {
      if (!field.equals("name") && !field.equals("value") && !field.equals("isRegex") && !field.equals("isEqual")) {
        throw new IllegalArgumentException("unknown matcher field '" + field + "' (known: name, value, isRegex, isEqual)");
      }
    }
    Object name = m.getValue("name");
    Object value = m.getValue("value");
    Object regex = m.getValue("isRegex", false);
    Object equal = m.getValue("isEqual", true);
    if (!(name instanceof String) || !(value instanceof String)) {
      throw new IllegalArgumentException("a matcher needs a string name and a string value, got " + m.encode());
    }
    if (!(regex instanceof Boolean) || !(equal instanceof Boolean)) {
      throw new IllegalArgumentException("isRegex and isEqual must be booleans, got " + m.encode());
    }
    return new LabelMatcher((String) name, (String) value, (Boolean) regex, (Boolean) equal);
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("value", value).put("isRegex", isRegex).put("isEqual", isEqual);
  }
}
