package io.mirador.hub.alert;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A silence: while active ({@code startsAt <= now < endsAt}) the alerts all of whose matchers match are shown as
 * silenced and notify nobody. Expiring one sets its {@code endsAt} to now; expired silences are kept for a while to
 * be listed, then forgotten.
 */
public record Silence(String id, List<LabelMatcher> matchers, long startsAt, long endsAt, String createdBy, String comment,
    long updatedAt) {

  private static final Set<String> FIELDS = Set.of("matchers", "startsAt", "endsAt", "createdBy", "comment", "id");
  static final int MAX_MATCHERS = 32;

  public Silence {
    matchers = List.copyOf(matchers);
  }

  /** Whether it mutes alerts at {@code now}. */
  public boolean active(long now) {
    return startsAt <= now && now < endsAt;
  }

  public String state(long now) {
    return now < startsAt ? "pending" : now < endsAt ? "active" : "expired";
  }

  public boolean silences(Map<String, String> labels) {
    for (LabelMatcher matcher : matchers) {
      if (!matcher.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** Expired for at least {@code retentionMs}: listed no more, removed from the store by the alert owner. */
  public boolean forgotten(long now, long retentionMs) {
    return now >= endsAt && now - endsAt >= retentionMs;
  }

  public Silence expired(long now) {
    return new Silence(id, matchers, Math.min(startsAt, now), Math.min(endsAt, now), createdBy, comment, now);
  }

  /** A new silence from a POST body; {@code startsAt} defaults to now. */
  public static Silence parse(String id, JsonObject json, long now) {
    if (json == null) {
      throw new IllegalArgumentException("a silence (JSON object) is required");
    }
    for (String field : json.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new IllegalArgumentException("unknown field '" + field + "' (known: matchers, startsAt, endsAt, createdBy, comment)");
      }
    }
    if (json.containsKey("id")) {
      throw new IllegalArgumentException("id is given by the hub; to change a silence, expire it and create another");
    }
    Object list = json.getValue("matchers");
    if (!(list instanceof JsonArray array) || array.isEmpty()) {
      throw new IllegalArgumentException("matchers is required: a non-empty array of {name, value, isRegex, isEqual}");
    }
    if (array.size() > MAX_MATCHERS) {
      throw new IllegalArgumentException("at most " + MAX_MATCHERS + " matchers");
    }
    List<LabelMatcher> matchers = new ArrayList<>();
    for (Object m : array) {
      matchers.add(LabelMatcher.fromJson(m));
    }
    if (matchers.stream().allMatch(m -> m.matches(Map.of()))) {
      throw new IllegalArgumentException("at least one matcher must not match the empty string, or the silence would mute every alert");
    }
    long starts = json.containsKey("startsAt") ? time("startsAt", json.getValue("startsAt")) : now;
    if (!json.containsKey("endsAt")) {
      throw new IllegalArgumentException("endsAt is required (RFC 3339, e.g. 2025-01-01T12:00:00Z)");
    }
    long ends = time("endsAt", json.getValue("endsAt"));
    if (ends <= starts) {
      throw new IllegalArgumentException("endsAt must be after startsAt");
    }
    if (ends <= now) {
      throw new IllegalArgumentException("endsAt is in the past: such a silence would silence nothing");
    }
    String createdBy = text(json, "createdBy");
    String comment = text(json, "comment");
    return new Silence(id, matchers, starts, ends, createdBy, comment, now);
  }

  private static String text(JsonObject json, String field) {
    Object v = json.getValue(field, "");
    if (!(v instanceof String s) || s.length() > Rule.MAX_TEXT) {
      throw new IllegalArgumentException(field + " must be a string of at most " + Rule.MAX_TEXT + " characters");
    }
    return s;
  }

  private static long time(String field, Object value) {
    if (!(value instanceof String s)) {
      throw new IllegalArgumentException(field + " must be an RFC 3339 time such as 2025-01-01T12:00:00Z, got " + value);
    }
    try {
      return Instant.parse(s).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " must be an RFC 3339 time such as 2025-01-01T12:00:00Z, got '" + s + "'");
    }
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    matchers.forEach(m -> list.add(m.toJson()));
    return new JsonObject().put("id", id).put("matchers", list).put("startsAt", Instant.ofEpochMilli(startsAt).toString())
        .put("endsAt", Instant.ofEpochMilli(endsAt).toString()).put("createdBy", createdBy).put("comment", comment)
        .put("updatedAt", Instant.ofEpochMilli(updatedAt).toString());
  }

  public JsonObject toJson(long now) {
    return toJson().put("status", new JsonObject().put("state", state(now)));
  }

  public static Silence fromJson(JsonObject json) {
    List<LabelMatcher> matchers = new ArrayList<>();
    json.getJsonArray("matchers").forEach(m -> matchers.add(LabelMatcher.fromJson(m)));
    return new Silence(json.getString("id"), matchers, Instant.parse(json.getString("startsAt")).toEpochMilli(),
        Instant.parse(json.getString("endsAt")).toEpochMilli(), json.getString("createdBy", ""), json.getString("comment", ""),
        Instant.parse(json.getString("updatedAt")).toEpochMilli());
  }
}
