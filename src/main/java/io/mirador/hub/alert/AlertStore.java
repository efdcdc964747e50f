package io.mirador.hub.alert;

import io.mirador.hub.alert.notify.NotifierConfig;
import io.mirador.hub.cluster.Fence;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the alerting feature keeps: rules, notifiers and silences (configuration, written by the API), and the alert
 * states and notification log (written by the one owner of alert evaluation, each write carrying its {@link Fence}
 * and refused — {@code false} — when the fence no longer holds, in the same atomic step as the write).
 */
public interface AlertStore {

  /** Most notification records kept per alert, newest last. */
  int MAX_RECORDS_PER_ALERT = 20;

  Future<List<Rule>> rules();

  Future<Optional<Rule>> rule(String name);

  /** Creates or replaces; true when it replaced one. */
  Future<Boolean> putRule(Rule rule);

  /** True when there was one. */
  Future<Boolean> removeRule(String name);

  Future<List<NotifierConfig>> notifiers();

  Future<Optional<NotifierConfig>> notifier(String name);

  Future<Boolean> putNotifier(NotifierConfig notifier);

  Future<Boolean> removeNotifier(String name);

  /** Every silence kept, expired ones too (until {@link #removeSilences}). */
  Future<List<Silence>> silences();

  /** Creates or replaces by id. */
  Future<Void> putSilence(Silence silence);

  Future<Void> removeSilences(Collection<String> ids);

  /** Every alert state. */
  Future<List<AlertState>> alerts();

  /**
   * Writes changed states and removes forgotten ones (with their notification records), in one atomic step, if the
   * fence holds; false (nothing written) when it does not.
   */
  Future<Boolean> saveAlerts(Collection<AlertState> changed, Collection<String> removed, Fence fence);

  Future<Optional<LogEntry>> logEntry(String notifier, String groupKey);

  /**
   * Writes a notification log entry and appends records to the alerts' notification lists (each kept to
   * {@link #MAX_RECORDS_PER_ALERT}), atomically, if the fence holds; false (nothing written) when it does not.
   */
  Future<Boolean> log(LogEntry entry, Map<String, NotificationRecord> records, Fence fence);

  /** The notification records of every alert that has some, by fingerprint, oldest first. */
  Future<Map<String, List<NotificationRecord>>> notifications();
}
