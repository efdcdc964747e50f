package io.mirador.store.redis;

import io.mirador.hub.alert.AlertState;
import io.mirador.hub.alert.AlertStore;
import io.mirador.hub.alert.LogEntry;
import io.mirador.hub.alert.NotificationRecord;
import io.mirador.hub.alert.Rule;
import io.mirador.hub.alert.Silence;
import io.mirador.hub.alert.notify.NotifierConfig;
import io.mirador.hub.cluster.Fence;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Alerting in Redis, beside the main store on its connection: one hash per kind ({@link RedisKeys}), JSON values.
 * Configuration (rules, notifiers, silences) is plain HSET/HDEL; alert states and the notification log go through
 * {@code alert_save.lua} and {@code alert_log.lua}, which check the fence first and write nothing when it fails.
 */
public final class RedisAlertStore implements AlertStore {

  private static final LuaScript SAVE = LuaScript.load("alert_save");
  private static final LuaScript LOG = LuaScript.load("alert_log");

  private final Redis redis;
  private final String prefix;
  private final RedisKeys keys;

  public RedisAlertStore(Redis redis, String prefix) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.keys = new RedisKeys(prefix);
  }

  @Override
  public Future<List<Rule>> rules() {
    return values(keys.alertRules(), Rule::fromJson).map(rules -> rules.stream().sorted(Comparator.comparing(Rule::name)).toList());
  }

  @Override
  public Future<Optional<Rule>> rule(String name) {
    return value(keys.alertRules(), name, Rule::fromJson);
  }

  @Override
  public Future<Boolean> putRule(Rule rule) {
    return put(keys.alertRules(), rule.name(), rule.toJson());
  }

  @Override
  public Future<Boolean> removeRule(String name) {
    return remove(keys.alertRules(), name);
  }

  @Override
  public Future<List<NotifierConfig>> notifiers() {
    return values(keys.alertNotifiers(), NotifierConfig::fromStored)
        .map(list -> list.stream().sorted(Comparator.comparing(NotifierConfig::name)).toList());
  }

  @Override
  public Future<Optional<NotifierConfig>> notifier(String name) {
    return value(keys.alertNotifiers(), name, NotifierConfig::fromStored);
  }

  @Override
  public Future<Boolean> putNotifier(NotifierConfig notifier) {
    return put(keys.alertNotifiers(), notifier.name(), notifier.toStored());
  }

  @Override
  public Future<Boolean> removeNotifier(String name) {
    return remove(keys.alertNotifiers(), name);
  }

  @Override
  public Future<List<Silence>> silences() {
    return values(keys.alertSilences(), Silence::fromJson)
        .map(list -> list.stream().sorted(Comparator.comparing(Silence::startsAt).thenComparing(Silence::id)).toList());
  }

  @Override
  public Future<Void> putSilence(Silence silence) {
    return put(keys.alertSilences(), silence.id(), silence.toJson()).mapEmpty();
  }

  @Override
  public Future<Void> removeSilences(Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> args = new ArrayList<>();
    args.add(keys.alertSilences());
    args.addAll(ids);
    return redis.send(Request.cmd(Command.HDEL, args.toArray())).mapEmpty();
  }

  @Override
  public Future<List<AlertState>> alerts() {
    return values(keys.alertStates(), AlertState::fromStored);
  }

  @Override
  public Future<Boolean> saveAlerts(Collection<AlertState> changed, Collection<String> removed, Fence fence) {
    if (fence == null) {
      return Future.failedFuture(new IllegalArgumentException("fence must not be null"));
    }
    List<String> args = new ArrayList<>(2 + 2 * changed.size() + removed.size());
    args.add(Long.toString(fence.token()));
    args.add(Integer.toString(changed.size()));
    for (AlertState alert : changed) {
      args.add(alert.fingerprint());
      args.add(alert.toStored().encode());
    }
    args.addAll(removed);
    return SAVE.run(redis, List.of(RedisLeases.leaseKey(prefix, fence.lease()), keys.alertStates(), keys.alertRecords()), args)
        .map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<Optional<LogEntry>> logEntry(String notifier, String groupKey) {
    return value(keys.alertLog(), LogEntry.key(notifier, groupKey), LogEntry::fromStored);
  }

  @Override
  public Future<Boolean> log(LogEntry entry, Map<String, NotificationRecord> records, Fence fence) {
    if (fence == null) {
      return Future.failedFuture(new IllegalArgumentException("fence must not be null"));
    }
    List<String> args = new ArrayList<>(4 + 2 * records.size());
    args.add(Long.toString(fence.token()));
    args.add(LogEntry.key(entry.notifier(), entry.groupKey()));
    args.add(entry.toStored().encode());
    args.add(Integer.toString(MAX_RECORDS_PER_ALERT));
    records.forEach((fingerprint, record) -> {
      args.add(fingerprint);
      args.add(record.toStored().encode());
    });
    return LOG.run(redis, List.of(RedisLeases.leaseKey(prefix, fence.lease()), keys.alertLog(), keys.alertRecords()), args)
        .map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<Map<String, List<NotificationRecord>>> notifications() {
    return redis.send(Request.cmd(Command.HGETALL).arg(keys.alertRecords())).map(reply -> {
      Map<String, List<NotificationRecord>> all = new HashMap<>();
      for (int i = 0; i + 1 < reply.size(); i += 2) { // RESP2: field, value, field, value…
        List<NotificationRecord> list = new ArrayList<>();
        new JsonArray(reply.get(i + 1).toString()).forEach(r -> list.add(NotificationRecord.fromStored((JsonObject) r)));
        all.put(reply.get(i).toString(), list);
      }
      return all;
    });
  }

  private <T> Future<List<T>> values(String key, Function<JsonObject, T> decode) {
    return redis.send(Request.cmd(Command.HVALS).arg(key)).map(reply -> {
      List<T> list = new ArrayList<>(reply.size());
      for (Response value : reply) {
        list.add(decode.apply(new JsonObject(value.toString())));
      }
      return list;
    });
  }

  private <T> Future<Optional<T>> value(String key, String field, Function<JsonObject, T> decode) {
    return redis.send(Request.cmd(Command.HGET).arg(key).arg(field))
        .map(reply -> reply == null ? Optional.<T>empty() : Optional.of(decode.apply(new JsonObject(reply.toString()))));
  }

  private Future<Boolean> put(String key, String field, JsonObject value) {
    return redis.send(Request.cmd(Command.HSET).arg(key).arg(field).arg(value.encode())).map(reply -> reply.toInteger() == 0);
  }

  private Future<Boolean> remove(String key, String field) {
    return redis.send(Request.cmd(Command.HDEL).arg(key).arg(field)).map(reply -> reply.toInteger() == 1);
  }
}
