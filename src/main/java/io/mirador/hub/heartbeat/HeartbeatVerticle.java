package io.mirador.hub.heartbeat;

import io.mirador.Addresses;
import io.mirador.config.Settings;
import io.mirador.hub.AgentView;
import io.mirador.hub.HubConfig;
import io.mirador.store.AgentRecord;
import io.mirador.store.AgentStatus;
import io.mirador.store.FanOut;
import io.mirador.store.Store;
import io.mirador.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges the liveness of agents: an agent silent for {@code staleAfterIntervals} of its own heartbeat interval
 * is stale, for {@code downAfterIntervals} down, and up again with its next event. Every change is stored and
 * published on {@link Addresses#AGENT_STATUS} and to the live feed.
 */
public final class HeartbeatVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatVerticle.class);

  private Store store;
  private Liveness liveness;
  private long timer = -1;
  private boolean sweeping;

  @Override
  public Future<?> start() {
    JsonObject heartbeat = HubConfig.of(config()).heartbeat();
    store = Stores.shared(vertx, config());
    liveness = new Liveness(
        Settings.positiveInt(heartbeat, "staleAfterIntervals", 2),
        Settings.positiveInt(heartbeat, "downAfterIntervals", 5),
        Settings.positiveInt(heartbeat, "defaultIntervalSeconds", 10));
    timer = vertx.setPeriodic(Settings.positiveInt(heartbeat, "sweepSeconds", 1) * 1000L, id -> sweep());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void sweep() {
    if (sweeping) {
      return; // a slow store must not pile sweeps up
    }
    sweeping = true;
    long now = System.currentTimeMillis();
    store.agents()
        .compose(agents -> FanOut.map(agents, FanOut.DEFAULT_CONCURRENCY, agent -> judge(agent, now)))
        .onFailure(e -> LOG.warn("liveness sweep failed: {}", e.toString()))
        .onComplete(done -> sweeping = false);
  }

  private Future<Void> judge(AgentRecord agent, long now) {
    AgentStatus status = liveness.status(agent.lastSeen(), agent.interval(), now);
    if (status == agent.status()) {
      return Future.succeededFuture();
    }
    return store.setStatus(agent.id(), status, now).onSuccess(done -> {
      LOG.info("agent {} ({}) is {} (was {})", agent.hostname(), agent.id(), status.wireName(), agent.status().wireName());
      AgentRecord changed = new AgentRecord(agent.id(), agent.hostname(), agent.ips(), agent.os(), agent.version(), agent.busy(),
          agent.startedAt(), agent.interval(), agent.registeredAt(), agent.lastSeen(), status, now, agent.ingest(), agent.agentCounters(), agent.subscriptions());
      vertx.eventBus().publish(Addresses.AGENT_STATUS, new JsonObject().put("agent", agent.id()).put("hostname", agent.hostname())
          .put("from", agent.status().wireName()).put("to", status.wireName()).put("at", now));
      vertx.eventBus().publish(Addresses.LIVE_AGENTS, new JsonObject().put("event", "status").put("agent", AgentView.json(changed)));
    });
  }

  /** The rule, apart from the timer, so it can be read and tested on its own. */
  record Liveness(int staleAfterIntervals, int downAfterIntervals, int defaultIntervalSeconds) {

    AgentStatus status(long lastSeen, int intervalSeconds, long now) {
      long interval = (intervalSeconds > 0 ? intervalSeconds : defaultIntervalSeconds) * 1000L;
      long silent = now - lastSeen;
      if (silent >= downAfterIntervals * interval) {
        return AgentStatus.DOWN;
      }
      if (silent >= staleAfterIntervals * interval) {
        return AgentStatus.STALE;
      }
      return AgentStatus.UP;
    }
  }
}
