package io.mirador.hub.alert.notify;

import io.mirador.hub.alert.Durations;
import io.mirador.hub.alert.Rule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A notifier definition: which alerts it gets ({@code match}: label → value, all must be equal; none = every alert),
 * how they are grouped and repeated (Alertmanager's groupBy, groupWait, groupInterval, repeatInterval), whether resolves
 * are told, the send timeout, and its plugin's own {@code settings} (validated by the plugin).
 */
public record NotifierConfig(String name, String type, Map<String, String> match, List<String> groupBy, long groupWaitMs,
    long groupIntervalMs, long repeatIntervalMs, boolean sendResolved, long timeoutMs, JsonObject settings) {

  /** What a secret field shows in API answers. */
  public static final String REDACTED = "<secret>";
  /** {@code groupBy: ["..."]}: group by every label, so each alert is a group of its own. */
  public static final String ALL_LABELS = "...";

  private static final Set<String> COMMON = Set.of("name", "type", "match", "groupBy", "groupWait", "groupInterval", "repeatInterval",
      "sendResolved", "timeout");

  public NotifierConfig {
    match = Map.copyOf(match);
    groupBy = List.copyOf(groupBy);
  }

  /** Validates a definition with its plugin; {@code previous} lets a PUT keep stored secrets given back as {@value #REDACTED}. */
  public static NotifierConfig parse(String name, JsonObject json, Notifiers plugins, NotifierConfig previous) {
    if (name == null || !Rule.NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("notifier name must match " + Rule.NAME.pattern() + ", got '" + name + "'");
    }
    if (json == null) {
      throw new IllegalArgumentException("a notifier (JSON object) is required");
    }
    if (json.containsKey("name") && !name.equals(json.getValue("name"))) {
      throw new IllegalArgumentException("name in the body differs from the name in the path ('" + name + "')");
    }
    Object type = json.getValue("type");
    if (!(type instanceof String t)) {
      throw new IllegalArgumentException("type is required (a notifier plugin, e.g. webhook)");
    }
    Notifier plugin = plugins.get(t);
    Map<String, String> match = labels(json.getValue("match"));
    List<String> groupBy = new ArrayList<>();
    Object by = json.getValue("groupBy", new JsonArray().add("alertname"));
    if (!(by instanceof JsonArray array)) {
      throw new IllegalArgumentException("groupBy must be an array of label names, got " + by);
    }
    for (Object label : array) {
      if (!(label instanceof String l) || !(l.equals(ALL_LABELS) || Rule.LABEL.matcher(l).matches())) {
        throw new IllegalArgumentException("groupBy: '" + label + "' is not a label name (or \"...\" for every label)");
      }
      groupBy.add(l);
    }
    long groupWait = duration(json, "groupWait", "30s");
    long groupInterval = duration(json, "groupInterval", "5m");
    long repeatInterval = duration(json, "repeatInterval", "4h");
    if (groupInterval == 0 || repeatInterval == 0) {
      throw new IllegalArgumentException("groupInterval and repeatInterval must be more than 0s");
    }
    Object resolved = json.getValue("sendResolved", true);
    if (!(resolved instanceof Boolean sendResolved)) {
      throw new IllegalArgumentException("sendResolved must be true or false, got " + resolved);
    }
    long timeout = duration(json, "timeout", "10s");
    if (timeout == 0 || timeout > 300_000) {
      throw new IllegalArgumentException("timeout must be between 1ms and 5m");
    }
    JsonObject own = new JsonObject();
    json.forEach(e -> {
      if (!COMMON.contains(e.getKey())) {
        own.put(e.getKey(), e.getValue());
      }
    });
    if (previous != null && previous.type().equals(t)) {
      for (String secret : plugin.secrets()) {
        if (REDACTED.equals(own.getValue(secret)) && previous.settings().containsKey(secret)) {
          own.put(secret, previous.settings().getValue(secret)); // a GET, edited and PUT back, keeps its secrets
        }
      }
    }
    for (String secret : plugin.secrets()) {
      if (REDACTED.equals(own.getValue(secret))) {
        throw new IllegalArgumentException(secret + " is " + REDACTED + ": give the secret itself");
      }
    }
    JsonObject settings = plugin.validate(own);
    return new NotifierConfig(name, t, match, groupBy, groupWait, groupInterval, repeatInterval, sendResolved, timeout, settings);
  }

  private static Map<String, String> labels(Object value) {
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException("match must be an object of label → value, got " + value);
    }
    Map<String, String> map = new TreeMap<>();
    for (Map.Entry<String, Object> e : object) {
      if (!Rule.LABEL.matcher(e.getKey()).matches() || !(e.getValue() instanceof String s)) {
        throw new IllegalArgumentException("match: '" + e.getKey() + "' must be a label name with a string value");
      }
      map.put(e.getKey(), s);
    }
    return map;
  }

  private static long duration(JsonObject json, String field, String fallback) {
    return Durations.parse(field, json.getValue(field, fallback));
  }

  /** Whether this notifier gets an alert with these labels. */
  public boolean matches(Map<String, String> labels) {
    for (Map.Entry<String, String> want : match.entrySet()) {
      if (!want.getValue().equals(labels.get(want.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** The whole definition, secrets included: for the store only. */
  public JsonObject toStored() {
    return common().mergeIn(settings.copy());
  }

  /** The definition as the API shows it: every secret replaced by {@value #REDACTED}. */
  public JsonObject toJson(Set<String> secrets) {
    JsonObject own = settings.copy();
    for (String secret : secrets) {
      if (own.getValue(secret) != null && !"".equals(own.getValue(secret))) {
        own.put(secret, REDACTED);
      }
    }
    return common().mergeIn(own);
  }

  private JsonObject common() {
    return new JsonObject().put("name", name).put("type", type).put("match", new JsonObject(new TreeMap<>(match)))
        .put("groupBy", new JsonArray(groupBy)).put("groupWait", Durations.format(groupWaitMs))
        .put("groupInterval", Durations.format(groupIntervalMs)).put("repeatInterval", Durations.format(repeatIntervalMs))
        .put("sendResolved", sendResolved).put("timeout", Durations.format(timeoutMs));
  }

  /** A stored definition, read back without asking its plugin (it was validated when stored). */
  public static NotifierConfig fromStored(JsonObject json) {
    JsonObject settings = json.copy();
    COMMON.forEach(settings::remove);
    List<String> groupBy = new ArrayList<>();
    json.getJsonArray("groupBy", new JsonArray()).forEach(g -> groupBy.add((String) g));
    Map<String, String> match = new TreeMap<>();
    json.getJsonObject("match", new JsonObject()).forEach(e -> match.put(e.getKey(), (String) e.getValue()));
    return new NotifierConfig(json.getString("name"), json.getString("type"), match, groupBy,
        Durations.parse("groupWait", json.getString("groupWait")), Durations.parse("groupInterval", json.getString("groupInterval")),
        Durations.parse("repeatInterval", json.getString("repeatInterval")), json.getBoolean("sendResolved", true),
        Durations.parse("timeout", json.getString("timeout")), settings);
  }
}
