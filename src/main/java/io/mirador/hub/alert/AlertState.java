package io.mirador.hub.alert;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One alert: a rule's condition on one source (agent and series, or agent and check), identified by its
 * {@link #fingerprint}. Kept in the {@link AlertStore} so a restart or a takeover continues where it was.
 *
 * @param value        the value that was last evaluated (NaN when the rule has none, e.g. an agent rule)
 * @param activeAt     when the condition last became true (the start of pending)
 * @param firedAt      when it went firing, 0 before
 * @param resolvedAt   when it resolved, 0 before
 * @param lastActiveAt the last time the condition was seen true (keepFiringFor counts from it)
 * @param active       the condition at the last evaluation
 */
public record AlertState(String fingerprint, String rule, Map<String, String> labels, Map<String, String> annotations, State state,
    double value, long activeAt, long firedAt, long resolvedAt, long lastActiveAt, boolean active) {

  public enum State {
    PENDING, FIRING, RESOLVED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static State named(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  public AlertState {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  public AlertState with(State newState, double newValue, long newActiveAt, long newFiredAt, long newResolvedAt, long newLastActiveAt,
      boolean newActive) {
    return new AlertState(fingerprint, rule, labels, annotations, newState, newValue, newActiveAt, newFiredAt, newResolvedAt,
        newLastActiveAt, newActive);
  }

  public AlertState withAnnotations(Map<String, String> newAnnotations) {
    return new AlertState(fingerprint, rule, labels, newAnnotations, state, value, activeAt, firedAt, resolvedAt, lastActiveAt, active);
  }

  /**
   * Alertmanager's kind of fingerprint: 16 hex digits of a 64-bit FNV-1a over the sorted labels, without
   * {@code hostname} (an agent that changes its hostname keeps its alerts).
   */
  public static String fingerprint(Map<String, String> labels) {
    long hash = 0xcbf29ce484222325L;
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      if (e.getKey().equals("hostname")) {
        continue;
      }
      hash = fnv(hash, e.getKey());
      hash = fnv(fnv(hash, "\u00ff"), e.getValue());
      hash = fnv(hash, "\u00ff");
    }
    return String.format("%016x", hash);
  }

  private static long fnv(long hash, String text) {
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  public JsonObject toJson() {
    return new JsonObject().put("fingerprint", fingerprint).put("rule", rule).put("labels", new JsonObject(new TreeMap<>(labels)))
        .put("annotations", new JsonObject(new TreeMap<>(annotations))).put("state", state.wireName())
        .put("value", Double.isFinite(value) ? value : null)
        .put("activeAt", iso(activeAt)).put("firedAt", iso(firedAt)).put("resolvedAt", iso(resolvedAt));
  }

  /** Everything, in epoch ms, for the store. */
  public JsonObject toStored() {
    return new JsonObject().put("fingerprint", fingerprint).put("rule", rule).put("labels", new JsonObject(new TreeMap<>(labels)))
        .put("annotations", new JsonObject(new TreeMap<>(annotations))).put("state", state.wireName())
        .put("value", Double.isFinite(value) ? value : null).put("activeAt", activeAt).put("firedAt", firedAt)
        .put("resolvedAt", resolvedAt).put("lastActiveAt", lastActiveAt).put("active", active);
  }

  public static AlertState fromStored(JsonObject json) {
    Double value = json.getDouble("value");
    return new AlertState(json.getString("fingerprint"), json.getString("rule"), strings(json.getJsonObject("labels")),
        strings(json.getJsonObject("annotations")), State.named(json.getString("state")), value == null ? Double.NaN : value,
        json.getLong("activeAt", 0L), json.getLong("firedAt", 0L), json.getLong("resolvedAt", 0L), json.getLong("lastActiveAt", 0L),
        json.getBoolean("active", false));
  }

  static Map<String, String> strings(JsonObject json) {
    Map<String, String> map = new TreeMap<>();
    if (json != null) {
      json.forEach(e -> map.put(e.getKey(), String.valueOf(e.getValue())));
    }
    return map;
  }

  static String iso(long ms) {
    return ms <= 0 ? null : Instant.ofEpochMilli(ms).toString();
  }
}
