package io.mirador.hub.heartbeat;

import io.mirador.Addresses;
import io.mirador.config.Settings;
import io.mirador.hub.AgentView;
import io.mirador.hub.HubConfig;
import io.mirador.hub.cluster.Fence;
import io.mirador.hub.cluster.LocalNode;
import io.mirador.hub.cluster.Ownership;
import io.mirador.hub.events.AgentStatusChanged;
import io.mirador.hub.events.HubEvent;
import io.mirador.metrics.Meters;
import io.mirador.store.AgentRecord;
import io.mirador.store.AgentRegistry;
import io.mirador.store.AgentRegistry.Transition;
import io.mirador.store.AgentStatus;
import io.mirador.store.Stores;
import io.mirador.util.FanOut;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges the liveness of agents: an agent silent for {@code staleAfterIntervals} of its own heartbeat interval
 * is stale, for {@code downAfterIntervals} down, and up again with its next event.
 *
 * <p>Once in the cluster, however many heartbeat verticles run on however many nodes: only the holder of the
 * {@value #LEASE} lease sweeps, and each change is a compare-and-set fenced with the lease's token
 * ({@link AgentRegistry#transition}), so an old owner that was paused past its lease cannot write, and a change is
 * published ({@link AgentStatusChanged}, and to the live feed) only by the caller that made it.
 */
public final class HeartbeatVerticle extends VerticleBase {

  /** The lease of the sweep. */
  public static final String LEASE = "heartbeat";

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatVerticle.class);

  private AgentRegistry registry;
  private Liveness liveness;
  private Ownership ownership;
  private LongAdder fenced;
  private LongAdder changes;
  private long timer = -1;
  private boolean sweeping;

  @Override
  public Future<?> start() {
    HubConfig hub = HubConfig.of(config());
    JsonObject heartbeat = hub.heartbeat();
    Stores stores = Stores.shared(vertx, config());
    registry = stores.registry();
    liveness = new Liveness(
        Settings.positiveInt(heartbeat, "staleAfterIntervals", 2),
        Settings.positiveInt(heartbeat, "downAfterIntervals", 5),
        Settings.positiveInt(heartbeat, "defaultIntervalSeconds", 10));
    Meters meters = Meters.of(vertx);
    fenced = meters.counter("mirador_fenced_writes_total", "Writes refused because the lease they were made under had passed to another owner",
        Map.of("lease", LEASE));
    expired = meters.counter("mirador_agents_expired_total", "Agents removed from the registry after hub.agents.expireAfterSeconds down");
    expireAfterMs = Settings.positiveInt(Settings.section(config(), "hub", "agents"), "expireAfterSeconds", 7 * 24 * 3600) * 1000L;
    changes = meters.counter("mirador_agent_status_changes_total", "Agent liveness changes this node made and published");
    ownership = new Ownership(vertx, stores.leases(), LEASE, LocalNode.owner(vertx, LEASE), hub.leaseTtlMs());
    timer = vertx.setPeriodic(Settings.positiveInt(heartbeat, "sweepSeconds", 1) * 1000L, id -> sweep());
    return ownership.start();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return ownership.stop();
  }

  private LongAdder expired;
  private long expireAfterMs;

  private void sweep() {
    Optional<Fence> fence = ownership.fence();
    if (sweeping || fence.isEmpty()) {
      return; // a slow store must not pile sweeps up; and only the owner sweeps
    }
    sweeping = true;
    long now = System.currentTimeMillis();
    registry.agents()
        .compose(agents -> FanOut.map(agents, FanOut.DEFAULT_CONCURRENCY, agent -> judge(agent, now, fence.get())))
        .onFailure(e -> LOG.warn("liveness sweep failed: {}", e.toString()))
        .onComplete(done -> sweeping = false);
  }

  private Future<Void> judge(AgentRecord agent, long now, Fence fence) {
    AgentStatus status = liveness.status(agent.lastSeen(), agent.interval(), now);
    if (status == AgentStatus.DOWN && agent.status() == AgentStatus.DOWN && now - agent.lastSeen() >= expireAfterMs) {
      return expire(agent);
    }
    if (status == agent.status()) {
      return Future.succeededFuture();
    }
    return registry.transition(agent.id(), agent.status(), status, now, fence).map(outcome -> {
      if (outcome == Transition.FENCED) {
        fenced.increment();
        LOG.info("not the {} owner any more (token {} is stale): agent {} left as it is", LEASE, fence.token(), agent.id());
      } else if (outcome == Transition.APPLIED) {
        announce(agent, status, now);
      }
      return null;
    });
  }

  /** An agent down for longer than hub.agents.expireAfterSeconds leaves the registry, with its series and results. */
  private Future<Void> expire(AgentRecord agent) {
    return registry.removeAgent(agent.id()).map(removed -> {
      if (removed) {
        expired.increment();
        LOG.info("agent {} ({}) expired: down since {} and silent for more than hub.agents.expireAfterSeconds", agent.hostname(), agent.id(),
            agent.statusSince());
        vertx.eventBus().publish(Addresses.LIVE_AGENTS, new JsonObject().put("event", "removed").put("agent", new JsonObject().put("id", agent.id())));
      }
      return null;
    });
  }

  private void announce(AgentRecord agent, AgentStatus status, long now) {
    changes.increment();
    LOG.info("agent {} ({}) is {} (was {})", agent.hostname(), agent.id(), status.wireName(), agent.status().wireName());
    AgentRecord changed = new AgentRecord(agent.id(), agent.hostname(), agent.ips(), agent.os(), agent.version(), agent.busy(),
        agent.startedAt(), agent.interval(), agent.registeredAt(), agent.lastSeen(), status, now, agent.ingest(), agent.agentCounters(),
        agent.subscriptions());
    HubEvent.publish(vertx.eventBus(), new AgentStatusChanged(agent.id(), agent.hostname(), agent.status(), status, now));
    vertx.eventBus().publish(Addresses.LIVE_AGENTS, new JsonObject().put("event", "status").put("agent", AgentView.json(changed)));
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
