package io.mirador.store.memory;

import io.mirador.metrics.Stats;
import io.mirador.model.AgentInfo;
import io.mirador.model.CheckDefinition;
import io.mirador.model.CheckResult;
import io.mirador.model.Sample;
import io.mirador.store.Admission;
import io.mirador.store.AgentRecord;
import io.mirador.store.AgentStatus;
import io.mirador.store.LatestValue;
import io.mirador.store.SeriesData;
import io.mirador.store.SeriesQuery;
import io.mirador.store.AgentRegistry;
import io.mirador.store.IngestStore;
import io.mirador.store.SeriesStore;
import io.mirador.store.StoreBackend;
import io.mirador.hub.checks.CheckHistory;
import io.mirador.hub.checks.CheckStore;
import io.mirador.hub.checks.DefinitionChange;
import io.mirador.hub.cluster.Fence;
import io.mirador.store.WriteBatch;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The embedded store of standalone mode: everything in this JVM, lost on exit, bounded by {@link Limits}.
 *
 * <p>One instance is shared by the verticles of a node, which run on different event loops. Each agent's state —
 * registry entry, seq bookkeeping, series, check results — sits behind that agent's own monitor, so a write is
 * atomic and agents never wait on each other; only the series budget and the counters are global, and they are
 * atomics. Every call completes before it returns: nothing here blocks or does I/O.
 *
 * <p>Series keep the points of the last {@code retentionMs} (trimmed when a series is written or read, and for
 * all series every {@code retentionMs / 10}, at most every minute, on the next write): a series whose points have
 * all expired is forgotten and frees its place in the {@code maxSeries} budget. A sample that arrives late is
 * inserted in time order, a sample with the timestamp of a stored point replaces its value.
 */
public final class MemoryStore implements StoreBackend, IngestStore, AgentRegistry, SeriesStore, CheckStore {

  /** Bound on the ranges of missing seqs tracked per agent (see {@link SeqTracker}). */
  static final int MAX_GAP_RANGES = 10_000;

  private static final Comparator<Series> SERIES_ORDER =
      Comparator.comparing((Series s) -> s.metric).thenComparing(s -> s.tagsText);

  /**
   * @param retentionMs        how long points are kept
   * @param maxSeries          series across all agents; a new series past it is refused and counted
   * @param maxPointsPerSeries points per series; past it the oldest is overwritten and counted
   */
  public record Limits(long retentionMs, int maxSeries, int maxPointsPerSeries) {

    public Limits {
      requirePositive("retentionMs", retentionMs);
      requirePositive("maxSeries", maxSeries);
      requirePositive("maxPointsPerSeries", maxPointsPerSeries);
    }

    /** Reads {@code retentionSeconds} (3600), {@code maxSeries} (50000) and {@code maxPointsPerSeries} (720). */
    public static Limits from(JsonObject memorySection) {
      JsonObject section = memorySection == null ? new JsonObject() : memorySection;
      long retentionSeconds = positive(section, "retentionSeconds", 3600, Long.MAX_VALUE / 1000);
      long maxSeries = positive(section, "maxSeries", 50_000, Integer.MAX_VALUE);
      long maxPoints = positive(section, "maxPointsPerSeries", 720, Integer.MAX_VALUE);
      return new Limits(retentionSeconds * 1000, (int) maxSeries, (int) maxPoints);
    }

    private static long positive(JsonObject section, String key, long defaultValue, long max) {
      Object value = section.getValue(key);
      if (value == null) {
        return defaultValue;
      }
      if (!(value instanceof Number number) || number.doubleValue() != number.longValue()) {
        throw new IllegalArgumentException("store.memory." + key + " must be a whole number, got " + value);
      }
      long n = number.longValue();
      if (n <= 0 || n > max) {
        throw new IllegalArgumentException("store.memory." + key + " must be between 1 and " + max + ", got " + n);
      }
      return n;
    }

    private static void requirePositive(String name, long value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
    }
  }

  private final Limits limits;
  private final int maxGapRanges;
  private final LongSupplier clock;
  /** Whether a lease owner's fence still holds, checked under the agent's lock with the write it guards. */
  private final Predicate<Fence> fences;
  private final long sweepIntervalMs;
  private final AtomicLong nextSweep;

  private final ConcurrentHashMap<String, AgentState> agents = new ConcurrentHashMap<>();
  /** Check definitions by name, and their revision; guarded by the map's monitor. */
  private final TreeMap<String, CheckDefinition> definitions = new TreeMap<>();
  private long definitionsRevision;
  private final AtomicInteger seriesCount = new AtomicInteger();
  private final LongAdder points = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder seriesRejected = new LongAdder();
  private final LongAdder pointsEvicted = new LongAdder();
  private final LongAdder pointsExpired = new LongAdder();
  private final LongAdder gapTrackingOverflow = new LongAdder();

  /** A store whose writes on behalf of a lease owner are fenced by {@code fences} (see {@link MemoryLeases#holdsNow}). */
  public MemoryStore(Limits limits, Predicate<Fence> fences) {
    this(limits, MAX_GAP_RANGES, System::currentTimeMillis, fences);
  }

  /** For tests that fence nothing: every fenced write is refused. */
  MemoryStore(Limits limits) {
    this(limits, fence -> false);
  }

  /** For tests: a smaller gap-tracking bound and a clock they drive. */
  MemoryStore(Limits limits, int maxGapRanges, LongSupplier clock) {
    this(limits, maxGapRanges, clock, fence -> false);
  }

  /** For tests: a smaller gap-tracking bound and a clock they drive. */
  MemoryStore(Limits limits, int maxGapRanges, LongSupplier clock, Predicate<Fence> fences) {
    this.limits = limits;
    this.fences = fences;
    this.maxGapRanges = maxGapRanges;
    this.clock = clock;
    this.sweepIntervalMs = Math.max(1, Math.min(limits.retentionMs() / 10, 60_000));
    this.nextSweep = new AtomicLong(clock.getAsLong() + sweepIntervalMs);
  }

  @Override
  public Future<Admission> write(String agentId, long seq, WriteBatch batch) {
    if (seq <= 0) {
      return Future.failedFuture(new IllegalArgumentException("seq must be positive, got " + seq));
    }
    long now = clock.getAsLong();
    Admission admission;
    while (true) {
      AgentState agent = agents.computeIfAbsent(agentId, this::newAgent);
      synchronized (agent) {
        if (agent.removed) {
          continue; // removed between lookup and lock: start over with a fresh entry
        }
        admission = agent.seqs.admit(seq);
        if (admission == Admission.ACCEPTED) {
          apply(agent, batch, now);
        }
      }
      break;
    }
    (admission == Admission.ACCEPTED ? received : duplicates).increment();
    sweepIfDue(now);
    return Future.succeededFuture(admission);
  }

  @Override
  public Future<List<AgentRecord>> agents() {
    List<AgentRecord> records = new ArrayList<>(agents.size());
    for (AgentState agent : agents.values()) {
      synchronized (agent) {
        if (agent.visible()) {
          records.add(agent.toRecord());
        }
      }
    }
    return Future.succeededFuture(records);
  }

  @Override
  public Future<Optional<AgentRecord>> agent(String agentId) {
    AgentState agent = agents.get(agentId);
    if (agent == null) {
      return Future.succeededFuture(Optional.empty());
    }
    synchronized (agent) {
      return Future.succeededFuture(agent.visible() ? Optional.of(agent.toRecord()) : Optional.empty());
    }
  }

  @Override
  public Future<Boolean> removeAgent(String agentId) {
    AgentState agent = agents.remove(agentId);
    if (agent == null) {
      return Future.succeededFuture(false);
    }
    synchronized (agent) {
      agent.removed = true;
      for (Series series : agent.series.values()) {
        points.add(-series.ring.size());
      }
      seriesCount.addAndGet(-agent.series.size());
      agent.series.clear();
      agent.checks.clear();
      agent.history.clear();
      agent.flapping.clear();
    }
    return Future.succeededFuture(true);
  }

  @Override
  public Future<Transition> transition(String agentId, AgentStatus from, AgentStatus to, long at, Fence fence) {
    AgentState agent = agents.get(agentId);
    if (agent == null) {
      return Future.succeededFuture(Transition.UNKNOWN_AGENT);
    }
    synchronized (agent) {
      if (!agent.visible()) {
        return Future.succeededFuture(Transition.UNKNOWN_AGENT);
      }
      if (fence != null && !fences.test(fence)) {
        return Future.succeededFuture(Transition.FENCED);
      }
      if (agent.status != from) {
        return Future.succeededFuture(Transition.CONFLICT);
      }
      agent.status = to;
      agent.statusSince = at;
      return Future.succeededFuture(Transition.APPLIED);
    }
  }

  @Override
  public Future<List<LatestValue>> latest(String agentId) {
    AgentState agent = agents.get(agentId);
    if (agent == null) {
      return Future.succeededFuture(List.of());
    }
    long cutoff = cutoff(clock.getAsLong());
    List<LatestValue> latest = new ArrayList<>();
    synchronized (agent) {
      trim(agent, cutoff, series -> true);
      List<Series> live = new ArrayList<>(agent.series.values());
      live.sort(SERIES_ORDER);
      for (Series series : live) {
        latest.add(new LatestValue(series.metric, series.tags, series.ring.lastValue(), series.ring.lastTs()));
      }
    }
    return Future.succeededFuture(latest);
  }

  /** Matching series with no point in [from, to] are left out of the result. */
  @Override
  public Future<List<SeriesData>> series(SeriesQuery query) {
    AgentState agent = query.agent() == null ? null : agents.get(query.agent());
    if (agent == null) {
      return Future.succeededFuture(List.of());
    }
    long cutoff = cutoff(clock.getAsLong());
    List<Series> matching = new ArrayList<>();
    List<SeriesData> result = new ArrayList<>();
    Predicate<Series> wanted =
        series -> query.matchesMetric(series.metric) && (query.tags() == null || query.matchesTags(series.tags));
    synchronized (agent) {
      trim(agent, cutoff, wanted);
      for (Series series : agent.series.values()) {
        if (wanted.test(series)) {
          matching.add(series);
        }
      }
      matching.sort(SERIES_ORDER);
      for (Series series : matching) {
        List<SeriesData.Point> inRange = query.step() > 0
            ? averaged(series.ring, query.from(), query.to(), query.step())
            : raw(series.ring, query.from(), query.to());
        if (!inRange.isEmpty()) {
          result.add(new SeriesData(series.metric, series.tags, inRange));
        }
      }
    }
    return Future.succeededFuture(result);
  }

  @Override
  public Future<Map<String, CheckResult>> latestCheckResults(String agentId) {
    AgentState agent = agents.get(agentId);
    if (agent == null) {
      return Future.succeededFuture(Map.of());
    }
    synchronized (agent) {
      return Future.succeededFuture(Collections.unmodifiableMap(new TreeMap<>(agent.checks)));
    }
  }

  @Override
  public Future<List<Integer>> appendCheckStatus(String agentId, String check, int status) {
    AgentState agent = agents.get(agentId);
    if (agent == null) {
      return Future.succeededFuture(List.of(status));
    }
    synchronized (agent) {
      java.util.ArrayDeque<Integer> history = agent.history.computeIfAbsent(check, c -> new java.util.ArrayDeque<>(CHECK_HISTORY));
      history.addLast(status);
      while (history.size() > CHECK_HISTORY) {
        history.removeFirst();
      }
      return Future.succeededFuture(List.copyOf(history));
    }
  }

  @Override
  public Future<Void> setCheckFlapping(String agentId, String check, boolean flapping) {
    AgentState agent = agents.get(agentId);
    if (agent != null) {
      synchronized (agent) {
        if (flapping) {
          agent.flapping.add(check);
        } else {
          agent.flapping.remove(check);
        }
      }
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Map<String, CheckHistory>> checkHistories(String agentId) {
    AgentState agent = agents.get(agentId);
    if (agent == null) {
      return Future.succeededFuture(Map.of());
    }
    Map<String, CheckHistory> histories = new TreeMap<>();
    synchronized (agent) {
      agent.history.forEach((check, statuses) -> histories.put(check, new CheckHistory(List.copyOf(statuses), agent.flapping.contains(check))));
    }
    return Future.succeededFuture(Collections.unmodifiableMap(histories));
  }

  @Override
  public Future<List<CheckDefinition>> checkDefinitions() {
    synchronized (definitions) {
      return Future.succeededFuture(List.copyOf(definitions.values()));
    }
  }

  @Override
  public Future<Optional<CheckDefinition>> checkDefinition(String name) {
    synchronized (definitions) {
      return Future.succeededFuture(Optional.ofNullable(definitions.get(name)));
    }
  }

  @Override
  public Future<Long> checkDefinitionsRevision() {
    synchronized (definitions) {
      return Future.succeededFuture(definitionsRevision);
    }
  }

  @Override
  public Future<DefinitionChange> putCheckDefinition(CheckDefinition definition) {
    synchronized (definitions) {
      boolean existed = definitions.put(definition.name(), definition) != null;
      return Future.succeededFuture(new DefinitionChange(existed, ++definitionsRevision));
    }
  }

  @Override
  public Future<DefinitionChange> removeCheckDefinition(String name) {
    synchronized (definitions) {
      boolean existed = definitions.remove(name) != null;
      return Future.succeededFuture(new DefinitionChange(existed, existed ? ++definitionsRevision : definitionsRevision));
    }
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Stats stats() {
    return new Stats()
        .gauge("agents", "Agents held in memory", agents.size())
        .gauge("series", "Series held in memory", seriesCount.get())
        .gauge("points", "Points held in memory, over all series", points.sum())
        .counter("received", "Events stored (each agent and seq once)", received.sum())
        .counter("duplicates", "Events not stored again because their agent and seq were already stored", duplicates.sum())
        .counter("series_rejected", "Samples of new series refused because maxSeries series were held", seriesRejected.sum())
        .counter("points_evicted", "Points dropped from a full series (maxPointsPerSeries) or too old to fit in one",
            pointsEvicted.sum())
        .counter("points_expired", "Points dropped, or not stored, because they were older than retentionSeconds",
            pointsExpired.sum())
        .counter("gap_tracking_overflow", "Ranges of missing seqs forgotten because an agent had too many of them",
            gapTrackingOverflow.sum());
  }

  @Override
  public Future<Void> close() {
    for (String agentId : List.copyOf(agents.keySet())) {
      removeAgent(agentId);
    }
    return Future.succeededFuture();
  }

  private AgentState newAgent(String agentId) {
    return new AgentState(agentId, new SeqTracker(maxGapRanges, gapTrackingOverflow::add));
  }

  /** Runs under the agent's lock, right after its seq was admitted. */
  private void apply(AgentState agent, WriteBatch batch, long now) {
    long receivedAt = batch.receivedAt();
    if (!agent.known) {
      agent.known = true;
      agent.hostname = agent.id;
      agent.registeredAt = receivedAt;
      agent.status = AgentStatus.UP;
      agent.statusSince = receivedAt;
    }
    agent.lastSeen = Math.max(agent.lastSeen, receivedAt);
    if (batch.agentInfo() != null) {
      agent.refresh(batch.agentInfo());
    }
    long cutoff = cutoff(now);
    int refused = 0;
    for (Sample sample : batch.samples()) {
      if (!append(agent, sample, cutoff)) {
        refused++;
      }
    }
    batch.refusedSamples(refused);
    for (CheckResult result : batch.checkResults()) {
      agent.checks.merge(result.check(), result, (kept, arrived) -> arrived.executed() >= kept.executed() ? arrived : kept);
    }
  }

  /** False when the sample was not stored (expired, its new series refused, or too old for its full series). */
  private boolean append(AgentState agent, Sample sample, long cutoff) {
    if (sample.ts() < cutoff) {
      pointsExpired.increment();
      return false;
    }
    Series series = agent.series.get(new SeriesKey(sample.name(), sample.tags()));
    if (series == null) {
      if (!reserveSeries()) {
        seriesRejected.increment();
        return false;
      }
      series = new Series(sample.name(), sample.tags(), limits.maxPointsPerSeries());
      agent.series.put(new SeriesKey(series.metric, series.tags), series);
    } else {
      int expired = series.ring.trimBefore(cutoff);
      points.add(-expired);
      pointsExpired.add(expired);
    }
    switch (series.ring.add(sample.ts(), sample.value())) {
      case ADDED -> points.increment();
      case REPLACED -> { }
      case EVICTED_OLDEST -> pointsEvicted.increment();
      case TOO_OLD -> {
        pointsEvicted.increment();
        return false;
      }
    }
    return true;
  }

  private boolean reserveSeries() {
    while (true) {
      int current = seriesCount.get();
      if (current >= limits.maxSeries()) {
        return false;
      }
      if (seriesCount.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /** Drops expired points of the selected series of one agent, and the series left empty. Under the agent's lock. */
  private void trim(AgentState agent, long cutoff, Predicate<Series> selected) {
    Iterator<Series> it = agent.series.values().iterator();
    while (it.hasNext()) {
      Series series = it.next();
      if (!selected.test(series)) {
        continue;
      }
      int expired = series.ring.trimBefore(cutoff);
      points.add(-expired);
      pointsExpired.add(expired);
      if (series.ring.size() == 0) {
        it.remove();
        seriesCount.decrementAndGet();
      }
    }
  }

  /** Expires the series nobody writes or reads any more (a host gone, a container id that churned). */
  private void sweepIfDue(long now) {
    long due = nextSweep.get();
    if (now < due || !nextSweep.compareAndSet(due, now + sweepIntervalMs)) {
      return;
    }
    long cutoff = cutoff(now);
    for (AgentState agent : agents.values()) {
      synchronized (agent) {
        if (!agent.removed) {
          trim(agent, cutoff, series -> true);
        }
      }
    }
  }

  private long cutoff(long now) {
    return now - limits.retentionMs();
  }

  private static List<SeriesData.Point> raw(PointRing ring, long from, long to) {
    List<SeriesData.Point> selected = new ArrayList<>();
    ring.forEachBetween(from, to, (ts, value) -> selected.add(new SeriesData.Point(ts, value)));
    return selected;
  }

  /** One point per non-empty bucket {@code [k·step, (k+1)·step)}, stamped with the bucket's start. */
  private static List<SeriesData.Point> averaged(PointRing ring, long from, long to, long step) {
    List<SeriesData.Point> selected = new ArrayList<>();
    var bucket = new Object() {
      long start = Long.MIN_VALUE;
      double sum;
      int count;

      void flush() {
        if (count > 0) {
          selected.add(new SeriesData.Point(start, sum / count));
        }
      }
    };
    ring.forEachBetween(from, to, (ts, value) -> {
      long start = Math.floorDiv(ts, step) * step;
      if (start != bucket.start) {
        bucket.flush();
        bucket.start = start;
        bucket.sum = 0;
        bucket.count = 0;
      }
      bucket.sum += value;
      bucket.count++;
    });
    bucket.flush();
    return selected;
  }

  /** Looks a series up by the sample's own tags map: Map equality does not depend on its order or class. */
  private record SeriesKey(String metric, Map<String, String> tags) {
  }

  private static final class Series {
    final String metric;
    /** Sorted by key, so output and ordering are stable. */
    final Map<String, String> tags;
    final String tagsText;
    final PointRing ring;

    Series(String metric, Map<String, String> tags, int capacity) {
      TreeMap<String, String> sorted = new TreeMap<>(tags);
      this.metric = metric;
      this.tags = Collections.unmodifiableMap(new LinkedHashMap<>(sorted));
      this.tagsText = sorted.toString();
      this.ring = new PointRing(capacity);
    }
  }

  /** Everything about one agent; guarded by its own monitor. */
  private static final class AgentState {
    final String id;
    final SeqTracker seqs;
    final Map<SeriesKey, Series> series = new HashMap<>();
    final Map<String, CheckResult> checks = new HashMap<>();
    final Map<String, java.util.ArrayDeque<Integer>> history = new HashMap<>();
    final java.util.Set<String> flapping = new java.util.HashSet<>();
    boolean removed;
    boolean known;

    String hostname;
    List<String> ips = List.of();
    String os;
    String version;
    boolean busy;
    long startedAt;
    int interval;
    long registeredAt;
    long lastSeen;
    AgentStatus status;
    long statusSince;
    Map<String, Long> agentCounters = Map.of();
    List<String> subscriptions = List.of();

    AgentState(String id, SeqTracker seqs) {
      this.id = id;
      this.seqs = seqs;
    }

    /** False while its first write is still being applied, and once removed. */
    boolean visible() {
      return known && !removed;
    }

    void refresh(AgentInfo info) {
      hostname = info.hostname() == null ? id : info.hostname();
      ips = Collections.unmodifiableList(new ArrayList<>(info.ips()));
      os = info.os();
      version = info.version();
      busy = info.busy();
      startedAt = info.startedAt();
      interval = info.interval();
      agentCounters = Collections.unmodifiableMap(new LinkedHashMap<>(info.counters()));
      subscriptions = List.copyOf(info.subscriptions());
    }

    AgentRecord toRecord() {
      return new AgentRecord(id, hostname, ips, os, version, busy, startedAt, interval, registeredAt, lastSeen,
          status, statusSince, seqs.counters(), agentCounters, subscriptions);
    }
  }
}
