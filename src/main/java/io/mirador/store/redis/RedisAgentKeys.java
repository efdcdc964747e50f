package io.mirador.store.redis;

import io.mirador.hub.enroll.AgentKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Enrollment in Redis: {@code enroll:hub} (the hub's keys, set once with NX, so every node of a cluster uses the
 * same), hashes {@code enroll:keys}, {@code enroll:pending} and {@code enroll:tokens} keyed by agent or token id, and
 * {@code enroll:uses} with each token's uses left, spent by a script so that two hubs cannot both take the last one.
 */
public final class RedisAgentKeys implements AgentKeys {

  /** KEYS: pending; ARGV: id, json, max. Adds or replaces, unless max others wait. */
  private static final LuaScript ADD_PENDING = LuaScript.of("enroll_pending", """
      if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
        return 0
      end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      return 1
      """);
  /** KEYS: keys, pending; ARGV: id, json. */
  private static final LuaScript PUT_KEY = LuaScript.of("enroll_key", """
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      redis.call('HDEL', KEYS[2], ARGV[1])
      return 1
      """);
  /** KEYS: pending; ARGV: id. Returns the request and removes it. */
  private static final LuaScript TAKE_PENDING = LuaScript.of("enroll_take", """
      local json = redis.call('HGET', KEYS[1], ARGV[1])
      if json then redis.call('HDEL', KEYS[1], ARGV[1]) end
      return json
      """);
  /**
   * KEYS: tokens, uses; ARGV: id, now. The token's JSON and its uses left before this use, or nil when it does not
   * exist, expired or has none left.
   */
  private static final LuaScript USE_TOKEN = LuaScript.of("enroll_use", """
      local json = redis.call('HGET', KEYS[1], ARGV[1])
      if not json then return nil end
      local expires = tonumber(cjson.decode(json)['expiresAt'])
      if expires ~= 0 and tonumber(ARGV[2]) >= expires then return nil end
      local uses = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '-1')
      if uses == 0 then return nil end
      if uses > 0 then redis.call('HINCRBY', KEYS[2], ARGV[1], -1) end
      return {json, tostring(uses)}
      """);
  /** KEYS: tokens, uses; ARGV: id, json, uses. */
  private static final LuaScript ADD_TOKEN = LuaScript.of("enroll_token", """
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
      return 1
      """);
  /** KEYS: tokens, uses; ARGV: id. */
  private static final LuaScript REMOVE_TOKEN = LuaScript.of("enroll_untoken", """
      redis.call('HDEL', KEYS[2], ARGV[1])
      return redis.call('HDEL', KEYS[1], ARGV[1])
      """);

  private final Redis redis;
  private final RedisKeys keys;

  public RedisAgentKeys(Redis redis, String prefix) {
    this.redis = redis;
    this.keys = new RedisKeys(prefix);
  }

  @Override
  public Future<HubKeys> hubKeys(HubKeys candidate) {
    return redis.send(Request.cmd(Command.SET, keys.enrollHub(), candidate.toJson().encode(), "NX"))
        .compose(set -> redis.send(Request.cmd(Command.GET, keys.enrollHub())))
        .map(json -> HubKeys.fromJson(new JsonObject(json.toString())));
  }

  @Override
  public Future<Optional<AgentKey>> key(String agentId) {
    return redis.send(Request.cmd(Command.HGET, keys.enrollKeys(), agentId))
        .map(json -> json == null ? Optional.empty() : Optional.of(AgentKey.fromJson(new JsonObject(json.toString()))));
  }

  @Override
  public Future<Void> putKey(AgentKey key) {
    return PUT_KEY.run(redis, List.of(keys.enrollKeys(), keys.enrollPending()), List.of(key.agentId(), key.toJson().encode())).mapEmpty();
  }

  @Override
  public Future<Boolean> removeKey(String agentId) {
    return redis.send(Request.cmd(Command.HDEL, keys.enrollKeys(), agentId)).map(removed -> removed.toInteger() > 0);
  }

  @Override
  public Future<Boolean> addPending(PendingAgent request) {
    return ADD_PENDING.run(redis, List.of(keys.enrollPending()), List.of(request.agentId(), request.toJson().encode(), Integer.toString(MAX_PENDING)))
        .map(added -> added.toInteger() == 1);
  }

  @Override
  public Future<List<PendingAgent>> pending() {
    return redis.send(Request.cmd(Command.HVALS, keys.enrollPending())).map(values -> {
      List<PendingAgent> list = new ArrayList<>();
      for (Response json : values) {
        list.add(PendingAgent.fromJson(new JsonObject(json.toString())));
      }
      list.sort(Comparator.comparingLong(PendingAgent::requestedAt).thenComparing(PendingAgent::agentId));
      return list;
    });
  }

  @Override
  public Future<Optional<PendingAgent>> takePending(String agentId) {
    return TAKE_PENDING.run(redis, List.of(keys.enrollPending()), List.of(agentId))
        .map(json -> json == null ? Optional.empty() : Optional.of(PendingAgent.fromJson(new JsonObject(json.toString()))));
  }

  @Override
  public Future<Void> addToken(EnrollmentToken token) {
    JsonObject json = token.toJson();
    json.remove("usesLeft");
    return ADD_TOKEN.run(redis, List.of(keys.enrollTokens(), keys.enrollUses()), List.of(token.id(), json.encode(), Long.toString(token.usesLeft())))
        .mapEmpty();
  }

  @Override
  public Future<List<EnrollmentToken>> tokens() {
    return redis.send(Request.cmd(Command.HGETALL, keys.enrollUses())).compose(uses -> {
      Map<String, Long> left = new HashMap<>();
      for (String id : uses.getKeys()) {
        left.put(id, uses.get(id).toLong());
      }
      return redis.send(Request.cmd(Command.HVALS, keys.enrollTokens())).map(values -> {
        List<EnrollmentToken> list = new ArrayList<>();
        for (Response value : values) {
          JsonObject json = new JsonObject(value.toString());
          list.add(EnrollmentToken.fromJson(json.put("usesLeft", left.getOrDefault(json.getString("id"), -1L))));
        }
        list.sort(Comparator.comparingLong(EnrollmentToken::createdAt).thenComparing(EnrollmentToken::id));
        return list;
      });
    });
  }

  @Override
  public Future<Optional<EnrollmentToken>> useToken(String id, long now) {
    return USE_TOKEN.run(redis, List.of(keys.enrollTokens(), keys.enrollUses()), List.of(id, Long.toString(now))).map(reply -> {
      if (reply == null || reply.size() < 2) {
        return Optional.empty();
      }
      JsonObject json = new JsonObject(reply.get(0).toString()).put("usesLeft", Long.parseLong(reply.get(1).toString()));
      return Optional.of(EnrollmentToken.fromJson(json));
    });
  }

  @Override
  public Future<Boolean> removeToken(String id) {
    return REMOVE_TOKEN.run(redis, List.of(keys.enrollTokens(), keys.enrollUses()), List.of(id)).map(removed -> removed.toInteger() > 0);
  }
}
