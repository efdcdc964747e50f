package io.mirador.store.redis;

import io.mirador.hub.security.ApiToken;
import io.mirador.hub.security.SecurityStore;
import io.mirador.hub.security.User;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Users in one hash (name → JSON), tokens in another (SHA-256 of the secret → JSON, so a request finds its token with
 * one HGET), the session key in a string set once (SET NX), ended sessions as strings that expire with the session.
 */
public final class RedisSecurityStore implements SecurityStore {

  private final Redis redis;
  private final RedisKeys keys;

  public RedisSecurityStore(Redis redis, String prefix) {
    this.redis = redis;
    this.keys = new RedisKeys(prefix);
  }

  @Override
  public Future<Boolean> putUser(User user) {
    // HSET answers how many fields were new
    return send(Command.HSET, keys.users(), user.name(), user.toJson().encode()).map(reply -> reply.toInteger() == 0);
  }

  @Override
  public Future<Optional<User>> user(String name) {
    return send(Command.HGET, keys.users(), name)
        .map(reply -> reply == null ? Optional.empty() : Optional.of(User.fromJson(new JsonObject(reply.toString()))));
  }

  @Override
  public Future<List<User>> users() {
    return send(Command.HVALS, keys.users()).map(reply -> {
      List<User> list = new ArrayList<>();
      for (Response json : reply) {
        list.add(User.fromJson(new JsonObject(json.toString())));
      }
      list.sort(Comparator.comparing(User::name));
      return list;
    });
  }

  @Override
  public Future<Boolean> removeUser(String name) {
    return send(Command.HDEL, keys.users(), name).map(reply -> reply.toInteger() > 0);
  }

  @Override
  public Future<Void> putToken(ApiToken token) {
    return send(Command.HSET, keys.tokens(), token.hash(), token.toJson().encode()).mapEmpty();
  }

  @Override
  public Future<Optional<ApiToken>> tokenByHash(String hash) {
    return send(Command.HGET, keys.tokens(), hash)
        .map(reply -> reply == null ? Optional.empty() : Optional.of(ApiToken.fromJson(new JsonObject(reply.toString()))));
  }

  @Override
  public Future<List<ApiToken>> tokens() {
    return send(Command.HVALS, keys.tokens()).map(reply -> {
      List<ApiToken> list = new ArrayList<>();
      for (Response json : reply) {
        list.add(ApiToken.fromJson(new JsonObject(json.toString())));
      }
      list.sort(Comparator.comparingLong(ApiToken::createdAt).thenComparing(ApiToken::id));
      return list;
    });
  }

  @Override
  public Future<Boolean> revokeToken(String id) {
    return tokens().compose(list -> {
      ApiToken found = list.stream().filter(token -> token.id().equals(id)).findFirst().orElse(null);
      return found == null ? Future.succeededFuture(false)
          : send(Command.HDEL, keys.tokens(), found.hash()).map(reply -> reply.toInteger() > 0);
    });
  }

  @Override
  public Future<String> sessionKey(String candidate) {
    return send(Command.SET, keys.sessionKey(), candidate, "NX")
        .compose(set -> send(Command.GET, keys.sessionKey()))
        .map(Response::toString);
  }

  @Override
  public Future<Void> endSession(String sessionId, long untilMs) {
    long ttl = untilMs - System.currentTimeMillis();
    if (ttl <= 0) {
      return Future.succeededFuture(); // expired already: refused for that
    }
    return send(Command.SET, keys.endedSession(sessionId), "1", "PX", Long.toString(ttl)).mapEmpty();
  }

  @Override
  public Future<Boolean> sessionEnded(String sessionId) {
    return send(Command.EXISTS, keys.endedSession(sessionId)).map(reply -> reply.toInteger() > 0);
  }

  @Override
  public Future<Boolean> claimFirstStart(String by) {
    return send(Command.SET, keys.firstStart(), by, "NX").map(reply -> reply != null && "OK".equals(reply.toString()));
  }

  private Future<Response> send(Command command, String... args) {
    Request request = Request.cmd(command);
    for (String arg : args) {
      request.arg(arg);
    }
    return redis.send(request);
  }
}
