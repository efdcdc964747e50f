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

  /** How long a lease of single-owner work lasts unless renewed (renewed every third of it): the takeover time after a crash. */
  public long leaseTtlMs() {
    return Settings.positiveInt(Settings.section(hub, "cluster"), "leaseTtlMs", 3_000);
  }

  /** How often a hub node says in the store that it is alive. */
  public long nodeBeatMs() {
    return Settings.positiveInt(Settings.section(hub, "cluster"), "nodeBeatMs", 1_000);
  }

  /** After how long without a word a hub node is shown as down. */
  public long nodeDownAfterMs() {
    return Settings.positiveInt(Settings.section(hub, "cluster"), "nodeDownAfterMs", 5_000);
  }
}
