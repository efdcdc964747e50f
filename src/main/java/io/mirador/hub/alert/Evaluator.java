package io.mirador.hub.alert;

import io.mirador.hub.alert.AlertState.State;
import io.mirador.model.Sample;
import io.mirador.store.AgentStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Evaluates the rules on what streams in — stored samples, check results, agent status changes — and on a clock tick
 * ({@code for}, {@code keepFiringFor}, absence, windows that age out, resolved alerts to forget). It holds the alerts
 * and each threshold rule's windows in memory; every call returns the transitions it made ({@link Changes}), which
 * the caller persists before it tells anyone. Time is always given (epoch ms), so tests drive it with their own clock.
 *
 * <p>Not thread-safe: one alert verticle calls it from its event loop.
 */
public final class Evaluator {

  /** Bounds of what the evaluator holds in memory; what goes beyond is refused and counted. */
  public record Limits(int maxAlerts, int maxSeriesPerRule, int maxPointsPerWindow, long staleAfterMs, long resolvedRetentionMs) {
    public static final Limits DEFAULTS = new Limits(10_000, 10_000, 10_000, 300_000, 900_000);
  }

  /** Transitions made by one call: alerts to write (new state) and fingerprints to forget. */
  public record Changes(List<AlertState> changed, List<String> removed) {
    static final Changes NONE = new Changes(List.of(), List.of());

    public boolean isEmpty() {
      return changed.isEmpty() && removed.isEmpty();
    }
  }

  private final Limits limits;
  /** Alerts refused because {@link Limits#maxAlerts} were held. */
  final LongAdder alertsRefused;
  /** Series of a threshold rule not tracked because it tracked {@link Limits#maxSeriesPerRule}. */
  final LongAdder seriesRefused;
  /** Points that fell out of a full window before their time. */
  final LongAdder pointsDropped;

  private Map<String, Rule> rules = Map.of();
  private Map<String, List<Rule>> byMetric = Map.of();
  private Map<String, List<Rule>> byCheck = Map.of();
  private List<Rule> agentRules = List.of();
  private final Map<String, AlertState> alerts = new LinkedHashMap<>();
  /** rule name → series key → window (threshold rules). */
  private final Map<String, Map<String, Window>> windows = new HashMap<>();
  /** Fingerprints of alerts whose value moved on without a transition, not yet handed out by {@link #refreshed}. */
  private final Set<String> moved = new HashSet<>();
  /** rule name → agent → last time a selected sample was seen (absent rules). */
  private final Map<String, Map<String, Long>> lastSeen = new HashMap<>();
  private final Map<String, String> hostnames = new HashMap<>();

  public Evaluator(Limits limits) {
    this(limits, new LongAdder(), new LongAdder(), new LongAdder());
  }

  /** With the counters its overflows are told in (they outlive one evaluator: a new one is made per term of ownership). */
  public Evaluator(Limits limits, LongAdder alertsRefused, LongAdder seriesRefused, LongAdder pointsDropped) {
    this.limits = limits;
    this.alertsRefused = alertsRefused;
    this.seriesRefused = seriesRefused;
    this.pointsDropped = pointsDropped;
  }

  /** Replaces the rule set. Alerts of rules gone, or changed, are resolved (if firing) or dropped (if pending). */
  public Changes rules(List<Rule> newRules, long now) {
    Map<String, Rule> byName = new TreeMap<>();
    Map<String, List<Rule>> metric = new HashMap<>();
    Map<String, List<Rule>> check = new HashMap<>();
    List<Rule> agent = new ArrayList<>();
    for (Rule rule : newRules) {
      byName.put(rule.name(), rule);
      switch (rule.kind()) {
        case THRESHOLD, ABSENT -> metric.computeIfAbsent(rule.metric(), m -> new ArrayList<>()).add(rule);
        case CHECK -> check.computeIfAbsent(rule.check(), c -> new ArrayList<>()).add(rule);
        case AGENT -> agent.add(rule);
        default -> { }
      }
    }
    List<AlertState> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (Iterator<AlertState> it = alerts.values().iterator(); it.hasNext(); ) {
      AlertState alert = it.next();
      Rule old = rules.get(alert.rule());
      Rule now2 = byName.get(alert.rule());
      if (now2 != null && now2.equals(old) || now2 != null && old == null) {
        continue;
      }
      if (alert.state() == State.FIRING) {
        AlertState resolved = alert.with(State.RESOLVED, alert.value(), alert.activeAt(), alert.firedAt(), now, alert.lastActiveAt(), false);
        alerts.put(alert.fingerprint(), resolved);
        changed.add(resolved);
      } else if (alert.state() == State.PENDING) {
        it.remove();
        removed.add(alert.fingerprint());
      }
    }
    for (String name : List.copyOf(windows.keySet())) {
      if (!byName.containsKey(name) || !byName.get(name).equals(rules.get(name))) {
        windows.remove(name);
      }
    }
    lastSeen.keySet().removeIf(name -> !byName.containsKey(name));
    rules = byName;
    byMetric = metric;
    byCheck = check;
    agentRules = agent;
    return new Changes(changed, removed);
  }

  /** The alerts a previous owner left in the store: continued from where they were. */
  public void restore(List<AlertState> stored, long now) {
    alerts.clear();
    for (AlertState alert : stored) {
      // keepFiringFor counts from the last time the condition was seen true; the previous owner saw it later than
      // it wrote, so a restored alert is taken to have been active until now rather than resolved too early
      alerts.put(alert.fingerprint(), alert.state() == State.FIRING && alert.active()
          ? alert.with(alert.state(), alert.value(), alert.activeAt(), alert.firedAt(), alert.resolvedAt(), Math.max(now, alert.lastActiveAt()), true)
          : alert);
    }
  }

  public List<AlertState> alerts() {
    return List.copyOf(alerts.values());
  }

  public Map<String, Rule> ruleSet() {
    return rules;
  }

  /** Whether any rule names this metric: the engine's index asks the same (see {@link AlertIndex}). */
  public boolean names(String metric) {
    return byMetric.containsKey(metric);
  }

  public void hostname(String agent, String hostname) {
    if (hostname != null && !hostname.isEmpty()) {
      hostnames.put(agent, hostname);
    }
  }

  public Changes onSamples(String agent, List<Sample> samples, long now) {
    Collector out = new Collector();
    for (Sample sample : samples) {
      List<Rule> named = byMetric.get(sample.name());
      if (named == null) {
        continue;
      }
      for (Rule rule : named) {
        if (!rule.selects(sample.tags())) {
          continue;
        }
        if (rule.kind() == Rule.Kind.ABSENT) {
          lastSeen.computeIfAbsent(rule.name(), r -> new HashMap<>()).merge(agent, sample.ts(), Math::max);
          evaluateAbsent(rule, agent, now, out);
        } else {
          threshold(rule, agent, sample, now, out);
        }
      }
    }
    return out.changes();
  }

  /** A check result: {@code history} is the check's statuses on the agent, oldest first, this one last. */
  public Changes onCheck(String agent, String check, List<Integer> history, String output, long now) {
    List<Rule> named = byCheck.get(check);
    if (named == null || history.isEmpty()) {
      return Changes.NONE;
    }
    Collector out = new Collector();
    int status = history.get(history.size() - 1);
    for (Rule rule : named) {
      boolean active = history.size() >= rule.occurrences();
      for (int i = history.size() - rule.occurrences(); active && i < history.size(); i++) {
        active = history.get(i) >= rule.minStatus();
      }
      Map<String, String> labels = baseLabels(rule, agent);
      labels.put("check", check);
      Map<String, String> extra = output == null ? Map.of() : Map.of("output", output);
      apply(rule, labels, extra, active, status, now, out);
    }
    return out.changes();
  }

  public Changes onAgentStatus(String agent, AgentStatus status, long now) {
    if (agentRules.isEmpty()) {
      return Changes.NONE;
    }
    Collector out = new Collector();
    for (Rule rule : agentRules) {
      boolean active = rule.status().equals("down") ? status == AgentStatus.DOWN : status != AgentStatus.UP;
      apply(rule, baseLabels(rule, agent), Map.of("status", status.wireName()), active, Double.NaN, now, out);
    }
    return out.changes();
  }

  /** Agents forgotten by the registry: their absent-rule bookkeeping goes. */
  public void forgetAgent(String agent) {
    lastSeen.values().forEach(seen -> seen.remove(agent));
  }

  /** What only time changes: pending past {@code for}, windows aging out, absences, keepFiringFor, resolved to forget. */
  public Changes tick(long now) {
    Collector out = new Collector();
    for (Map.Entry<String, Map<String, Window>> perRule : windows.entrySet()) {
      Rule rule = rules.get(perRule.getKey());
      if (rule == null) {
        continue;
      }
      for (Iterator<Window> it = perRule.getValue().values().iterator(); it.hasNext(); ) {
        Window window = it.next();
        window.trim(now - span(rule));
        evaluateWindow(rule, window, now, out);
        if (window.size == 0 && !alerts.containsKey(window.fingerprint)) {
          it.remove();
        }
      }
    }
    for (Map.Entry<String, Map<String, Long>> perRule : lastSeen.entrySet()) {
      Rule rule = rules.get(perRule.getKey());
      if (rule != null) {
        for (String agent : perRule.getValue().keySet()) {
          evaluateAbsent(rule, agent, now, out);
        }
      }
    }
    for (AlertState alert : List.copyOf(alerts.values())) {
      Rule rule = rules.get(alert.rule());
      if (alert.state() == State.RESOLVED) {
        if (now - alert.resolvedAt() >= limits.resolvedRetentionMs()) {
          alerts.remove(alert.fingerprint());
          out.removed.add(alert.fingerprint());
        }
      } else if (rule != null && !out.touched(alert.fingerprint())) {
        AlertState next = Lifecycle.step(alert, alert, alert.active(), alert.value(), now, rule.forMs(), rule.keepFiringForMs());
        out.record(alert, next);
      }
    }
    return out.changes();
  }

  private long span(Rule rule) {
    return rule.agg() == Agg.LAST ? limits.staleAfterMs() : rule.windowMs();
  }

  private void threshold(Rule rule, String agent, Sample sample, long now, Collector out) {
    String key = agent + '\u0000' + sample.tags();
    Map<String, Window> series = windows.computeIfAbsent(rule.name(), r -> new HashMap<>());
    Window window = series.get(key);
    if (window == null) {
      if (series.size() >= limits.maxSeriesPerRule()) {
        seriesRefused.increment();
        return;
      }
      Map<String, String> labels = new TreeMap<>(sample.tags());
      labels.putAll(baseLabels(rule, agent));
      window = new Window(agent, labels, AlertState.fingerprint(labels), rule.agg() == Agg.LAST ? 1 : limits.maxPointsPerWindow());
      series.put(key, window);
    }
    if (window.add(sample.ts(), sample.value())) {
      pointsDropped.increment();
    }
    window.trim(now - span(rule));
    evaluateWindow(rule, window, now, out);
  }

  private void evaluateWindow(Rule rule, Window window, long now, Collector out) {
    double value = window.aggregate(rule.agg());
    boolean active = !Double.isNaN(value) && rule.op().test(value, rule.value());
    apply(rule, window.labels, Map.of(), active, value, now, out);
  }

  private void evaluateAbsent(Rule rule, String agent, long now, Collector out) {
    Long seen = lastSeen.getOrDefault(rule.name(), Map.of()).get(agent);
    if (seen == null) {
      return;
    }
    Map<String, String> labels = new TreeMap<>(rule.tags());
    labels.putAll(baseLabels(rule, agent));
    boolean active = now - seen >= rule.forMs();
    // the absence itself is the wait: firing as soon as the metric has been missing for `for`
    apply(rule, labels, Map.of(), active, (now - seen) / 1000.0, now, out, 0);
  }

  private Map<String, String> baseLabels(Rule rule, String agent) {
    Map<String, String> labels = new TreeMap<>(rule.labels());
    labels.put("alertname", rule.name());
    labels.put("severity", rule.severity());
    labels.put("agent", agent);
    labels.put("hostname", hostnames.getOrDefault(agent, agent));
    return labels;
  }

  private void apply(Rule rule, Map<String, String> labels, Map<String, String> extra, boolean active, double value, long now, Collector out) {
    apply(rule, labels, extra, active, value, now, out, rule.forMs());
  }

  private void apply(Rule rule, Map<String, String> labels, Map<String, String> extra, boolean active, double value, long now, Collector out,
      long forMs) {
    String fingerprint = AlertState.fingerprint(labels);
    AlertState prior = alerts.get(fingerprint);
    if (prior == null && !active) {
      return;
    }
    if (prior == null && alerts.size() >= limits.maxAlerts()) {
      alertsRefused.increment();
      return;
    }
    Map<String, String> annotations = new HashMap<>(Templates.render(rule.annotations(), labels, value));
    extra.forEach(annotations::putIfAbsent);
    AlertState fresh = new AlertState(fingerprint, rule.name(), labels, annotations, State.PENDING, value, now, 0, 0, now, active);
    AlertState next = Lifecycle.step(prior, fresh, active, value, now, forMs, rule.keepFiringForMs());
    if (next != null && next != prior && active) {
      next = next.withAnnotations(annotations);
    }
    out.record(prior, next);
  }

  /**
   * The alerts whose value or last-active time moved on since they were last handed out as changed (a transition
   * writes the whole alert; between transitions only this keeps the stored value current), each once; see
   * {@code hub.alert.valueRefreshMs}.
   */
  public List<AlertState> refreshed() {
    List<AlertState> out = new ArrayList<>(moved.size());
    for (String fingerprint : moved) {
      AlertState alert = alerts.get(fingerprint);
      if (alert != null) {
        out.add(alert);
      }
    }
    moved.clear();
    return out;
  }

  /** Gathers the transitions of one call, and keeps the in-memory alerts current. */
  private final class Collector {
    final Map<String, AlertState> changed = new LinkedHashMap<>();
    final List<String> removed = new ArrayList<>();

    void record(AlertState prior, AlertState next) {
      if (next == prior) {
        return;
      }
      if (next == null) {
        moved.remove(prior.fingerprint());
        alerts.remove(prior.fingerprint());
        changed.remove(prior.fingerprint());
        removed.add(prior.fingerprint());
        return;
      }
      alerts.put(next.fingerprint(), next);
      if (prior == null || prior.state() != next.state()) {
        changed.put(next.fingerprint(), next);
        removed.remove(next.fingerprint());
        moved.remove(next.fingerprint());
      } else if (!changed.containsKey(next.fingerprint())) {
        moved.add(next.fingerprint());
      }
    }

    boolean touched(String fingerprint) {
      return changed.containsKey(fingerprint);
    }

    Changes changes() {
      return changed.isEmpty() && removed.isEmpty() ? Changes.NONE : new Changes(List.copyOf(changed.values()), List.copyOf(removed));
    }
  }

  /** The recent points of one series for one rule, oldest first, in a ring of primitive arrays. */
  static final class Window {
    final String agent;
    final Map<String, String> labels;
    final String fingerprint;
    final int capacity;
    long[] ts;
    double[] values;
    int start;
    int size;

    Window(String agent, Map<String, String> labels, String fingerprint, int capacity) {
      this.agent = agent;
      this.labels = labels;
      this.fingerprint = fingerprint;
      this.capacity = capacity;
      this.ts = new long[Math.min(capacity, 8)];
      this.values = new double[ts.length];
    }

    /**
     * Adds a point (in time order; a late one goes where it belongs); true when the oldest had to go. A point older than
     * every point of a full window is ignored: with {@code last} (a window of one) a sample the broker redelivers
     * late — a hub died holding it unacknowledged — must not stand for the series' newest value.
     */
    boolean add(long t, double v) {
      if (size == capacity && t < ts[start]) {
        return false;
      }
      boolean dropped = false;
      if (size == ts.length && ts.length < capacity) {
        int grown = Math.min(capacity, ts.length * 2);
        long[] t2 = new long[grown];
        double[] v2 = new double[grown];
        for (int i = 0; i < size; i++) {
          t2[i] = ts[(start + i) % ts.length];
          v2[i] = values[(start + i) % ts.length];
        }
        ts = t2;
        values = v2;
        start = 0;
      }
      if (size == ts.length) {
        start = (start + 1) % ts.length;
        size--;
        dropped = ts.length > 1;
      }
      int at = size;
      while (at > 0 && ts[(start + at - 1) % ts.length] > t) {
        int from = (start + at - 1) % ts.length;
        int to = (start + at) % ts.length;
        ts[to] = ts[from];
        values[to] = values[from];
        at--;
      }
      ts[(start + at) % ts.length] = t;
      values[(start + at) % ts.length] = v;
      size++;
      return dropped;
    }

    void trim(long oldest) {
      while (size > 0 && ts[start] < oldest) {
        start = (start + 1) % ts.length;
        size--;
      }
    }

    double aggregate(Agg agg) {
      if (size == 0) {
        return Double.NaN;
      }
      long[] t = new long[size];
      double[] v = new double[size];
      for (int i = 0; i < size; i++) {
        t[i] = ts[(start + i) % ts.length];
        v[i] = values[(start + i) % ts.length];
      }
      return agg.apply(t, v, 0, size);
    }
  }
}
