package io.mirador.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * Typed access to the configuration tree, with the defaults of conf/mirador.yaml repeated only where a
 * verticle may run with a partial tree (tests). {@link #validate} turns a bad value into a clear startup error.
 */
public final class Settings {


  private Settings() {
  }

  public static JsonObject section(JsonObject config, String... path) {
    JsonObject node = config;
    for (String key : path) {
      JsonObject child = node.getJsonObject(key);
      node = child == null ? new JsonObject() : child;
    }
    return node;
  }

  public static int positiveInt(JsonObject section, String key, int fallback) {
    Object value = section.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue()) || number.intValue() <= 0) {
      throw new IllegalArgumentException("config key '" + key + "' must be a positive integer, got " + value);
    }
    return number.intValue();
  }

  static void validate(JsonObject config) {
    JsonObject http = section(config, "http");
    Object port = http.getValue("port", 8080);
    if (!(port instanceof Integer p) || p < 0 || p > 65535) {
      throw new IllegalArgumentException("http.port must be a port number 0..65535 (0 = any free port), got " + port);
    }
    JsonObject hub = section(config, "hub");
    for (String key : List.of("staleAfterIntervals", "downAfterIntervals", "sweepSeconds", "defaultIntervalSeconds")) {
      positiveInt(section(hub, "heartbeat"), key, 1);
    }
    int stale = section(hub, "heartbeat").getInteger("staleAfterIntervals", 2);
    int down = section(hub, "heartbeat").getInteger("downAfterIntervals", 5);
    if (down <= stale) {
      throw new IllegalArgumentException("hub.heartbeat.downAfterIntervals (" + down + ") must be greater than staleAfterIntervals (" + stale + ")");
    }
    for (Object role : hub.getJsonArray("roles", new JsonArray())) {
      try {
        io.mirador.hub.HubRole.named(String.valueOf(role).strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("hub.roles: " + e.getMessage(), e);
      }
    }
    for (String key : List.of("leaseTtlMs", "nodeBeatMs", "nodeDownAfterMs")) {
      positiveInt(section(hub, "cluster"), key, 1);
    }
    JsonObject agent = section(config, "agent");
    positiveInt(agent, "heartbeatSeconds", 10);
    positiveInt(section(agent, "outbox"), "maxEvents", 10_000);
    JsonObject collectors = section(agent, "collectors");
    for (String name : collectors.fieldNames()) {
      positiveInt(section(collectors, name), "intervalSeconds", 1);
    }
    positiveInt(section(config, "hub", "ingest"), "maxMessageBytes", 1);
    positiveInt(section(agent, "checks"), "maxConcurrent", 4);
    JsonObject flapping = section(hub, "checks", "flapping");
    Object low = flapping.getValue("low", 25);
    Object high = flapping.getValue("high", 50);
    if (!(low instanceof Number l) || !(high instanceof Number h) || l.doubleValue() < 0 || l.doubleValue() >= h.doubleValue() || h.doubleValue() > 100) {
      throw new IllegalArgumentException("hub.checks.flapping needs numbers 0 <= low < high <= 100, got low " + low + ", high " + high);
    }
  }
}
