package io.mirador.agent;

import io.mirador.config.Settings;
import io.vertx.core.json.JsonObject;

/** The agent's section of the configuration, read the same way by every agent verticle. */
record AgentConfig(JsonObject section) {

  static AgentConfig of(JsonObject config) {
    return new AgentConfig(Settings.section(config, "agent"));
  }

  /** Set by the bootstrap once the id is loaded from the data directory. */
  String id() {
    String id = section.getString("id");
    if (id == null) {
      throw new IllegalStateException("agent.id is not set; agent verticles are deployed by io.mirador.Mirador");
    }
    return id;
  }

  String dataDir() {
    return section.getString("dataDir", "data");
  }

  String hostname() {
    return section.getString("hostname", "");
  }

  int heartbeatSeconds() {
    return Settings.positiveInt(section, "heartbeatSeconds", 10);
  }

  /** The check subscriptions this agent declares; {@code ["all"]} unless configured. */
  java.util.List<String> subscriptions() {
    io.vertx.core.json.JsonArray list = section.getJsonArray("subscriptions");
    if (list == null || list.isEmpty()) {
      return java.util.List.of("all");
    }
    java.util.List<String> names = new java.util.ArrayList<>();
    for (Object name : list) {
      if (!(name instanceof String s) || !io.mirador.model.Envelope.NAME.matcher(s).matches()) {
        throw new IllegalArgumentException("agent.subscriptions: each must be a name matching " + io.mirador.model.Envelope.NAME.pattern() + ", got " + name);
      }
      names.add(s);
    }
    return java.util.List.copyOf(names);
  }

  /** How long the channel holds collectors' metrics events to merge them into one; 0 sends each as it comes. */
  long batchLingerMs() {
    return batchNumber("lingerMs", 500, 0, 60_000);
  }

  /** Most samples in one merged event. */
  int batchMaxSamples() {
    return (int) batchNumber("maxSamples", 2_000, 1, io.mirador.model.MetricsBatch.MAX_SAMPLES);
  }

  /** Most bytes of samples' JSON in one merged event; below the hub's message size limit (1 MiB by default). */
  int batchMaxBytes() {
    return (int) batchNumber("maxBytes", 512 * 1024, 1_024, 64 * 1024 * 1024);
  }

  private long batchNumber(String key, long defaultValue, long min, long max) {
    Object value = Settings.section(section, "batch").getValue(key, defaultValue);
    if (!(value instanceof Number number) || number.doubleValue() != number.longValue() || number.longValue() < min
        || number.longValue() > max) {
      throw new IllegalArgumentException("agent.batch." + key + " must be a whole number from " + min + " to " + max + ", got " + value);
    }
    return number.longValue();
  }

  int outboxMaxEvents() {
    return Settings.positiveInt(Settings.section(section, "outbox"), "maxEvents", 10_000);
  }

  /** Direct publishes waiting for their confirm at once, and replayed ones likewise. */
  int maxInFlight() {
    return Settings.positiveInt(Settings.section(section, "outbox"), "maxInFlight", 128);
  }

  long spoolMaxBytes() {
    return positiveLong(Settings.section(section, "spool"), "maxBytes", 256L * 1024 * 1024);
  }

  long spoolSegmentBytes() {
    return positiveLong(Settings.section(section, "spool"), "segmentBytes", 8L * 1024 * 1024);
  }

  /**
   * The spool as a write-ahead log: every numbered event is on disk (fsynced per batch) before it is published and
   * leaves only after its confirm, so an agent killed outright loses nothing. false: spool only after a failed
   * publish (less disk I/O; events in memory are lost on SIGKILL).
   */
  boolean spoolWriteAhead() {
    Object value = Settings.section(section, "spool").getValue("writeAhead", true);
    if (!(value instanceof Boolean flag)) {
      throw new IllegalArgumentException("agent.spool.writeAhead must be true or false, got " + value);
    }
    return flag;
  }


  JsonObject collector(String name) {
    return Settings.section(section, "collectors", name);
  }

  private static long positiveLong(JsonObject section, String key, long fallback) {
    Object value = section.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue()) || number.longValue() <= 0) {
      throw new IllegalArgumentException("config key '" + key + "' must be a positive integer, got " + value);
    }
    return number.longValue();
  }
}
