package io.mirador.store.redis;

import io.mirador.hub.security.AuditEntry;
import io.mirador.hub.security.AuditStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/** The audit log as one list, newest first: LPUSH then LTRIM to the cap, in one MULTI so no reader sees it past the cap. */
public final class RedisAuditStore implements AuditStore {

  private final Redis redis;
  private final String key;
  private final int max;

  public RedisAuditStore(Redis redis, String prefix) {
    this(redis, prefix, MAX_ENTRIES);
  }

  public RedisAuditStore(Redis redis, String prefix, int max) {
    this.redis = redis;
    this.key = new RedisKeys(prefix).audit();
    this.max = max;
  }

  @Override
  public Future<Integer> append(AuditEntry entry) {
    return redis.batch(List.of(
            Request.cmd(Command.MULTI),
            Request.cmd(Command.LPUSH).arg(key).arg(entry.toJson().encode()),
            Request.cmd(Command.LTRIM).arg(key).arg(0).arg(max - 1),
            Request.cmd(Command.EXEC)))
        .map(replies -> {
          long length = replies.get(replies.size() - 1).get(0).toLong();
          return (int) Math.max(0, length - max);
        });
  }

  @Override
  public Future<List<AuditEntry>> newest(int limit) {
    return redis.send(Request.cmd(Command.LRANGE).arg(key).arg(0).arg(Math.max(0, Math.min(limit, max) - 1))).map(reply -> {
      List<AuditEntry> list = new ArrayList<>();
      if (limit > 0) {
        for (Response json : reply) {
          list.add(AuditEntry.fromJson(new JsonObject(json.toString())));
        }
      }
      return list;
    });
  }
}
