package io.mirador.store;

import com.fasterxml.jackson.annotation.JsonValue;

/** Liveness of an agent as the hub judges it from heartbeats. */
public enum AgentStatus {
  UP, STALE, DOWN;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
