package io.mirador.store.memory;

import io.mirador.hub.cluster.Fence;
import io.mirador.hub.sched.JobState;
import io.mirador.hub.sched.JobStore;
import io.mirador.hub.sched.Target;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/** The jobs store of standalone mode: one monitor over a few maps; fenced writes ask {@code fences} right before writing. */
public final class MemoryJobStore implements JobStore {

  private final Predicate<Fence> fences;
  /** Insertion order is creation order. */
  private final Map<String, JsonObject> headers = new LinkedHashMap<>();
  private final Map<String, Map<String, Target>> targets = new HashMap<>();
  private final Set<String> cancels = new LinkedHashSet<>();
  private final Map<String, TreeMap<Integer, JsonObject>> templates = new TreeMap<>();
  private final Map<String, Long> ticks = new HashMap<>();

  public MemoryJobStore(Predicate<Fence> fences) {
    this.fences = fences;
  }

  @Override
  public synchronized Future<Void> create(JsonObject header, Collection<Target> list) {
    String id = header.getString("id");
    headers.put(id, header.copy());
    Map<String, Target> byAgent = new LinkedHashMap<>();
    list.forEach(t -> byAgent.put(t.agent(), t));
    targets.put(id, byAgent);
    trim();
    return Future.succeededFuture();
  }

  private void trim() {
    var it = headers.entrySet().iterator();
    while (headers.size() > MAX_JOBS && it.hasNext()) {
      var oldest = it.next();
      if (JobState.valueOf(oldest.getValue().getString("state")).ended()) {
        it.remove();
        targets.remove(oldest.getKey());
        cancels.remove(oldest.getKey());
      }
    }
  }

  @Override
  public synchronized Future<Boolean> save(String id, JsonObject header, Collection<Target> changed, Fence fence) {
    if (!fences.test(fence)) {
      return Future.succeededFuture(false);
    }
    Map<String, Target> byAgent = targets.computeIfAbsent(id, key -> new LinkedHashMap<>());
    if (header != null) {
      headers.put(id, header.copy());
      if (JobState.valueOf(header.getString("state")).ended()) {
        cancels.remove(id);
      }
    }
    changed.forEach(t -> byAgent.put(t.agent(), t));
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Optional<JsonObject>> header(String id) {
    JsonObject header = headers.get(id);
    return Future.succeededFuture(Optional.ofNullable(header == null ? null : header.copy()));
  }

  @Override
  public synchronized Future<List<Target>> targets(String id) {
    Map<String, Target> byAgent = targets.get(id);
    return Future.succeededFuture(byAgent == null ? List.of() : List.copyOf(byAgent.values()));
  }

  @Override
  public synchronized Future<List<JsonObject>> headers(int limit) {
    List<JsonObject> all = new ArrayList<>(headers.values());
    List<JsonObject> newest = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0 && newest.size() < limit; i--) {
      newest.add(all.get(i).copy());
    }
    return Future.succeededFuture(newest);
  }

  @Override
  public synchronized Future<List<String>> unfinished() {
    return Future.succeededFuture(headers.values().stream().filter(h -> !JobState.valueOf(h.getString("state")).ended())
        .map(h -> h.getString("id")).toList());
  }

  @Override
  public synchronized Future<Boolean> requestCancel(String id) {
    if (!headers.containsKey(id)) {
      return Future.succeededFuture(false);
    }
    if (!JobState.valueOf(headers.get(id).getString("state")).ended()) {
      cancels.add(id);
    }
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<List<String>> cancelRequests() {
    return Future.succeededFuture(List.copyOf(cancels));
  }

  @Override
  public synchronized Future<Integer> putTemplate(String name, JsonObject template) {
    TreeMap<Integer, JsonObject> versions = templates.computeIfAbsent(name, key -> new TreeMap<>());
    int version = versions.isEmpty() ? 1 : versions.lastKey() + 1;
    versions.put(version, template.copy().put("name", name).put("version", version));
    return Future.succeededFuture(version);
  }

  @Override
  public synchronized Future<Optional<JsonObject>> template(String name, int version) {
    TreeMap<Integer, JsonObject> versions = templates.get(name);
    if (versions == null || versions.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    JsonObject found = version == 0 ? versions.lastEntry().getValue() : versions.get(version);
    return Future.succeededFuture(Optional.ofNullable(found == null ? null : found.copy()));
  }

  @Override
  public synchronized Future<List<JsonObject>> templates() {
    return Future.succeededFuture(templates.values().stream().map(v -> v.lastEntry().getValue().copy()).toList());
  }

  @Override
  public synchronized Future<Long> lastTick(String schedule) {
    return Future.succeededFuture(ticks.getOrDefault(schedule, 0L));
  }

  @Override
  public synchronized Future<Boolean> markTick(String schedule, long tick, Fence fence) {
    if (!fences.test(fence) || ticks.getOrDefault(schedule, 0L) >= tick) {
      return Future.succeededFuture(false);
    }
    ticks.put(schedule, tick);
    return Future.succeededFuture(true);
  }
}
