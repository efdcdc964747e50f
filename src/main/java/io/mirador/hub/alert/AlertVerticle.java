package io.mirador.hub.alert;

import io.mirador.Addresses;
import io.mirador.hub.HubConfig;
import io.mirador.hub.alert.notify.NotifierConfig;
import io.mirador.hub.alert.notify.NotifierContext;
import io.mirador.hub.alert.notify.Notifiers;
import io.mirador.hub.alert.pipeline.Dispatcher;
import io.mirador.hub.alert.pipeline.Inhibitor;
import io.mirador.hub.alert.pipeline.Sender;
import io.mirador.hub.cluster.Fence;
import io.mirador.hub.cluster.LocalNode;
import io.mirador.hub.cluster.Ownership;
import io.mirador.hub.events.AgentRegistered;
import io.mirador.hub.events.AgentStatusChanged;
import io.mirador.hub.events.AlertConfigChanged;
import io.mirador.hub.events.AlertsChanged;
import io.mirador.hub.events.CheckResultStored;
import io.mirador.hub.events.HubEvent;
import io.mirador.hub.events.RemediationRequested;
import io.mirador.hub.events.SamplesStored;
import io.mirador.metrics.Meters;
import io.mirador.store.AgentRecord;
import io.mirador.store.AgentRegistry;
import io.mirador.store.LatestValue;
import io.mirador.store.SeriesStore;
import io.mirador.store.Stores;
import io.mirador.util.FanOut;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert role: evaluates rules as events stream in, keeps each alert's lifecycle in the {@link AlertStore}, and
 * notifies through the pipeline of {@link io.mirador.hub.alert.pipeline} (inhibit → silence → group → dedup → send).
 *
 * <p>Once in the cluster: every alert verticle tries to hold the {@value #LEASE} lease, and only its holder listens to
 * the events, evaluates and sends; every state and log write carries the lease's fence, so an owner that lost the lease
 * writes — and sends — nothing more. Taking over, an owner reads rules, notifiers, silences and alert states from the
 * store, asks the registry for the agents' status (so what resolved while nobody watched resolves now), rebuilds its
 * groups from the alerts, and the notification log keeps it from telling again what was told.
 */
public final class AlertVerticle extends VerticleBase {

  /** The lease of alert evaluation and notification. */
  public static final String LEASE = "alert";

  private static final Logger LOG = LoggerFactory.getLogger(AlertVerticle.class);

  private AlertStore store;
  private AgentRegistry registry;
  private SeriesStore series;
  private AlertConfig settings;
  private Notifiers plugins;
  private Meters meters;
  private Ownership ownership;
  private HttpClient http;
  private LongAdder fenced;
  private LongAdder writesDropped;
  private LongAdder groupsRefused;
  private LongAdder alertsRefused;
  private LongAdder seriesRefused;
  private LongAdder pointsDropped;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private long tick = -1;
  private long refresh = -1;
  /** Bumped on every gain and loss of the lease, so answers to an earlier term are ignored. */
  private long term;
  private boolean active;
  private Evaluator evaluator;
  private Dispatcher dispatcher;
  private List<Silence> silences = List.of();
  private Future<?> writes = Future.succeededFuture();
  private int pendingWrites;
  private boolean removingSilences;
  /** Fingerprint → the firedAt a remediation was asked for. */
  private final Map<String, Long> remediated = new HashMap<>();

  @Override
  public Future<?> start() {
    Stores stores = Stores.shared(vertx, config());
    store = stores.alerts();
    registry = stores.registry();
    series = stores.series();
    plugins = Notifiers.load();
    settings = AlertConfig.of(config(), plugins);
    meters = Meters.of(vertx);
    fenced = meters.counter("mirador_fenced_writes_total", "Writes refused because the lease they were made under had passed to another owner",
        Map.of("lease", LEASE));
    writesDropped = meters.counter("mirador_alert_writes_dropped_total",
        "Alert transitions not persisted because hub.alert.maxPendingWrites were waiting for the store");
    groupsRefused = meters.counter("mirador_alert_groups_refused_total", "Alerts not grouped for a notifier because hub.alert.maxGroups groups existed");
    alertsRefused = meters.counter("mirador_alert_alerts_refused_total", "New alerts refused because hub.alert.maxAlerts were held");
    seriesRefused = meters.counter("mirador_alert_series_refused_total",
        "Series of threshold rules not tracked because hub.alert.maxSeriesPerRule were");
    pointsDropped = meters.counter("mirador_alert_points_dropped_total", "Points that left a full rule window early (hub.alert.maxPointsPerWindow)");
    evaluator = newEvaluator();
    meters.gauge("mirador_alerts", "Alerts held by this node's alert role (its owner), by state", Map.of("state", "firing"),
        () -> count(AlertState.State.FIRING));
    meters.gauge("mirador_alerts", "Alerts held by this node's alert role (its owner), by state", Map.of("state", "pending"),
        () -> count(AlertState.State.PENDING));
    http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(32).setMaxWaitQueueSize(1_024));
    ownership = new Ownership(vertx, stores.leases(), LEASE, LocalNode.owner(vertx, LEASE), HubConfig.of(config()).leaseTtlMs());
    ownership.onChange(holds -> {
      if (holds) {
        activate();
      } else {
        deactivate();
      }
    });
    return storeConfigured().compose(v -> ownership.start());
  }

  private Evaluator newEvaluator() {
    return new Evaluator(settings.limits(), alertsRefused, seriesRefused, pointsDropped);
  }

  private int count(AlertState.State state) {
    Evaluator now = evaluator;
    return now == null ? 0 : (int) now.alerts().stream().filter(a -> a.state() == state).count();
  }

  @Override
  public Future<?> stop() {
    deactivate();
    return ownership.stop().compose(v -> http.close());
  }

  /** Rules and notifiers of hub.alert are stored at start, replacing stored ones of the same name that differ. */
  private Future<Void> storeConfigured() {
    List<Future<?>> puts = new ArrayList<>();
    for (Rule rule : settings.rules()) {
      puts.add(store.rule(rule.name()).compose(stored -> stored.equals(Optional.of(rule)) ? Future.succeededFuture(false) : store.putRule(rule)
          .onSuccess(v -> HubEvent.publish(vertx.eventBus(), new AlertConfigChanged(AlertConfigChanged.RULE, rule.name())))));
    }
    for (NotifierConfig notifier : settings.notifiers()) {
      puts.add(store.notifier(notifier.name()).compose(stored -> stored.isPresent() && stored.get().toStored().equals(notifier.toStored())
          ? Future.succeededFuture(false) : store.putNotifier(notifier)));
    }
    return Future.all(puts).mapEmpty();
  }

  private void activate() {
    long myTerm = ++term;
    active = true;
    evaluator = newEvaluator();
    if (dispatcher != null) {
      dispatcher.stop();
    }
    Sender sender = new Sender(vertx, new NotifierContext(vertx, http), store, ownership::fence, settings.retry(), meters, fenced);
    Dispatcher fresh = new Dispatcher(vertx, store, sender, plugins, new Inhibitor(settings.inhibitWhenAgentDown()), this::view,
        settings.externalUrl(), settings.maxGroups(), groupsRefused, meters);
    dispatcher = fresh;
    long now = System.currentTimeMillis();
    Future.all(store.rules(), store.notifiers(), store.silences(), store.alerts(), registry.agents()).onComplete(loaded -> {
      if (myTerm != term) {
        return;
      }
      if (loaded.failed()) {
        LOG.warn("alert role could not read its state ({}); trying again", loaded.cause().toString());
        vertx.setTimer(1_000, id -> {
          if (myTerm == term) {
            activate();
          }
        });
        return;
      }
      List<Rule> rules = loaded.result().resultAt(0);
      List<NotifierConfig> notifiers = loaded.result().resultAt(1);
      silences = loaded.result().resultAt(2);
      List<AlertState> stored = loaded.result().resultAt(3);
      List<AgentRecord> agents = loaded.result().resultAt(4);
      evaluator.restore(stored, now);
      persist(evaluator.rules(rules, now));
      for (AgentRecord agent : agents) {
        evaluator.hostname(agent.id(), agent.hostname());
        persist(evaluator.onAgentStatus(agent.id(), agent.status(), now)); // what changed while nobody watched
      }
      fresh.notifiers(notifiers, evaluator.alerts());
      listen();
      refresh = vertx.setPeriodic(settings.valueRefreshMs(), id -> refresh());
      tick = vertx.setPeriodic(settings.evalIntervalMs(), id -> {
        long at = System.currentTimeMillis();
        persist(evaluator.tick(at));
        forgetSilences(at, myTerm);
      });
      seedAbsences(rules, agents, myTerm);
      LOG.info("alert role active: {} rules, {} notifiers, {} silences, {} alerts carried over", rules.size(), notifiers.size(),
          silences.size(), stored.size());
    });
  }

  /** Absent rules need to know when each agent last sent their metric: the latest values say, for a new owner. */
  private void seedAbsences(List<Rule> rules, List<AgentRecord> agents, long myTerm) {
    if (rules.stream().noneMatch(r -> r.kind() == Rule.Kind.ABSENT)) {
      return;
    }
    FanOut.map(agents, FanOut.DEFAULT_CONCURRENCY, agent -> series.latest(agent.id()).map(latest -> {
      if (myTerm == term) {
        List<io.mirador.model.Sample> samples = new ArrayList<>();
        for (LatestValue value : latest) {
          samples.add(io.mirador.model.Sample.of(value.metric(), value.tags(), value.value(), value.ts()));
        }
        persist(evaluator.onSamples(agent.id(), samples, System.currentTimeMillis()));
      }
      return null;
    })).onFailure(e -> LOG.warn("absent rules not seeded from the latest values: {}", e.toString()));
  }

  /** Silences expired longer than hub.alert.expiredSilenceRetentionMs leave the store (one removal at a time). */
  private void forgetSilences(long now, long myTerm) {
    if (removingSilences) {
      return;
    }
    List<String> gone = silences.stream().filter(s -> s.forgotten(now, settings.expiredSilenceRetentionMs())).map(Silence::id).toList();
    if (gone.isEmpty()) {
      return;
    }
    removingSilences = true;
    store.removeSilences(gone).onComplete(removed -> {
      removingSilences = false;
      if (removed.failed()) {
        LOG.warn("expired silences not removed: {}", removed.cause().toString());
        return;
      }
      if (myTerm == term) {
        silences = silences.stream().filter(s -> !gone.contains(s.id())).toList();
      }
      LOG.info("{} silences expired more than {} ms ago removed", gone.size(), settings.expiredSilenceRetentionMs());
    });
  }

  private void listen() {
    consumers.add(vertx.eventBus().<SamplesStored>consumer(Addresses.ALERT_SAMPLES, m ->
        persist(evaluator.onSamples(m.body().agent(), m.body().samples(), System.currentTimeMillis()))));
    consumers.add(vertx.eventBus().<CheckResultStored>consumer(Addresses.ALERT_CHECK_RESULTS, m -> {
      CheckResultStored result = m.body();
      persist(evaluator.onCheck(result.agent(), result.check(), result.history(), result.output(), System.currentTimeMillis()));
    }));
    consumers.add(vertx.eventBus().<AgentStatusChanged>consumer(Addresses.AGENT_STATUS, m -> {
      AgentStatusChanged change = m.body();
      evaluator.hostname(change.agent(), change.hostname());
      persist(evaluator.onAgentStatus(change.agent(), change.to(), System.currentTimeMillis()));
    }));
    consumers.add(vertx.eventBus().<AgentRegistered>consumer(Addresses.AGENT_REGISTERED, m -> evaluator.hostname(m.body().agent(), m.body().hostname())));
    consumers.add(vertx.eventBus().<AlertConfigChanged>consumer(Addresses.ALERT_CONFIG, m -> reload(m.body().what())));
  }

  private void reload(String what) {
    long myTerm = term;
    switch (what) {
      case AlertConfigChanged.RULE -> store.rules().onSuccess(rules -> {
        if (myTerm == term && active) {
          persist(evaluator.rules(rules, System.currentTimeMillis()));
        }
      });
      case AlertConfigChanged.NOTIFIER -> store.notifiers().onSuccess(notifiers -> {
        if (myTerm == term && active) {
          dispatcher.notifiers(notifiers, evaluator.alerts());
        }
      });
      case AlertConfigChanged.SILENCE -> store.silences().onSuccess(list -> {
        if (myTerm == term && active) {
          silences = list;
          dispatcher.flushAll(); // an expired silence lets its alerts through at once, not a groupInterval later
        }
      });
      default -> LOG.debug("unknown alert configuration change '{}'", what);
    }
  }

  /**
   * An alert that fired (firedAt not seen before) whose rule names a remediation template and that is about one agent:
   * the sched role runs the template there (and applies the rule's rate limit).
   */
  private void remediate(Collection<AlertState> changed) {
    Map<String, Rule> rules = evaluator.ruleSet();
    for (AlertState alert : changed) {
      if (alert.state() != AlertState.State.FIRING) {
        remediated.remove(alert.fingerprint());
        continue;
      }
      Rule rule = rules.get(alert.rule());
      String agent = alert.labels().get("agent");
      if (rule == null || rule.remediation() == null || agent == null) {
        continue;
      }
      Long asked = remediated.get(alert.fingerprint());
      if (asked != null && asked == alert.firedAt()) {
        continue;
      }
      if (remediated.size() >= 100_000) {
        remediated.clear(); // bounded; the sched role's rate limit still holds
      }
      remediated.put(alert.fingerprint(), alert.firedAt());
      LOG.debug("alert {} of rule {} fired at {} on agent {}: remediation {} asked", alert.fingerprint(), rule.name(), alert.firedAt(), agent,
          rule.remediation().template());
      HubEvent.publish(vertx.eventBus(), new RemediationRequested(rule.name(), alert.fingerprint(), agent, rule.remediation().template(),
          rule.remediation().maxPerHour()));
    }
  }

  private void deactivate() {
    term++;
    if (!active) {
      return;
    }
    active = false;
    consumers.forEach(MessageConsumer::unregister);
    consumers.clear();
    vertx.cancelTimer(tick);
    vertx.cancelTimer(refresh);
    if (dispatcher != null) {
      dispatcher.stop();
    }
    LOG.info("alert role inactive on this node");
  }

  private Dispatcher.View view() {
    Map<String, AlertState> alerts = new HashMap<>();
    evaluator.alerts().forEach(a -> alerts.put(a.fingerprint(), a));
    Map<String, Rule> rules = evaluator.ruleSet();
    List<Silence> current = silences;
    return new Dispatcher.View() {
      @Override
      public Map<String, AlertState> alerts() {
        return alerts;
      }

      @Override
      public Map<String, Rule> rules() {
        return rules;
      }

      @Override
      public Collection<Silence> silences() {
        return current;
      }
    };
  }

  /**
   * Writes transitions under the fence, one write after the other (so they land in order), and only once written hands
   * them to the pipeline and tells the hub. Bounded: beyond {@code maxPendingWrites} waiting, a transition is dropped and
   * counted (the evaluator still holds it; the next transition of that alert writes it whole).
   */
  /**
   * Writes the alerts whose value moved on since their last transition (not routed: nothing to tell), at most once per
   * {@code hub.alert.valueRefreshMs}, so the API's {@code value} follows the series without a store write per sample.
   */
  private void refresh() {
    List<AlertState> moved = evaluator.refreshed();
    Optional<Fence> fence = ownership.fence();
    if (moved.isEmpty() || fence.isEmpty() || pendingWrites >= settings.maxPendingWrites()) {
      return;
    }
    pendingWrites++;
    writes = writes.transform(previous -> store.saveAlerts(moved, List.of(), fence.get()).andThen(saved -> pendingWrites--));
  }

  private void persist(Evaluator.Changes changes) {
    if (changes.isEmpty()) {
      return;
    }
    Optional<Fence> fence = ownership.fence();
    if (fence.isEmpty()) {
      return;
    }
    if (pendingWrites >= settings.maxPendingWrites()) {
      writesDropped.increment();
      return;
    }
    pendingWrites++;
    long myTerm = term;
    Dispatcher routeTo = dispatcher;
    writes = writes.transform(previous -> store.saveAlerts(changes.changed(), changes.removed(), fence.get()).andThen(saved -> {
      pendingWrites--;
      if (saved.failed()) {
        LOG.warn("alert states not stored: {}", saved.cause().toString());
        return;
      }
      if (!saved.result()) {
        fenced.increment();
        LOG.info("not the {} owner any more (token {} is stale): {} alert transitions not stored", LEASE, fence.get().token(),
            changes.changed().size());
        return;
      }
      if (myTerm == term) {
        routeTo.route(changes.changed());
        remediate(changes.changed());
      }
      int firing = count(AlertState.State.FIRING);
      HubEvent.publish(vertx.eventBus(), new AlertsChanged(changes.changed().size() + changes.removed().size(), firing));
      vertx.eventBus().publish(Addresses.LIVE_ALERTS, new JsonObject().put("firing", firing).put("pending", count(AlertState.State.PENDING)));
    }));
  }
}
