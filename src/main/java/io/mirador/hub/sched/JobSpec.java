package io.mirador.hub.sched;

import io.mirador.model.Envelope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a job runs and how: the script (as text; {@code scriptBase64} on the API is decoded here), its interpreter,
 * arguments and environment, the per-target timeout, the target selectors, and the window and fail thresholds. Read
 * from JSON with {@link #fromJson}, which refuses anything out of range with the reason the API answers 400 with.
 *
 * @param timeoutSeconds per target, from the agent's start of the script; the hub waits that plus a grace for a result
 * @param parallel       the sliding window: how many targets run at once
 * @param failRate       percent of all targets that may fail before no new target starts (−1: don't care)
 * @param failCount      failures that may happen before no new target starts (−1: don't care)
 */
public record JobSpec(String script, String interpreter, List<String> args, Map<String, String> env, int timeoutSeconds,
    Targets targets, int parallel, int failRate, int failCount) {

  /** Largest script accepted, in bytes of UTF-8: a script, not a payload. */
  public static final int MAX_SCRIPT_BYTES = 256 * 1024;
  public static final int MAX_TIMEOUT_SECONDS = 86_400;
  public static final int MAX_PARALLEL = 10_000;
  private static final int MAX_ARGS = 64;
  private static final int MAX_ENV = 64;
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /** The union of the selectors given: agent ids, a hostname glob, subscriptions. */
  public record Targets(List<String> agents, String hostname, List<String> subscriptions) {

    public boolean isEmpty() {
      return agents.isEmpty() && hostname == null && subscriptions.isEmpty();
    }

    /** Whether the hostname glob ({@code *} and {@code ?}) matches. */
    public boolean hostnameMatches(String name) {
      if (hostname == null || name == null) {
        return false;
      }
      StringBuilder regex = new StringBuilder();
      for (char c : hostname.toCharArray()) {
        regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
      }
      return name.matches(regex.toString());
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject().put("agents", new JsonArray(agents)).put("subscriptions", new JsonArray(subscriptions));
      if (hostname != null) {
        json.put("hostname", hostname);
      }
      return json;
    }
  }

  public static JobSpec fromJson(JsonObject json) {
    String script = json.getValue("script") instanceof String s ? s : null;
    Object encoded = json.getValue("scriptBase64");
    if (script != null && encoded != null) {
      throw new IllegalArgumentException("give script or scriptBase64, not both");
    }
    if (encoded != null) {
      if (!(encoded instanceof String text) || text.length() > MAX_SCRIPT_BYTES * 4 / 3 + 4) {
        throw new IllegalArgumentException("scriptBase64 must be base64 text of at most " + MAX_SCRIPT_BYTES + " bytes");
      }
      try {
        script = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("scriptBase64 is not base64: " + e.getMessage());
      }
    } else if (json.getValue("script") != null && script == null) {
      throw new IllegalArgumentException("script must be text");
    }
    if (script == null || script.isBlank()) {
      throw new IllegalArgumentException("script is required and must not be empty");
    }
    if (script.getBytes(StandardCharsets.UTF_8).length > MAX_SCRIPT_BYTES) {
      throw new IllegalArgumentException("script is larger than " + MAX_SCRIPT_BYTES + " bytes");
    }
    if (script.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("script must not contain NUL");
    }
    String interpreter = json.getValue("interpreter", "/bin/sh") instanceof String s ? s : null;
    if (interpreter == null || !interpreter.startsWith("/") || interpreter.length() > 256 || interpreter.contains(" ")) {
      throw new IllegalArgumentException("interpreter must be an absolute path without spaces, e.g. /bin/sh");
    }
    List<String> args = strings(json, "args", MAX_ARGS, 4_096);
    Map<String, String> env = new LinkedHashMap<>();
    Object envValue = json.getValue("env");
    if (envValue != null) {
      if (!(envValue instanceof JsonObject envJson) || envJson.size() > MAX_ENV) {
        throw new IllegalArgumentException("env must be an object of at most " + MAX_ENV + " name: text pairs");
      }
      for (Map.Entry<String, Object> e : envJson) {
        if (!ENV_NAME.matcher(e.getKey()).matches() || e.getKey().startsWith("MIRADOR_")) {
          throw new IllegalArgumentException("env name '" + e.getKey() + "' must match " + ENV_NAME.pattern() + " and not start with MIRADOR_");
        }
        if (!(e.getValue() instanceof String v) || v.indexOf('\0') >= 0 || v.length() > 4_096) {
          throw new IllegalArgumentException("env " + e.getKey() + " must be text of at most 4096 chars");
        }
        env.put(e.getKey(), v);
      }
    }
    int timeout = integer(json, "timeout", 30, 1, MAX_TIMEOUT_SECONDS);
    int parallel = integer(json, "parallel", 100, 1, MAX_PARALLEL);
    int failRate = integer(json, "failRate", -1, -1, 100);
    int failCount = integer(json, "failCount", -1, -1, Integer.MAX_VALUE);
    Object targetsValue = json.getValue("targets");
    if (!(targetsValue instanceof JsonObject targetsJson)) {
      throw new IllegalArgumentException("targets is required: {\"agents\":[…], \"hostname\":\"web-*\", \"subscriptions\":[…]}");
    }
    List<String> agents = strings(targetsJson, "agents", MAX_PARALLEL, 64);
    for (String agent : agents) {
      if (!Envelope.AGENT_ID.matcher(agent).matches()) {
        throw new IllegalArgumentException("targets.agents: '" + agent + "' is no agent id");
      }
    }
    Object hostname = targetsJson.getValue("hostname");
    if (hostname != null && (!(hostname instanceof String h) || h.isBlank() || h.length() > 255)) {
      throw new IllegalArgumentException("targets.hostname must be a hostname or glob (web-*)");
    }
    List<String> subscriptions = strings(targetsJson, "subscriptions", 64, 128);
    Targets targets = new Targets(agents, (String) hostname, subscriptions);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets selects nothing: give agents, hostname or subscriptions");
    }
    return new JobSpec(script, interpreter, args, Map.copyOf(env), timeout, targets, parallel, failRate, failCount);
  }

  public JsonObject toJson() {
    return new JsonObject().put("script", script).put("interpreter", interpreter).put("args", new JsonArray(args))
        .put("env", new JsonObject(new LinkedHashMap<>(env))).put("timeout", timeoutSeconds).put("targets", targets.toJson())
        .put("parallel", parallel).put("failRate", failRate).put("failCount", failCount);
  }

  private static int integer(JsonObject json, String key, int absent, int min, int max) {
    Object value = json.getValue(key);
    if (value == null) {
      return absent;
    }
    if (!(value instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < min || n.longValue() > max) {
      throw new IllegalArgumentException(key + " must be a whole number from " + min + " to " + max + ", got " + value);
    }
    return n.intValue();
  }

  private static List<String> strings(JsonObject json, String key, int maxItems, int maxLength) {
    Object value = json.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array) || array.size() > maxItems) {
      throw new IllegalArgumentException(key + " must be a list of at most " + maxItems + " texts");
    }
    List<String> list = new ArrayList<>();
    for (Object item : array) {
      if (!(item instanceof String s) || s.length() > maxLength || s.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(key + ": each must be text of at most " + maxLength + " chars, got " + item);
      }
      list.add(s);
    }
    return List.copyOf(list);
  }
}
