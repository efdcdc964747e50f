package io.mirador.hub.checks;

import io.mirador.Addresses;
import io.mirador.config.Settings;
import io.mirador.hub.HubConfig;
import io.mirador.hub.cluster.LocalNode;
import io.mirador.hub.cluster.Ownership;
import io.mirador.hub.events.AgentHeartbeat;
import io.mirador.hub.events.AgentRegistered;
import io.mirador.hub.events.ChecksChanged;
import io.mirador.hub.events.HubEvent;
import io.mirador.model.CheckDefinition;
import io.mirador.model.Command;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.Wire;
import io.mirador.store.AgentRecord;
import io.mirador.store.AgentRegistry;
import io.mirador.store.Stores;
import io.mirador.util.FanOut;
import io.mirador.transport.HubTransport;
import io.mirador.transport.Transports;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells agents which checks to run. On start it loads the checks of the {@code hub.checks.definitions} section into
 * the store (a file-defined check replaces a stored one of the same name only when it differs, so a restart does
 * not bump the revision). Then, whenever a definition changes ({@link Addresses#CHECKS_CHANGED}, from the REST
 * API) it pushes every known agent its full assignment, and when an agent registers it pushes that agent its own:
 * a {@code config} command whose payload is {@code {"revision": n, "checks": [definitions]}}, the checks whose
 * subscriptions meet the agent's. A full assignment every time makes pushes idempotent: the agent just applies the
 * newest it got.
 *
 * <p>Pushes happen once in the cluster: every checks verticle hears the hub events, only the holder of the
 * {@value #LEASE} lease acts on them. A push missed while the lease changes hands is caught up by the next heartbeat
 * of the agent, which reports the revision it applied. A paused old owner that pushes late sends a full assignment
 * the agent already has or that is older than the one it applied, which it ignores (it orders them by revision).
 */
public final class ChecksVerticle extends VerticleBase {

  /** The lease of check pushes. */
  public static final String LEASE = "checks";

  private static final Logger LOG = LoggerFactory.getLogger(ChecksVerticle.class);

  private CheckStore store;
  private AgentRegistry registry;
  private Ownership ownership;
  private HubTransport transport;
  /** One thread builds assignments: a burst of large ones takes one core, not every worker thread. */
  private io.vertx.core.WorkerExecutor builder;
  private LongAdder pushed;
  private LongAdder pushFailures;
  private long lastSeq;
  /** The newest revision of the definitions this verticle has read; -1 until the first read. */
  private long knownRevision = -1;
  /** When each agent was last sent its assignment, for the agents pushed to lately (see {@link #remember}). */
  private final Map<String, Long> lastPush = new HashMap<>();
  private LongAdder retried;
  /** Least time between two pushes to one agent when its heartbeats report an old assignment (hub.checks.resendAfterMs). */
  private long resendAfterMs;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  @Override
  public Future<?> start() {
    Stores stores = Stores.shared(vertx, config());
    store = stores.checks();
    registry = stores.registry();
    transport = Transports.forHub(vertx, config());
    builder = vertx.createSharedWorkerExecutor("mirador-check-assignments", 1);
    ownership = new Ownership(vertx, stores.leases(), LEASE, LocalNode.owner(vertx, LEASE), HubConfig.of(config()).leaseTtlMs());
    var meters = io.mirador.metrics.Meters.of(vertx);
    pushed = meters.counter("mirador_check_assignments_pushed_total", "Check assignments sent to agents");
    pushFailures = meters.counter("mirador_check_assignments_failed_total", "Check assignments the transport did not take");
    retried = meters.counter("mirador_check_assignments_resent_total",
        "Check assignments sent again because an agent's heartbeat reported an older one");
    List<CheckDefinition> fromConfig = definitionsFromConfig(Settings.section(config(), "hub", "checks", "definitions"));
    resendAfterMs = Settings.positiveInt(Settings.section(config(), "hub", "checks"), "resendAfterMs", 30_000);
    consumers.add(vertx.eventBus().<ChecksChanged>consumer(Addresses.CHECKS_CHANGED, message -> {
      if (ownership.held()) {
        pushToAll();
      }
    }));
    // an agent that reports an older assignment than the current one missed a push (it was unreachable, its command
    // queue dropped it, or the lease changed hands) and gets it again
    consumers.add(vertx.eventBus().<AgentHeartbeat>consumer(Addresses.AGENT_HEARTBEAT, message -> {
      if (ownership.held()) {
        catchUp(message.body());
      }
    }));
    consumers.add(vertx.eventBus().<AgentRegistered>consumer(Addresses.AGENT_REGISTERED, message -> {
      if (ownership.held()) {
        registry.agent(message.body().agent()).onSuccess(agent -> agent.ifPresent(this::pushTo));
      }
    }));
    ownership.onChange(held -> {
      if (held) {
        store.checkDefinitionsRevision().onSuccess(revision -> knownRevision = Math.max(knownRevision, revision));
      }
    });
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .compose(ready -> loadConfigured(fromConfig))
        .compose(changed -> store.checkDefinitionsRevision().map(revision -> {
          knownRevision = revision;
          return changed;
        }))
        .compose(changed -> ownership.start().map(held -> {
          if (changed) {
            // told like a change through the API: whichever checks verticle holds the lease pushes it
            HubEvent.publish(vertx.eventBus(), new ChecksChanged("hub.checks.definitions", knownRevision));
          }
          return null;
        }));
  }

  @Override
  public Future<?> stop() {
    builder.close();
    return Future.join(Future.all(consumers.stream().map(MessageConsumer::unregister).toList()), transport.close(), ownership.stop());
  }

  /** The {@code hub.checks.definitions} section: name → definition; a bad one stops the hub with its reason. */
  static List<CheckDefinition> definitionsFromConfig(JsonObject section) {
    List<CheckDefinition> definitions = new ArrayList<>();
    for (String name : section.fieldNames()) {
      Object body = section.getValue(name);
      try {
        definitions.add(CheckDefinition.parse(name, body instanceof JsonObject json ? json : null));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("hub.checks.definitions." + name + ": " + e.getMessage(), e);
      }
    }
    return definitions;
  }

  /** Stores the configured definitions that differ from the stored ones; true when any changed. */
  private Future<Boolean> loadConfigured(List<CheckDefinition> definitions) {
    Future<Boolean> chain = Future.succeededFuture(false);
    for (CheckDefinition definition : definitions) {
      chain = chain.compose(changed -> store.checkDefinition(definition.name()).compose(stored -> {
        if (stored.isPresent() && stored.get().equals(definition)) {
          return Future.succeededFuture(changed);
        }
        LOG.info("check {} from the hub configuration {}", definition.name(), stored.isPresent() ? "replaces the stored one" : "added");
        return store.putCheckDefinition(definition).map(true);
      }));
    }
    return chain;
  }

  /**
   * Commands carry a positive seq like every envelope; hub → agent commands have no per-agent sequence to keep, so this
   * is the send time in ms, made strictly increasing within this verticle. The agent orders assignments by revision.
   */
  private long nextSeq(long now) {
    lastSeq = Math.max(lastSeq + 1, now);
    return lastSeq;
  }

  /** The assignment of every known agent: the definitions read once, the sends at most {@link FanOut#DEFAULT_CONCURRENCY} at a time. */
  private void pushToAll() {
    registry.agents().compose(agents -> assignments().compose(current ->
            FanOut.map(agents, FanOut.DEFAULT_CONCURRENCY, agent -> send(agent, current).otherwiseEmpty())))
        .onFailure(e -> LOG.warn("could not push check assignments: {}", e.toString()));
  }

  private void pushTo(AgentRecord agent) {
    assignments().compose(current -> send(agent, current));
  }

  /**
   * Pushes again to an agent whose heartbeat reports an assignment older than the newest this verticle knows, or
   * none, at most once per {@code hub.checks.resendAfterMs} per agent (a push just made needs a heartbeat to show).
   */
  private void catchUp(AgentHeartbeat heartbeat) {
    if (knownRevision < 0 || heartbeat.checksRevision() >= knownRevision) {
      return;
    }
    String id = heartbeat.agent();
    Long last = lastPush.get(id);
    long now = System.currentTimeMillis();
    if (last != null && now - last < resendAfterMs) {
      return;
    }
    remember(id, now);
    retried.increment();
    LOG.info("agent {} reports check assignment {}, the current one is {}: pushing it again", id,
        heartbeat.checksRevision() < 0 ? "none" : heartbeat.checksRevision(), knownRevision);
    registry.agent(id).onSuccess(record -> record.ifPresent(this::pushTo));
  }

  /** A push older than resendAfterMs counts for nothing: those go when the map grows, so it holds the recent ones only. */
  private void remember(String agentId, long now) {
    if (lastPush.size() >= 10_000) {
      lastPush.values().removeIf(at -> now - at >= resendAfterMs);
    }
    lastPush.put(agentId, now);
  }

  /** The current revision and definitions; revision first: a change between the two reads is pushed again by its own notification. */
  private Future<Assignments> assignments() {
    return store.checkDefinitionsRevision().compose(revision -> store.checkDefinitions().map(all -> {
          knownRevision = Math.max(knownRevision, revision);
          return new Assignments(revision, all);
        }))
        .onFailure(e -> LOG.warn("could not read the check definitions to push: {}", e.toString()));
  }

  /**
   * One read of the definitions and the commands built from them, one per set of targeted definitions: a thousand
   * agents with the same subscriptions share one command, built once on a worker thread.
   */
  private record Assignments(long revision, List<CheckDefinition> definitions, Map<String, Future<Command>> commands) {

    Assignments(long revision, List<CheckDefinition> definitions) {
      this(revision, definitions, new java.util.concurrent.ConcurrentHashMap<>());
    }
  }

  /**
   * The command for one agent's subscriptions. Building it encodes every targeted definition, megabytes when there are
   * many large ones: that runs on a worker, never on this event loop (docs/SECURITY.md, "Hardening and limits").
   */
  private Future<Command> command(AgentRecord agent, Assignments current) {
    List<CheckDefinition> targeted = new ArrayList<>();
    StringBuilder key = new StringBuilder();
    for (CheckDefinition definition : current.definitions()) {
      if (definition.targets(agent.subscriptions())) {
        targeted.add(definition);
        key.append(definition.name()).append('\n');
      }
    }
    return current.commands().computeIfAbsent(key.toString(), k -> builder.executeBlocking(() -> {
      // the definitions as JSON text once, carried as a raw value: sending to each agent copies it, never re-encodes it
      StringBuilder checks = new StringBuilder().append('[');
      for (CheckDefinition definition : targeted) {
        checks.append(checks.length() == 1 ? "" : ",").append(definition.toJson().encode());
      }
      com.fasterxml.jackson.databind.node.ObjectNode payload = Wire.MAPPER.createObjectNode().put("revision", current.revision());
      payload.putRawValue("checks", new com.fasterxml.jackson.databind.util.RawValue(checks.append(']').toString()));
      return new Command("checks-" + current.revision(), payload);
    }, false));
  }

  private Future<Void> send(AgentRecord agent, Assignments current) {
    return command(agent, current).compose(command -> send(agent, current, command));
  }

  private Future<Void> send(AgentRecord agent, Assignments current, Command command) {
    long now = System.currentTimeMillis();
    remember(agent.id(), now);
    Envelope envelope = new Envelope(Envelope.VERSION, EventType.CONFIG, agent.id(), nextSeq(now), now, command);
    return transport.sendToAgent(agent.id(), envelope).onSuccess(sent -> {
      pushed.increment();
      LOG.debug("pushed check assignment revision {} to agent {}", current.revision(), agent.id());
    }).onFailure(e -> {
      pushFailures.increment();
      LOG.warn("check assignment for agent {} ({}) not sent: {}", agent.hostname(), agent.id(), e.getMessage());
    });
  }

}
