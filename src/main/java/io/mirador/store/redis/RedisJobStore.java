package io.mirador.store.redis;

import io.mirador.hub.cluster.Fence;
import io.mirador.hub.sched.JobState;
import io.mirador.hub.sched.JobStore;
import io.mirador.hub.sched.Target;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Jobs in Redis, beside the main store on its connection ({@link RedisKeys}, docs/REDIS.md): a hash of headers indexed
 * by creation time, one hash of targets per job, the open and cancel-request sets, templates as one hash of versions
 * each, and the schedules' last ticks. The owner's writes go through {@code job_save.lua} and {@code job_tick.lua},
 * which check the sched lease's fence first and write nothing when it fails.
 */
public final class RedisJobStore implements JobStore {

  private static final LuaScript CREATE = LuaScript.load("job_create");
  private static final LuaScript SAVE = LuaScript.load("job_save");
  private static final LuaScript TICK = LuaScript.load("job_tick");

  private final Redis redis;
  private final String prefix;
  private final RedisKeys keys;

  public RedisJobStore(Redis redis, String prefix) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.keys = new RedisKeys(prefix);
  }

  @Override
  public Future<Void> create(JsonObject header, Collection<Target> targets) {
    String id = header.getString("id");
    List<String> args = new ArrayList<>(4 + 2 * targets.size());
    args.add(id);
    args.add(Long.toString(header.getLong("createdAt")));
    args.add(Integer.toString(MAX_JOBS));
    args.add(header.encode());
    for (Target target : targets) {
      args.add(target.agent());
      args.add(target.toJson().encode());
    }
    return CREATE.run(redis, List.of(keys.jobHeaders(), keys.jobIndex(), keys.jobOpen(), keys.jobTargets(id), keys.jobCancels()), args)
        .mapEmpty();
  }

  @Override
  public Future<Boolean> save(String id, JsonObject header, Collection<Target> targets, Fence fence) {
    if (fence == null) {
      return Future.failedFuture(new IllegalArgumentException("fence must not be null"));
    }
    List<String> args = new ArrayList<>(4 + 2 * targets.size());
    args.add(Long.toString(fence.token()));
    args.add(id);
    args.add(header == null ? "" : header.encode());
    args.add(header != null && JobState.valueOf(header.getString("state")).ended() ? "1" : "0");
    for (Target target : targets) {
      args.add(target.agent());
      args.add(target.toJson().encode());
    }
    return SAVE.run(redis, List.of(RedisLeases.leaseKey(prefix, fence.lease()), keys.jobHeaders(), keys.jobTargets(id), keys.jobOpen(),
        keys.jobCancels()), args).map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<Optional<JsonObject>> header(String id) {
    return redis.send(Request.cmd(Command.HGET).arg(keys.jobHeaders()).arg(id))
        .map(reply -> reply == null ? Optional.<JsonObject>empty() : Optional.of(new JsonObject(reply.toString())));
  }

  @Override
  public Future<List<Target>> targets(String id) {
    return redis.send(Request.cmd(Command.HVALS).arg(keys.jobTargets(id))).map(reply -> {
      List<Target> list = new ArrayList<>(reply.size());
      for (Response value : reply) {
        list.add(Target.fromJson(new JsonObject(value.toString())));
      }
      list.sort(java.util.Comparator.comparingInt(Target::index));
      return list;
    });
  }

  @Override
  public Future<List<JsonObject>> headers(int limit) {
    return redis.send(Request.cmd(Command.ZREVRANGE).arg(keys.jobIndex()).arg(0).arg(Math.max(0, limit - 1))).compose(ids -> {
      if (ids.size() == 0) {
        return Future.succeededFuture(List.<JsonObject>of());
      }
      Request get = Request.cmd(Command.HMGET).arg(keys.jobHeaders());
      ids.forEach(id -> get.arg(id.toString()));
      return redis.send(get).map(values -> {
        List<JsonObject> list = new ArrayList<>();
        for (Response value : values) {
          if (value != null) {
            list.add(new JsonObject(value.toString()));
          }
        }
        return list;
      });
    });
  }

  @Override
  public Future<List<String>> unfinished() {
    return members(keys.jobOpen());
  }

  @Override
  public Future<Boolean> requestCancel(String id) {
    return header(id).compose(header -> {
      if (header.isEmpty()) {
        return Future.succeededFuture(false);
      }
      if (JobState.valueOf(header.get().getString("state")).ended()) {
        return Future.succeededFuture(true);
      }
      return redis.send(Request.cmd(Command.SADD).arg(keys.jobCancels()).arg(id)).map(true);
    });
  }

  @Override
  public Future<List<String>> cancelRequests() {
    return members(keys.jobCancels());
  }

  @Override
  public Future<Integer> putTemplate(String name, JsonObject template) {
    return redis.send(Request.cmd(Command.HINCRBY).arg(keys.jobTemplates()).arg(name).arg(1)).compose(reply -> {
      int version = reply.toInteger();
      JsonObject stored = template.copy().put("name", name).put("version", version);
      return redis.send(Request.cmd(Command.HSET).arg(keys.jobTemplate(name)).arg(version).arg(stored.encode())).map(version);
    });
  }

  @Override
  public Future<Optional<JsonObject>> template(String name, int version) {
    Future<Integer> which = version > 0 ? Future.succeededFuture(version)
        : redis.send(Request.cmd(Command.HGET).arg(keys.jobTemplates()).arg(name)).map(reply -> reply == null ? 0 : reply.toInteger());
    return which.compose(v -> v == 0 ? Future.succeededFuture(Optional.<JsonObject>empty())
        : redis.send(Request.cmd(Command.HGET).arg(keys.jobTemplate(name)).arg(v))
            .map(reply -> reply == null ? Optional.<JsonObject>empty() : Optional.of(new JsonObject(reply.toString()))));
  }

  @Override
  public Future<List<JsonObject>> templates() {
    return redis.send(Request.cmd(Command.HGETALL).arg(keys.jobTemplates())).compose(reply -> {
      List<Future<Optional<JsonObject>>> reads = new ArrayList<>();
      for (int i = 0; i + 1 < reply.size(); i += 2) {
        reads.add(template(reply.get(i).toString(), reply.get(i + 1).toInteger()));
      }
      return Future.all(reads).map(all -> {
        List<JsonObject> list = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
          Optional<JsonObject> t = all.resultAt(i);
          t.ifPresent(list::add);
        }
        list.sort(java.util.Comparator.comparing(t -> t.getString("name")));
        return list;
      });
    });
  }

  @Override
  public Future<Long> lastTick(String schedule) {
    return redis.send(Request.cmd(Command.HGET).arg(keys.jobTicks()).arg(schedule)).map(reply -> reply == null ? 0L : reply.toLong());
  }

  @Override
  public Future<Boolean> markTick(String schedule, long tick, Fence fence) {
    if (fence == null) {
      return Future.failedFuture(new IllegalArgumentException("fence must not be null"));
    }
    return TICK.run(redis, List.of(RedisLeases.leaseKey(prefix, fence.lease()), keys.jobTicks()),
        List.of(Long.toString(fence.token()), schedule, Long.toString(tick))).map(reply -> reply.toInteger() == 1);
  }

  private Future<List<String>> members(String key) {
    return redis.send(Request.cmd(Command.SMEMBERS).arg(key)).map(reply -> {
      List<String> list = new ArrayList<>();
      reply.forEach(r -> list.add(r.toString()));
      return list;
    });
  }
}
