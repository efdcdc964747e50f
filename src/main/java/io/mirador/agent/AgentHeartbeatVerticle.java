package io.mirador.agent;

import io.mirador.Addresses;
import io.mirador.Version;
import io.mirador.model.AgentInfo;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.Map;
import oshi.SystemInfo;

/**
 * Says the agent is there: a {@code register} when it starts, then a {@code heartbeat} every interval with
 * its hostname, addresses, OS and version. Addresses are probed again for every heartbeat (they change).
 */
public final class AgentHeartbeatVerticle extends VerticleBase {

  private String agentId;
  private String configuredHostname;
  private int intervalSeconds;
  private java.util.List<String> subscriptions;
  private long startedAt;
  private SystemInfo systemInfo;
  private long timer = -1;

  @Override
  public Future<?> start() {
    AgentConfig agent = AgentConfig.of(config());
    agentId = agent.id();
    configuredHostname = agent.hostname();
    intervalSeconds = agent.heartbeatSeconds();
    subscriptions = agent.subscriptions();
    startedAt = System.currentTimeMillis();
    return vertx.executeBlocking(() -> systemInfo = new SystemInfo())
        .compose(ready -> beat(EventType.REGISTER))
        .onSuccess(registered -> timer = vertx.setPeriodic(intervalSeconds * 1000L, id -> beat(EventType.HEARTBEAT)));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Values other agent verticles report in every register and heartbeat, by counter name. */
  static void report(Vertx vertx, String agentId, String counter, long value) {
    reported(vertx, agentId).put(counter, value);
  }

  private static LocalMap<String, Long> reported(Vertx vertx, String agentId) {
    return vertx.sharedData().getLocalMap("mirador.agent." + agentId + ".reported");
  }

  private Future<Void> beat(EventType type) {
    return vertx.executeBlocking(() -> HostFacts.probe(systemInfo, configuredHostname), false).map(facts -> {
      boolean busy = reported(vertx, agentId).getOrDefault(AgentJobs.RUNNING_COUNTER, 0L) > 0;
      AgentInfo info = new AgentInfo(agentId, facts.hostname(), facts.ips(), facts.os(), Version.current(), busy,
          startedAt, intervalSeconds, Map.copyOf(reported(vertx, agentId)), subscriptions);
      vertx.eventBus().send(Addresses.agentOutbox(agentId), new Envelope(Envelope.VERSION, type, agentId, 0, System.currentTimeMillis(), info));
      return null;
    });
  }
}
