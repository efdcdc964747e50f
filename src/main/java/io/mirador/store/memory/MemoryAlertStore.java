package io.mirador.store.memory;

import io.mirador.hub.alert.AlertState;
import io.mirador.hub.alert.AlertStore;
import io.mirador.hub.alert.LogEntry;
import io.mirador.hub.alert.NotificationRecord;
import io.mirador.hub.alert.Rule;
import io.mirador.hub.alert.Silence;
import io.mirador.hub.alert.notify.NotifierConfig;
import io.mirador.hub.cluster.Fence;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The alerting store of standalone mode: one monitor over a few maps, every call complete when it returns. Fenced
 * writes ask {@code fences} (the memory leases' {@code holdsNow}) under the same monitor, right before writing.
 */
public final class MemoryAlertStore implements AlertStore {

  private final Predicate<Fence> fences;
  private final Map<String, Rule> rules = new TreeMap<>();
  private final Map<String, NotifierConfig> notifiers = new TreeMap<>();
  private final Map<String, Silence> silences = new LinkedHashMap<>();
  private final Map<String, AlertState> alerts = new LinkedHashMap<>();
  private final Map<String, LogEntry> log = new HashMap<>();
  private final Map<String, List<NotificationRecord>> records = new HashMap<>();

  public MemoryAlertStore(Predicate<Fence> fences) {
    this.fences = fences;
  }

  @Override
  public synchronized Future<List<Rule>> rules() {
    return Future.succeededFuture(List.copyOf(rules.values()));
  }

  @Override
  public synchronized Future<Optional<Rule>> rule(String name) {
    return Future.succeededFuture(Optional.ofNullable(rules.get(name)));
  }

  @Override
  public synchronized Future<Boolean> putRule(Rule rule) {
    return Future.succeededFuture(rules.put(rule.name(), rule) != null);
  }

  @Override
  public synchronized Future<Boolean> removeRule(String name) {
    return Future.succeededFuture(rules.remove(name) != null);
  }

  @Override
  public synchronized Future<List<NotifierConfig>> notifiers() {
    return Future.succeededFuture(List.copyOf(notifiers.values()));
  }

  @Override
  public synchronized Future<Optional<NotifierConfig>> notifier(String name) {
    return Future.succeededFuture(Optional.ofNullable(notifiers.get(name)));
  }

  @Override
  public synchronized Future<Boolean> putNotifier(NotifierConfig notifier) {
    return Future.succeededFuture(notifiers.put(notifier.name(), notifier) != null);
  }

  @Override
  public synchronized Future<Boolean> removeNotifier(String name) {
    return Future.succeededFuture(notifiers.remove(name) != null);
  }

  @Override
  public synchronized Future<List<Silence>> silences() {
    return Future.succeededFuture(List.copyOf(silences.values()));
  }

  @Override
  public synchronized Future<Void> putSilence(Silence silence) {
    silences.put(silence.id(), silence);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> removeSilences(Collection<String> ids) {
    ids.forEach(silences::remove);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<AlertState>> alerts() {
    return Future.succeededFuture(List.copyOf(alerts.values()));
  }

  @Override
  public synchronized Future<Boolean> saveAlerts(Collection<AlertState> changed, Collection<String> removed, Fence fence) {
    if (!holds(fence)) {
      return Future.succeededFuture(false);
    }
    changed.forEach(alert -> alerts.put(alert.fingerprint(), alert));
    removed.forEach(fingerprint -> {
      alerts.remove(fingerprint);
      records.remove(fingerprint);
    });
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Optional<LogEntry>> logEntry(String notifier, String groupKey) {
    return Future.succeededFuture(Optional.ofNullable(log.get(LogEntry.key(notifier, groupKey))));
  }

  @Override
  public synchronized Future<Boolean> log(LogEntry entry, Map<String, NotificationRecord> added, Fence fence) {
    if (!holds(fence)) {
      return Future.succeededFuture(false);
    }
    log.put(LogEntry.key(entry.notifier(), entry.groupKey()), entry);
    added.forEach((fingerprint, record) -> {
      List<NotificationRecord> list = records.computeIfAbsent(fingerprint, f -> new ArrayList<>());
      list.add(record);
      if (list.size() > MAX_RECORDS_PER_ALERT) {
        list.remove(0);
      }
    });
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Map<String, List<NotificationRecord>>> notifications() {
    Map<String, List<NotificationRecord>> copy = new HashMap<>();
    records.forEach((fingerprint, list) -> copy.put(fingerprint, List.copyOf(list)));
    return Future.succeededFuture(copy);
  }

  private boolean holds(Fence fence) {
    if (fence == null) {
      throw new IllegalArgumentException("fence must not be null");
    }
    return fences.test(fence);
  }
}
