package io.mirador.hub.alert.notify;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Small helpers for plugins validating their own fields: each refuses what it does not know, with a reason. */
public final class Settings {

  private Settings() {
  }

  public static void only(String type, JsonObject settings, Set<String> known) {
    for (String field : settings.fieldNames()) {
      if (!known.contains(field)) {
        throw new IllegalArgumentException("unknown field '" + field + "' for a " + type + " notifier (known: "
            + String.join(", ", new java.util.TreeSet<>(known)) + ", and the common ones)");
      }
    }
  }

  public static String string(JsonObject settings, String field, String fallback) {
    Object v = settings.getValue(field);
    if (v == null) {
      if (fallback == null) {
        throw new IllegalArgumentException(field + " is required");
      }
      return fallback;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return s;
  }

  public static Map<String, String> strings(JsonObject settings, String field) {
    Object v = settings.getValue(field);
    Map<String, String> map = new TreeMap<>();
    if (v == null) {
      return map;
    }
    if (!(v instanceof JsonObject object)) {
      throw new IllegalArgumentException(field + " must be an object of strings");
    }
    object.forEach(e -> {
      if (!(e.getValue() instanceof String s)) {
        throw new IllegalArgumentException(field + "." + e.getKey() + " must be a string");
      }
      map.put(e.getKey(), s);
    });
    return map;
  }
}
