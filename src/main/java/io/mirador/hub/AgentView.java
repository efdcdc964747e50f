package io.mirador.hub;

import io.mirador.model.Sample;
import io.mirador.store.AgentRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The JSON the REST API and the live feed show of agents and samples: one shape for both. */
public final class AgentView {

  private AgentView() {
  }

  public static JsonObject json(AgentRecord agent) {
    return new JsonObject()
        .put("id", agent.id())
        .put("hostname", agent.hostname())
        .put("ips", new JsonArray(List.copyOf(agent.ips())))
        .put("os", agent.os())
        .put("version", agent.version())
        .put("status", agent.status().wireName())
        .put("statusSince", agent.statusSince())
        .put("lastSeen", agent.lastSeen())
        .put("registeredAt", agent.registeredAt())
        .put("startedAt", agent.startedAt())
        .put("interval", agent.interval())
        .put("busy", agent.busy())
        .put("received", agent.ingest().received())
        .put("duplicates", agent.ingest().duplicates())
        .put("gaps", agent.ingest().gaps())
        .put("lastSeq", agent.ingest().lastSeq())
        .put("counters", new JsonObject(new java.util.TreeMap<>(agent.agentCounters())))
        .put("subscriptions", new JsonArray(List.copyOf(agent.subscriptions())));
  }

  public static JsonObject json(Sample sample) {
    return new JsonObject()
        .put("name", sample.name())
        .put("tags", new JsonObject(new java.util.TreeMap<>(sample.tags())))
        .put("value", sample.value())
        .put("ts", sample.ts());
  }
}
