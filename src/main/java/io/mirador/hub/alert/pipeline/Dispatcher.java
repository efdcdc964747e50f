package io.mirador.hub.alert.pipeline;

import io.mirador.hub.alert.AlertState;
import io.mirador.hub.alert.AlertStore;
import io.mirador.hub.alert.LogEntry;
import io.mirador.hub.alert.Rule;
import io.mirador.hub.alert.Silence;
import io.mirador.hub.alert.notify.Notification;
import io.mirador.hub.alert.notify.NotifierConfig;
import io.mirador.hub.alert.notify.Notifiers;
import io.mirador.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage 3, grouping (Alertmanager's dispatcher and aggregation groups), and the driver of the flush pipeline: each
 * firing or resolved alert goes into one group per notifier whose {@code match} it meets, keyed by the notifier's
 * {@code groupBy} labels. A new group flushes after {@code groupWait}, then every {@code groupInterval}; a flush runs the
 * stages in order — {@link Inhibitor} → {@link Silencer} → {@link Dedup} against the log → {@link Sender} — and drops
 * the resolved alerts it told of. Runs on the alert verticle's event loop.
 */
public final class Dispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  /** What the stages read of the alert role's state at flush time. */
  public interface View {
    Map<String, AlertState> alerts();

    Map<String, Rule> rules();

    Collection<Silence> silences();
  }

  private final Vertx vertx;
  private final AlertStore store;
  private final Sender sender;
  private final Notifiers plugins;
  private final Inhibitor inhibitor;
  private final Supplier<View> view;
  private final String externalUrl;
  private final int maxGroups;
  private final LongAdder groupsRefused;
  private final Meters meters;
  private Map<String, NotifierConfig> notifiers = Map.of();
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private boolean stopped;

  public Dispatcher(Vertx vertx, AlertStore store, Sender sender, Notifiers plugins, Inhibitor inhibitor, Supplier<View> view,
      String externalUrl, int maxGroups, LongAdder groupsRefused, Meters meters) {
    this.meters = meters;
    this.vertx = vertx;
    this.store = store;
    this.sender = sender;
    this.plugins = plugins;
    this.inhibitor = inhibitor;
    this.view = view;
    this.externalUrl = externalUrl;
    this.maxGroups = maxGroups;
    this.groupsRefused = groupsRefused;
  }

  private static final class Group {
    final NotifierConfig notifier;
    final String key;
    final Map<String, String> labels;
    final Set<String> fingerprints = new HashSet<>();
    long timer = -1;
    boolean flushing;
    boolean again;

    Group(NotifierConfig notifier, String key, Map<String, String> labels) {
      this.notifier = notifier;
      this.key = key;
      this.labels = labels;
    }
  }

  public int groups() {
    return groups.size();
  }

  /** Uses a new set of notifiers: groups of removed or changed notifiers go, and the given alerts are routed again. */
  public void notifiers(List<NotifierConfig> configs, Collection<AlertState> current) {
    Map<String, NotifierConfig> byName = new TreeMap<>();
    configs.forEach(config -> byName.put(config.name(), config));
    groups.values().removeIf(group -> {
      boolean gone = !group.notifier.equals(byName.get(group.notifier.name()));
      if (gone) {
        vertx.cancelTimer(group.timer);
      }
      return gone;
    });
    notifiers = byName;
    route(current);
  }

  /** Routes firing and resolved alerts into their groups; pending ones wait. */
  public void route(Collection<AlertState> alerts) {
    for (AlertState alert : alerts) {
      if (alert.state() == AlertState.State.PENDING) {
        continue;
      }
      for (NotifierConfig notifier : notifiers.values()) {
        if (!notifier.matches(alert.labels())) {
          continue;
        }
        Map<String, String> groupLabels = groupLabels(notifier, alert.labels());
        String key = groupKey(groupLabels);
        String id = notifier.name() + "\u0000" + key;
        Group group = groups.get(id);
        if (group == null) {
          if (alert.state() == AlertState.State.RESOLVED && !notifier.sendResolved()) {
            continue;
          }
          if (groups.size() >= maxGroups) {
            groupsRefused.increment();
            continue;
          }
          group = new Group(notifier, key, groupLabels);
          groups.put(id, group);
          schedule(id, group, notifier.groupWaitMs());
        }
        group.fingerprints.add(alert.fingerprint());
      }
    }
  }

  public void stop() {
    stopped = true;
    groups.values().forEach(group -> vertx.cancelTimer(group.timer));
    groups.clear();
  }

  static Map<String, String> groupLabels(NotifierConfig notifier, Map<String, String> labels) {
    Map<String, String> out = new TreeMap<>();
    for (String name : notifier.groupBy()) {
      if (name.equals(NotifierConfig.ALL_LABELS)) {
        out.putAll(labels);
      } else if (labels.containsKey(name)) {
        out.put(name, labels.get(name));
      }
    }
    return out;
  }

  /** Alertmanager's form: {@code {}:{alertname="HighCpu",agent="a1"}}. */
  static String groupKey(Map<String, String> groupLabels) {
    StringBuilder key = new StringBuilder("{}:{");
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(groupLabels).entrySet()) {
      key.append(first ? "" : ",").append(e.getKey()).append("=\"").append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      first = false;
    }
    return key.append('}').toString();
  }

  private void schedule(String id, Group group, long delayMs) {
    if (delayMs <= 0) {
      group.timer = -1;
      vertx.runOnContext(v -> flush(id, group));
    } else {
      group.timer = vertx.setTimer(delayMs, t -> flush(id, group));
    }
  }

  private void flush(String id, Group group) {
    if (stopped || groups.get(id) != group) {
      return;
    }
    if (group.flushing) {
      group.again = true;
      return;
    }
    group.flushing = true;
    View now = view.get();
    long at = System.currentTimeMillis();
    List<AlertState> alerts = new ArrayList<>();
    for (String fingerprint : List.copyOf(group.fingerprints)) {
      AlertState alert = now.alerts().get(fingerprint);
      if (alert == null || alert.state() == AlertState.State.PENDING) {
        group.fingerprints.remove(fingerprint); // forgotten, or active again but not firing yet
      } else {
        alerts.add(alert);
      }
    }
    Set<String> down = inhibitor.downAgents(now.alerts().values(), now.rules());
    List<AlertState> unmuted = Silencer.filter(inhibitor.filter(alerts, down, now.rules()), now.silences(), at);
    Set<String> firing = new HashSet<>();
    Set<String> resolved = new HashSet<>();
    unmuted.forEach(a -> (a.state() == AlertState.State.RESOLVED ? resolved : firing).add(a.fingerprint()));
    // resolves go to dedup whatever sendResolved says (an all-resolved group must clear the log, or the next firing
    // of the same alerts would look told); the notifier's payload leaves them out when it does not want them
    List<AlertState> payload = group.notifier.sendResolved() ? unmuted
        : unmuted.stream().filter(a -> a.state() != AlertState.State.RESOLVED).toList();
    Set<String> resolvedInFlush = new HashSet<>();
    alerts.forEach(a -> {
      if (a.state() == AlertState.State.RESOLVED) {
        resolvedInFlush.add(a.fingerprint());
      }
    });
    NotifierConfig notifier = group.notifier;
    long claimTtl = sender.retry().worstCaseMs(notifier.timeoutMs()) + 5_000;
    Future<Sender.Outcome> outcome;
    if (unmuted.isEmpty()) {
      // everything muted (inhibited or silenced): as in Alertmanager, the pipeline stops here and the log stays as it
      // is, so muting a told alert tells no "resolved" and unmuting it tells no second "firing"
      flushed(notifier, Dedup.Decision.SKIP);
      outcome = Future.succeededFuture(Sender.Outcome.SKIPPED);
    } else {
      outcome = store.logEntry(notifier.name(), group.key).compose(entry -> {
      Dedup.Decision decision = Dedup.decide(entry.orElse(null), firing, resolved, notifier.sendResolved(), notifier.repeatIntervalMs(), claimTtl, at);
      flushed(notifier, decision);
      if (decision == Dedup.Decision.SKIP) {
        return Future.succeededFuture(Sender.Outcome.SKIPPED);
      }
      if (decision == Dedup.Decision.WAIT) {
        return Future.succeededFuture(Sender.Outcome.WAITING);
      }
      if (payload.isEmpty()) {
        return sender.record(notifier, group.key, firing, resolved); // all resolved, resolves not wanted: only the log
      }
      Notification notification = new Notification(notifier.name(), group.key, group.labels, payload, externalUrl);
      return sender.deliver(notifier, plugins.get(notifier.type()), notification, entry.orElse(null), firing, resolved);
      });
    }
    outcome.onComplete(done -> {
      group.flushing = false;
      if (done.failed()) {
        LOG.warn("flush of group {} for {} failed: {}", group.key, notifier.name(), done.cause().toString());
      } else if (done.result() == Sender.Outcome.SENT || done.result() == Sender.Outcome.SKIPPED) {
        // resolves told (or that nobody needed told) leave the group, as in Alertmanager
        group.fingerprints.removeAll(resolvedInFlush);
      }
      if (groups.get(id) != group) {
        return;
      }
      if (group.fingerprints.isEmpty()) {
        groups.remove(id);
        vertx.cancelTimer(group.timer);
        return;
      }
      if (group.again) {
        group.again = false;
        vertx.cancelTimer(group.timer);
        schedule(id, group, 0);
        return;
      }
      vertx.cancelTimer(group.timer);
      // a send that failed, or one in progress elsewhere, is looked at again soon rather than a whole groupInterval later
      boolean settled = done.succeeded() && (done.result() == Sender.Outcome.SENT || done.result() == Sender.Outcome.SKIPPED);
      schedule(id, group, settled ? notifier.groupIntervalMs() : Math.min(notifier.groupIntervalMs(), 1_000));
    });
  }

  private void flushed(NotifierConfig notifier, Dedup.Decision decision) {
    meters.counter("mirador_alert_flushes_total", "Flushes of alert groups, by notifier and what dedup decided (send, skip, wait)",
        Map.of("notifier", notifier.name(), "decision", decision.name().toLowerCase(java.util.Locale.ROOT))).increment();
  }

  /** For the API and tests: the groups as notifier → group keys. */
  public Map<String, List<String>> describe() {
    Map<String, List<String>> out = new HashMap<>();
    groups.values().forEach(g -> out.computeIfAbsent(g.notifier.name(), n -> new ArrayList<>()).add(g.key));
    return out;
  }

  /** Runs a flush of every group now (tests; and after a takeover, so nothing waits a whole groupInterval). */
  public void flushAll() {
    new LinkedHashMap<>(groups).forEach((id, group) -> {
      vertx.cancelTimer(group.timer);
      schedule(id, group, 0);
    });
  }

  /** Looks a log entry up (tests). */
  public Future<java.util.Optional<LogEntry>> logEntry(String notifier, String key) {
    return store.logEntry(notifier, key);
  }
}
