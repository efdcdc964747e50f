package io.mirador.hub.enroll;

import io.mirador.config.Settings;
import io.vertx.core.json.JsonObject;

/**
 * The hub's enrollment settings: {@code hub.enroll.token} (a reusable bootstrap token, also from
 * {@code MIRADOR_ENROLL_TOKEN}), {@code hub.agents.authenticate} (per-envelope authentication of agents; on whenever
 * the transport is RabbitMQ, off on the in-process event bus, where the only agent is the hub's own) and
 * {@code hub.commands.ttlSeconds} (how long a signed command stays valid).
 */
public record EnrollConfig(JsonObject config) {

  public static EnrollConfig of(JsonObject config) {
    return new EnrollConfig(config);
  }

  /** The bootstrap token, or null. */
  public String token() {
    String token = Settings.section(config, "hub", "enroll").getString("token");
    return token == null || token.isBlank() ? null : token;
  }

  public boolean authenticate() {
    boolean broker = "rabbitmq".equals(Settings.section(config, "transport").getString("type", "local"));
    Object value = Settings.section(config, "hub", "agents").getValue("authenticate", broker);
    if (!(value instanceof Boolean flag)) {
      throw new IllegalArgumentException("hub.agents.authenticate must be true or false, got " + value);
    }
    return flag;
  }

  public long commandTtlMs() {
    return Settings.positiveInt(Settings.section(config, "hub", "commands"), "ttlSeconds", 600) * 1000L;
  }
}
