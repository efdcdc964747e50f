package io.mirador.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One check as operators define it (REST, the hub's {@code hub.checks} section, or an agent's {@code agent.checks.local}),
 * and as the hub sends it to agents in their {@code config} assignment. docs/CHECKS.md describes every field.
 *
 * <p>{@link #parse} is the one validation: it names the first bad field, so a bad definition changes nothing anywhere.
 *
 * @param command      a script for {@code /bin/sh -c}; exactly one of command and argv
 * @param argv         a program and its arguments, run without a shell
 * @param interval     seconds between runs, 1..86400
 * @param timeoutMs    hard timeout in ms (the JSON says {@code timeout} in seconds, fractions allowed), up to
 *                     {@link #MAX_TIMEOUT} s and longer than the interval if need be: runs still never overlap, a run
 *                     due while the previous one is going is skipped (and counted)
 * @param format       the output format's config name ({@code nagios}, {@code graphite}, …)
 * @param subscriptions agents subscribed to any of these run the check
 */
public record CheckDefinition(
    String name,
    String command,
    List<String> argv,
    int interval,
    long timeoutMs,
    String format,
    List<String> subscriptions,
    Map<String, String> env,
    String workdir,
    int maxOutputBytes,
    List<String> allow,
    List<String> deny,
    boolean enabled) {

  public static final Pattern NAME = Envelope.NAME;
  public static final int MAX_INTERVAL = 86_400;
  /** The longest timeout, in seconds; it may exceed the interval, as in Sensu and Nagios. */
  public static final int MAX_TIMEOUT = 86_400;
  public static final int DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
  public static final int MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
  /** The output formats of io.mirador.agent.exec.parse.OutputFormat, by config name (the model does not depend on the agent). */
  public static final List<String> FORMATS = List.of("nagios", "graphite", "influx", "opentsdb", "collectd", "prometheus", "json");

  private static final Set<String> FIELDS = Set.of("name", "command", "argv", "interval", "timeout", "format", "subscriptions",
      "env", "workdir", "maxOutputBytes", "allow", "deny", "enabled");

  /**
   * Validates a definition. {@code name} comes from the path (REST) or the map key (config); a {@code name} field in the
   * JSON, if any, must be the same.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static CheckDefinition parse(String name, JsonObject json) {
    require(name != null && NAME.matcher(name).matches(), "check name must match " + NAME.pattern() + ", got " + quote(name));
    require(json != null, "a check definition is a JSON object");
    for (String field : json.fieldNames()) {
      require(FIELDS.contains(field), "unknown field '" + field + "'; known: " + String.join(", ", new java.util.TreeSet<>(FIELDS)));
    }
    Object named = json.getValue("name");
    require(named == null || name.equals(named), "the name in the body (" + named + ") differs from the name in the path (" + name + ")");

    Object commandValue = json.getValue("command");
    Object argvValue = json.getValue("argv");
    require(commandValue != null || argvValue != null, "command (a shell string) or argv (an array) is required");
    require(commandValue == null || argvValue == null, "give command or argv, not both");
    String command = null;
    List<String> argv = null;
    if (commandValue != null) {
      require(commandValue instanceof String s && !s.isBlank(), "command must be a non-blank string");
      command = (String) commandValue;
      require(command.indexOf('\0') < 0, "command must not contain NUL");
    } else {
      argv = strings("argv", argvValue);
      require(!argv.isEmpty() && !argv.get(0).isBlank(), "argv must start with a non-blank program");
    }

    Object intervalValue = json.getValue("interval");
    require(intervalValue != null, "interval (seconds between runs) is required");
    require(intervalValue instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()),
        "interval must be a whole number of seconds, got " + intervalValue);
    long intervalLong = ((Number) intervalValue).longValue();
    require(intervalLong > 0 && intervalLong <= MAX_INTERVAL, "interval must be between 1 and " + MAX_INTERVAL + " s, got " + intervalLong);
    int interval = (int) intervalLong;

    long timeoutMs = interval * 1000L;
    Object timeoutValue = json.getValue("timeout");
    if (timeoutValue != null) {
      require(timeoutValue instanceof Number, "timeout must be a number of seconds, got " + timeoutValue);
      double seconds = ((Number) timeoutValue).doubleValue();
      require(seconds > 0 && seconds <= MAX_TIMEOUT, "timeout must be more than 0 and at most " + MAX_TIMEOUT + " s, got " + timeoutValue);
      timeoutMs = Math.round(seconds * 1000);
      require(timeoutMs >= 1, "timeout must be at least 1 ms");
    }

    String format = "nagios";
    Object formatValue = json.getValue("format");
    if (formatValue != null) {
      require(formatValue instanceof String, "format must be a string, one of " + FORMATS);
      format = ((String) formatValue).strip().toLowerCase(Locale.ROOT);
      require(FORMATS.contains(format), "unknown format '" + formatValue + "'; known formats: " + String.join(", ", FORMATS));
    }

    List<String> subscriptions = List.of("all");
    if (json.getValue("subscriptions") != null) {
      subscriptions = strings("subscriptions", json.getValue("subscriptions"));
      require(!subscriptions.isEmpty(), "subscriptions must not be empty (leave it out for [\"all\"])");
      for (String subscription : subscriptions) {
        require(NAME.matcher(subscription).matches(), "subscription " + quote(subscription) + " must match " + NAME.pattern());
      }
    }

    Map<String, String> env = new TreeMap<>();
    Object envValue = json.getValue("env");
    if (envValue != null) {
      require(envValue instanceof JsonObject, "env must be an object of strings");
      for (Map.Entry<String, Object> entry : (JsonObject) envValue) {
        String variable = entry.getKey();
        require(!variable.isEmpty() && variable.indexOf('=') < 0 && variable.indexOf('\0') < 0, "invalid environment variable name " + quote(variable));
        require(entry.getValue() instanceof String s && s.indexOf('\0') < 0, "env." + variable + " must be a string");
        env.put(variable, (String) entry.getValue());
      }
    }

    String workdir = null;
    Object workdirValue = json.getValue("workdir");
    if (workdirValue != null) {
      require(workdirValue instanceof String s && s.startsWith("/"), "workdir must be an absolute path, got " + workdirValue);
      workdir = (String) workdirValue;
    }

    int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
    Object maxValue = json.getValue("maxOutputBytes");
    if (maxValue != null) {
      require(maxValue instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= 1 && n.longValue() <= MAX_OUTPUT_BYTES,
          "maxOutputBytes must be a whole number between 1 and " + MAX_OUTPUT_BYTES + ", got " + maxValue);
      maxOutputBytes = ((Number) maxValue).intValue();
    }

    List<String> allow = regexes("allow", json.getValue("allow"));
    List<String> deny = regexes("deny", json.getValue("deny"));

    boolean enabled = true;
    Object enabledValue = json.getValue("enabled");
    if (enabledValue != null) {
      require(enabledValue instanceof Boolean, "enabled must be true or false, got " + enabledValue);
      enabled = (Boolean) enabledValue;
    }
    return new CheckDefinition(name, command, argv, interval, timeoutMs, format, subscriptions, Map.copyOf(env), workdir,
        maxOutputBytes, allow, deny, enabled);
  }

  /** Whether an agent with these subscriptions runs this check; an agent that declared none counts as {@code ["all"]}. */
  public boolean targets(List<String> agentSubscriptions) {
    List<String> declared = agentSubscriptions == null || agentSubscriptions.isEmpty() ? List.of("all") : agentSubscriptions;
    return subscriptions.stream().anyMatch(declared::contains);
  }

  /** The timeout in seconds as the JSON and the "timed out after N s" message say it: 10, 0.5. */
  public Number timeoutSeconds() {
    BigDecimal seconds = BigDecimal.valueOf(timeoutMs, 3).stripTrailingZeros();
    return seconds.scale() <= 0 ? (Number) seconds.longValueExact() : (Number) seconds.doubleValue();
  }

  /** Every field with its default filled in; {@link #parse} of this gives an equal definition. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name);
    if (command != null) {
      json.put("command", command);
    } else {
      json.put("argv", new JsonArray(new ArrayList<>(argv)));
    }
    return json
        .put("interval", interval)
        .put("timeout", timeoutSeconds())
        .put("format", format)
        .put("subscriptions", new JsonArray(new ArrayList<>(subscriptions)))
        .put("env", new JsonObject(new LinkedHashMap<>(new TreeMap<>(env))))
        .put("workdir", workdir)
        .put("maxOutputBytes", maxOutputBytes)
        .put("allow", new JsonArray(new ArrayList<>(allow)))
        .put("deny", new JsonArray(new ArrayList<>(deny)))
        .put("enabled", enabled);
  }

  /** Parses what {@link #toJson} wrote (stores, config pushes). */
  public static CheckDefinition fromJson(JsonObject json) {
    JsonObject copy = json.copy();
    if (copy.getValue("workdir") == null) {
      copy.remove("workdir");
    }
    return parse(json.getString("name"), copy);
  }

  private static List<String> strings(String field, Object value) {
    require(value instanceof JsonArray, field + " must be an array of strings");
    List<String> list = new ArrayList<>();
    for (Object item : (JsonArray) value) {
      require(item instanceof String s && s.indexOf('\0') < 0, field + " must be an array of strings, got " + item);
      list.add((String) item);
    }
    return List.copyOf(list);
  }

  private static List<String> regexes(String field, Object value) {
    if (value == null) {
      return List.of();
    }
    List<String> list = strings(field, value);
    for (String regex : list) {
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(field + ": " + quote(regex) + " is not a valid regular expression: " + e.getDescription());
      }
    }
    return list;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + (s.length() > 140 ? s.substring(0, 140) + "…" : s) + "'";
  }
}
