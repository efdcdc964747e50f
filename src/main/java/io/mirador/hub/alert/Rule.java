package io.mirador.hub.alert;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An alert rule (docs/ALERTING.md): what to watch ({@link Kind}), when it counts, and what the alerts it makes carry.
 * One validation for REST and hub configuration: {@link #parse} refuses anything wrong, unknown fields included, with
 * the first problem named; {@link #toJson} gives the rule back with every default filled in.
 */
public record Rule(String name, Kind kind, String metric, Map<String, String> tags, Agg agg, long windowMs, Op op, double value,
    String check, int minStatus, int occurrences, String status, long forMs, long keepFiringForMs, String severity,
    Map<String, String> labels, Map<String, String> annotations, Remediation remediation) {

  /** A job template the sched role runs on the alert's agent when an alert of this rule fires, at most maxPerHour times per agent. */
  public record Remediation(String template, int maxPerHour) {

    static Remediation parse(Object value) {
      if (value == null) {
        return null;
      }
      if (!(value instanceof JsonObject json) || !(json.getValue("template") instanceof String template) || !NAME.matcher(template).matches()) {
        throw new IllegalArgumentException("remediation must be {\"template\": \"<job template name>\", \"maxPerHour\": n}");
      }
      for (String field : json.fieldNames()) {
        if (!field.equals("template") && !field.equals("maxPerHour")) {
          throw new IllegalArgumentException("unknown field '" + field + "' in remediation (known: template, maxPerHour)");
        }
      }
      return new Remediation(template, integer(json, "maxPerHour", 1, 1, 3_600));
    }

    JsonObject toJson() {
      return new JsonObject().put("template", template).put("maxPerHour", maxPerHour);
    }
  }

  /** A rule without remediation. */
  public Rule(String name, Kind kind, String metric, Map<String, String> tags, Agg agg, long windowMs, Op op, double value,
      String check, int minStatus, int occurrences, String status, long forMs, long keepFiringForMs, String severity,
      Map<String, String> labels, Map<String, String> annotations) {
    this(name, kind, metric, tags, agg, windowMs, op, value, check, minStatus, occurrences, status, forMs, keepFiringForMs, severity,
        labels, annotations, null);
  }

  public enum Kind {
    THRESHOLD, CHECK, AGENT, ABSENT;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  static final Pattern METRIC = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)*");
  public static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  static final Pattern SEVERITY = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  /** Labels every alert gets from its rule and its source; a rule's own labels cannot replace them. */
  public static final Set<String> RESERVED = Set.of("alertname", "severity", "agent", "hostname", "check");
  static final int MAX_LABELS = 32;
  static final int MAX_TEXT = 4096;

  private static final Set<String> COMMON = Set.of("kind", "name", "for", "keepFiringFor", "severity", "labels", "annotations",
      "remediation");
  private static final Map<Kind, Set<String>> FIELDS = Map.of(
      Kind.THRESHOLD, Set.of("metric", "tags", "agg", "window", "op", "value"),
      Kind.CHECK, Set.of("check", "minStatus", "occurrences"),
      Kind.AGENT, Set.of("status"),
      Kind.ABSENT, Set.of("metric", "tags"));

  public Rule {
    tags = Map.copyOf(tags);
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  /** The rule named {@code name} in {@code json}, or an {@link IllegalArgumentException} with the first problem. */
  public static Rule parse(String name, JsonObject json) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("rule name must match " + NAME.pattern() + ", got '" + name + "'");
    }
    if (json == null) {
      throw new IllegalArgumentException("a rule (JSON object) is required");
    }
    Object kindText = json.getValue("kind");
    if (!(kindText instanceof String k)) {
      throw new IllegalArgumentException("kind is required: threshold, check, agent or absent");
    }
    Kind kind;
    try {
      kind = Kind.valueOf(k.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kind must be threshold, check, agent or absent; got '" + k + "'");
    }
    for (String field : json.fieldNames()) {
      if (!COMMON.contains(field) && !FIELDS.get(kind).contains(field)) {
        throw new IllegalArgumentException("unknown field '" + field + "' for a " + kind.wireName() + " rule (known: "
            + String.join(", ", sorted(kind)) + ")");
      }
    }
    if (json.containsKey("name") && !name.equals(json.getValue("name"))) {
      throw new IllegalArgumentException("name in the body ('" + json.getValue("name") + "') differs from the name in the path ('" + name + "')");
    }
    String metric = null;
    Map<String, String> tags = Map.of();
    Agg agg = Agg.LAST;
    long window = 0;
    Op op = Op.GT;
    double value = 0;
    String check = null;
    int minStatus = 2;
    int occurrences = 1;
    String status = "down";
    switch (kind) {
      case THRESHOLD, ABSENT -> {
        metric = string(json, "metric", null);
        if (metric == null || metric.length() > 200 || !METRIC.matcher(metric).matches()) {
          throw new IllegalArgumentException("metric is required: a dotted lower-case name such as cpu.usage, got "
              + (metric == null ? "nothing" : "'" + metric + "'"));
        }
        tags = stringMap(json, "tags", false);
        if (kind == Kind.THRESHOLD) {
          agg = Agg.named(string(json, "agg", "last"));
          window = json.containsKey("window") ? Durations.parse("window", json.getValue("window")) : 0;
          if (agg != Agg.LAST && window == 0) {
            throw new IllegalArgumentException("agg " + agg.wireName() + " needs a window, such as \"1m\"");
          }
          Object opText = json.getValue("op");
          if (!(opText instanceof String o)) {
            throw new IllegalArgumentException("op is required: one of > >= < <= == !=");
          }
          op = Op.of(o);
          Object v = json.getValue("value");
          if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new IllegalArgumentException("value is required: the number the aggregate is compared with, got " + v);
          }
          value = n.doubleValue();
        }
      }
      case CHECK -> {
        check = string(json, "check", null);
        if (check == null || !NAME.matcher(check).matches()) {
          throw new IllegalArgumentException("check is required: the name of a check, got " + (check == null ? "nothing" : "'" + check + "'"));
        }
        minStatus = integer(json, "minStatus", 2, 1, 3);
        occurrences = integer(json, "occurrences", 1, 1, 21);
      }
      case AGENT -> {
        status = string(json, "status", "down");
        if (!status.equals("down") && !status.equals("stale")) {
          throw new IllegalArgumentException("status must be down or stale, got '" + status + "'");
        }
      }
      default -> throw new IllegalStateException();
    }
    long forMs = json.containsKey("for") ? Durations.parse("for", json.getValue("for")) : (kind == Kind.ABSENT ? 300_000 : 0);
    if (kind == Kind.ABSENT && forMs == 0) {
      throw new IllegalArgumentException("for of an absent rule is how long the metric must be missing: more than 0s");
    }
    long keepFiringFor = json.containsKey("keepFiringFor") ? Durations.parse("keepFiringFor", json.getValue("keepFiringFor")) : 0;
    String severity = string(json, "severity", "warning");
    if (!SEVERITY.matcher(severity).matches()) {
      throw new IllegalArgumentException("severity must be 1 to 32 of A-Z a-z 0-9 _ -, got '" + severity + "'");
    }
    Map<String, String> labels = stringMap(json, "labels", true);
    for (String reserved : RESERVED) {
      if (labels.containsKey(reserved)) {
        throw new IllegalArgumentException("labels must not set '" + reserved + "': every alert gets it from its rule or source");
      }
    }
    Map<String, String> annotations = stringMap(json, "annotations", false);
    Remediation remediation = Remediation.parse(json.getValue("remediation"));
    return new Rule(name, kind, metric, tags, agg, window, op, value, check, minStatus, occurrences, status, forMs, keepFiringFor,
        severity, labels, annotations, remediation);
  }

  private static List<String> sorted(Kind kind) {
    Set<String> all = new LinkedHashSet<>(new java.util.TreeSet<>(COMMON));
    all.addAll(new java.util.TreeSet<>(FIELDS.get(kind)));
    return List.copyOf(all);
  }

  private static String string(JsonObject json, String field, String fallback) {
    Object v = json.getValue(field);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(field + " must be a string, got " + v);
    }
    return s;
  }

  private static int integer(JsonObject json, String field, int fallback, int min, int max) {
    Object v = json.getValue(field);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min || ((Number) v).longValue() > max) {
      throw new IllegalArgumentException(field + " must be a whole number from " + min + " to " + max + ", got " + v);
    }
    return ((Number) v).intValue();
  }

  /** A JSON object of strings; label names checked when {@code labelNames}. */
  static Map<String, String> stringMap(JsonObject json, String field, boolean labelNames) {
    Object v = json.getValue(field);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof JsonObject object)) {
      throw new IllegalArgumentException(field + " must be an object of strings, got " + v);
    }
    if (object.size() > MAX_LABELS) {
      throw new IllegalArgumentException(field + " may have at most " + MAX_LABELS + " entries");
    }
    Map<String, String> map = new TreeMap<>();
    for (Map.Entry<String, Object> e : object) {
      if (!(e.getValue() instanceof String s) || s.length() > MAX_TEXT) {
        throw new IllegalArgumentException(field + "." + e.getKey() + " must be a string of at most " + MAX_TEXT + " characters");
      }
      if (labelNames && !LABEL.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException(field + ": '" + e.getKey() + "' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
      }
      map.put(e.getKey(), s);
    }
    return map;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name).put("kind", kind.wireName());
    switch (kind) {
      case THRESHOLD -> json.put("metric", metric).put("tags", new JsonObject(new TreeMap<>(tags))).put("agg", agg.wireName())
          .put("window", Durations.format(windowMs)).put("op", op.symbol()).put("value", value);
      case ABSENT -> json.put("metric", metric).put("tags", new JsonObject(new TreeMap<>(tags)));
      case CHECK -> json.put("check", check).put("minStatus", minStatus).put("occurrences", occurrences);
      case AGENT -> json.put("status", status);
      default -> { }
    }
    json.put("for", Durations.format(forMs)).put("keepFiringFor", Durations.format(keepFiringForMs)).put("severity", severity)
        .put("labels", new JsonObject(new TreeMap<>(labels))).put("annotations", new JsonObject(new TreeMap<>(annotations)));
    return remediation == null ? json : json.put("remediation", remediation.toJson());
  }

  public static Rule fromJson(JsonObject json) {
    JsonObject copy = json.copy();
    String name = (String) copy.remove("name");
    return parse(name, copy.put("name", name));
  }

  /** Whether a series' tags carry every tag this rule asks for. */
  public boolean selects(Map<String, String> seriesTags) {
    for (Map.Entry<String, String> want : tags.entrySet()) {
      if (!want.getValue().equals(seriesTags.get(want.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
