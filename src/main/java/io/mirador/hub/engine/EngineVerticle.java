package io.mirador.hub.engine;

import io.mirador.Addresses;
import io.mirador.hub.AgentView;
import io.mirador.hub.LiveInterest;
import io.mirador.hub.alert.AlertIndex;
import io.mirador.hub.checks.CheckSeries;
import io.mirador.hub.checks.CheckStates;
import io.mirador.hub.checks.Flapping;
import io.mirador.hub.events.AgentHeartbeat;
import io.mirador.hub.events.AgentRegistered;
import io.mirador.hub.events.HubEvent;
import io.mirador.hub.events.SamplesStored;
import io.mirador.model.Sample;
import java.util.ArrayList;
import java.util.List;
import io.mirador.util.RateLimitedLog;
import io.mirador.metrics.Meters;
import io.mirador.model.AgentInfo;
import io.mirador.model.CheckResult;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.LogLine;
import io.mirador.model.JobResult;
import io.mirador.hub.events.JobReport;
import io.mirador.hub.sched.SchedVerticle;
import io.vertx.core.eventbus.DeliveryOptions;
import io.mirador.model.MetricsBatch;
import io.mirador.store.Admission;
import io.mirador.store.AgentRegistry;
import io.mirador.store.IngestStore;
import io.mirador.store.StoreFailure;
import io.mirador.store.Stores;
import io.mirador.store.WriteBatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores what agents send. Each event type has a handler that turns the event into writes; the store applies
 * them once per (agent, seq); then the engine tells the rest of the hub (live feed, alerting) and replies,
 * which lets the channel ack. A duplicate is replied to as well (it is stored already) and counted.
 */
public final class EngineVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(EngineVerticle.class);

  /**
   * How a write that failed is answered (docs/RABBITMQ.md, "Poison deliveries"). The store refused the event for what
   * it holds (its own check of the arguments): no later attempt can store it, the channel dead-letters it at once.
   */
  public static final int REFUSED = 422;
  /** The store failed on this event for a reason not known to pass (an error reply about the call, a bug): tried a few times. */
  public static final int FAILED = 500;
  /** The store is away or too slow: tried again until it is back. */
  public static final int UNAVAILABLE = 503;
  /** An agent the hub does not know, while it knows {@code hub.agents.max}: dead-lettered as {@code agent_limit}. */
  public static final int AGENT_LIMIT = 429;

  /** While the store is away every delivery fails and comes back: one line a second, not one per event. */
  private final RateLimitedLog storeFailures = new RateLimitedLog(LOG, 1_000);

  private final Map<EventType, BiConsumer<Envelope, WriteBatch>> handlers = new EnumMap<>(EventType.class);
  private IngestStore ingest;
  private AgentRegistry registry;
  private Meters meters;
  private LongAdder samplesStored;
  private LongAdder samplesRefused;
  private LongAdder agentsRefused;
  private AgentCap agentCap;
  private LongAdder duplicates;
  /** Per event type, looked up once: this runs for every event. */
  private final Map<EventType, LongAdder> stored = new EnumMap<>(EventType.class);
  private MessageConsumer<Envelope> consumer;
  private CheckStates checkStates;
  private LiveInterest live;
  private AlertIndex alertIndex;

  @Override
  public Future<?> start() {
    Stores stores = Stores.shared(vertx, config());
    ingest = stores.ingest();
    registry = stores.registry();
    meters = Meters.of(vertx);
    samplesStored = meters.counter("mirador_samples_stored_total", "Metric samples stored");
    samplesRefused = meters.counter("mirador_samples_refused_total",
        "Metric samples of stored events that the store did not keep: a new series beyond its series limit, older than the "
            + "retention, too far ahead, or beyond a bucket's size (mirador_store_* counters say which)");
    agentsRefused = meters.counter("mirador_agents_refused_total",
        "Events of agents the hub did not know, refused because hub.agents.max agents were known");
    JsonObject agentsSection = io.mirador.config.Settings.section(config(), "hub", "agents");
    agentCap = new AgentCap(vertx, registry, io.mirador.config.Settings.positiveInt(agentsSection, "max", 10_000),
        io.mirador.config.Settings.positiveInt(agentsSection, "refreshMs", 10_000));
    duplicates = meters.counter("mirador_events_duplicate_total", "Events received again and not stored twice");
    JsonObject flap = io.mirador.config.Settings.section(config(), "hub", "checks", "flapping");
    alertIndex = new AlertIndex(vertx, stores.alerts());
    checkStates = new CheckStates(vertx, stores.checks(), new Flapping(flap.getDouble("low", 25.0), flap.getDouble("high", 50.0)),
        alertIndex::namesCheck);
    handlers.put(EventType.REGISTER, (event, writes) -> writes.agentInfo(event.body(AgentInfo.class)));
    handlers.put(EventType.HEARTBEAT, (event, writes) -> writes.agentInfo(event.body(AgentInfo.class)));
    handlers.put(EventType.METRICS, (event, writes) -> writes.samples(event.body(MetricsBatch.class).samples()));
    handlers.put(EventType.CHECK, (event, writes) -> {
      CheckResult result = event.body(CheckResult.class);
      writes.checkResult(result).samples(CheckSeries.of(result)); // a check's metrics are series too (docs/CHECKS.md)
    });
    handlers.put(EventType.LOG, (event, writes) -> {
      LogLine line = event.body(LogLine.class);
      if (SchedVerticle.jobOf(line) == null) {
        LOG.info("agent {} [{}] {}: {}", event.agent(), line.level(), line.source(), line.line());
      }
    });
    handlers.put(EventType.RESULT, (event, writes) -> { }); // stored by the sched owner first (toSched)
    handlers.keySet().forEach(type ->
        stored.put(type, meters.counter("mirador_events_stored_total", "Events stored, by type", Map.of("type", type.wireName()))));
    live = new LiveInterest(vertx);
    consumer = vertx.eventBus().consumer(Addresses.ENGINE, this::handle);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    live.close();
    alertIndex.close();
    agentCap.close();
    return consumer.unregister();
  }

  private void handle(Message<Envelope> message) {
    Envelope event = message.body();
    BiConsumer<Envelope, WriteBatch> handler = handlers.get(event.type());
    if (handler == null) {
      // hub → agent types arriving from an agent: valid JSON, wrong direction
      message.fail(400, event.type().wireName() + " events are not accepted from agents");
      return;
    }
    if (!agentCap.admits(event.agent())) {
      agentsRefused.increment();
      message.fail(AGENT_LIMIT, "agent " + event.agent() + " is not known and the hub already knows hub.agents.max = " + agentCap.max()
          + " agents");
      return;
    }
    WriteBatch writes = new WriteBatch(System.currentTimeMillis());
    Future<Admission> write;
    try {
      handler.accept(event, writes);
      // a job's result or output line is stored by the sched owner before its seq is: a redelivery after a failure
      // there reaches sched again (which takes it once), instead of being dropped here as a duplicate
      write = toSched(event).compose(v -> ingest.write(event.agent(), event.seq(), writes));
    } catch (RuntimeException e) {
      write = Future.failedFuture(e); // answered like any failed write, not left to the channel's timeout
    }
    write.onComplete(written -> {
      if (written.failed()) {
        storeFailures.warn("could not store " + event.type().wireName() + " seq " + event.seq() + " of agent " + event.agent() + ": "
            + written.cause());
        int code = failureCode(written.cause());
        String why = code == UNAVAILABLE ? "store unavailable: " : code == REFUSED ? "store refused the event: " : "store failed: ";
        message.fail(code, why + written.cause().getMessage());
        return;
      }
      if (written.result() == Admission.DUPLICATE) {
        duplicates.increment();
        message.reply("duplicate");
        return;
      }
      stored.get(event.type()).increment();
      samplesStored.add(writes.storedSamples());
      samplesRefused.add(writes.refusedSamples());
      message.reply("stored");
      announce(event, writes);
      for (CheckResult result : writes.checkResults()) {
        checkStates.follow(event.agent(), result).onFailure(e ->
            LOG.warn("history of check {} of agent {} not updated: {}", result.check(), event.agent(), e.toString()));
      }
    });
  }

  /**
   * Hands a job's result or output line to the sched owner and completes once it stored it. No owner (a takeover under
   * way) or no answer fails as the store being away does: the event is delivered again later.
   */
  private Future<Void> toSched(Envelope event) {
    JobReport report;
    if (event.type() == EventType.RESULT) {
      report = new JobReport(event.agent(), event.body(JobResult.class), null);
    } else if (event.type() == EventType.LOG && SchedVerticle.jobOf(event.body(LogLine.class)) != null) {
      report = new JobReport(event.agent(), null, event.body(LogLine.class));
    } else {
      return Future.succeededFuture();
    }
    return vertx.eventBus().request(Addresses.SCHED_REPORTS, report, new DeliveryOptions().setSendTimeout(SCHED_TIMEOUT_MS))
        .<Void>mapEmpty().recover(e -> Future.failedFuture(new SchedUnavailable("sched did not store the job report: " + e.getMessage())));
  }

  /** How long the engine waits for the sched owner to store a job report. */
  private static final long SCHED_TIMEOUT_MS = 5_000;

  /** The sched owner did not store a job report: tried again later, like a store that is away. */
  static final class SchedUnavailable extends RuntimeException {
    SchedUnavailable(String message) {
      super(message, null, false, false);
    }
  }

  /** {@link #REFUSED}, {@link #FAILED} or {@link #UNAVAILABLE}: what a write's failure says about trying again. */
  static int failureCode(Throwable failure) {
    if (failure instanceof IllegalArgumentException) {
      return REFUSED;
    }
    if (failure instanceof SchedUnavailable || failure instanceof StoreFailure store && !store.refusal()) {
      return UNAVAILABLE;
    }
    return FAILED;
  }

  /** Tells the hub roles what this event changed (typed hub events), and the dashboard what it shows (live feed). */
  private void announce(Envelope event, WriteBatch writes) {
    AgentInfo info = writes.agentInfo();
    if (info != null) {
      if (event.type() == EventType.REGISTER) {
        HubEvent.publish(vertx.eventBus(), new AgentRegistered(event.agent(), info.hostname()));
      } else {
        Long applied = info.counters().get(AgentInfo.CHECKS_REVISION);
        HubEvent.publish(vertx.eventBus(), new AgentHeartbeat(event.agent(), applied == null ? -1 : applied));
      }
    }
    if (!alertIndex.noMetrics() && !writes.samples().isEmpty()) {
      List<Sample> named = null;
      for (Sample sample : writes.samples()) { // one hash lookup per sample: what a sample no rule names costs
        if (alertIndex.namesMetric(sample.name())) {
          if (named == null) {
            named = new ArrayList<>();
          }
          named.add(sample);
        }
      }
      if (named != null) {
        HubEvent.publish(vertx.eventBus(), new SamplesStored(event.agent(), named));
      }
    }
    String liveAddress = Addresses.liveMetrics(event.agent());
    if (!writes.samples().isEmpty() && live.watched(liveAddress)) {
      JsonArray samples = new JsonArray();
      writes.samples().forEach(sample -> samples.add(AgentView.json(sample)));
      vertx.eventBus().publish(liveAddress, new JsonObject().put("agent", event.agent()).put("samples", samples));
    }
    if (info != null) {
      registry.agent(event.agent()).onSuccess(agent -> agent.ifPresent(record ->
          vertx.eventBus().publish(Addresses.LIVE_AGENTS, new JsonObject().put("event", "update").put("agent", AgentView.json(record)))));
    }
  }
}
