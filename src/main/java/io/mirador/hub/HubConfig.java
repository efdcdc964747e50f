package io.mirador.hub;

import io.mirador.config.Settings;
import io.vertx.core.json.JsonObject;

/** The hub's sections of the configuration, read the same way by every hub verticle. */
public record HubConfig(JsonObject hub) {

  public static HubConfig of(JsonObject config) {
    return new HubConfig(Settings.section(config, "hub"));
  }

  public int maxMessageBytes() {
    return Settings.positiveInt(Settings.section(hub, "ingest"), "maxMessageBytes", 1024 * 1024);
  }

  public long storeTimeoutMs() {
    return Settings.positiveInt(Settings.section(hub, "ingest"), "storeTimeoutMs", 10_000);
  }

  /** Attempts at storing one event that failed in a way not known to pass, before it is dead-lettered (docs/RABBITMQ.md). */
  public int maxAttempts() {
    return Settings.positiveInt(Settings.section(hub, "ingest"), "maxAttempts", 5);
  }

  public JsonObject heartbeat() {
    return Settings.section(hub, "heartbeat");
  }
}
