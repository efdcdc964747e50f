package io.mirador.store.memory;

import io.mirador.hub.security.ApiToken;
import io.mirador.hub.security.SecurityStore;
import io.mirador.hub.security.User;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Users, tokens and sessions of one standalone process. */
public final class MemorySecurityStore implements SecurityStore {

  private final Map<String, User> users = new TreeMap<>();
  private final Map<String, ApiToken> tokensByHash = new LinkedHashMap<>();
  private final Map<String, Long> endedSessions = new HashMap<>();
  private String sessionKey;
  private String firstStart;

  @Override
  public synchronized Future<Boolean> putUser(User user) {
    return Future.succeededFuture(users.put(user.name(), user) != null);
  }

  @Override
  public synchronized Future<Optional<User>> user(String name) {
    return Future.succeededFuture(Optional.ofNullable(users.get(name)));
  }

  @Override
  public synchronized Future<List<User>> users() {
    return Future.succeededFuture(List.copyOf(users.values()));
  }

  @Override
  public synchronized Future<Boolean> removeUser(String name) {
    return Future.succeededFuture(users.remove(name) != null);
  }

  @Override
  public synchronized Future<Void> putToken(ApiToken token) {
    tokensByHash.put(token.hash(), token);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Optional<ApiToken>> tokenByHash(String hash) {
    return Future.succeededFuture(Optional.ofNullable(tokensByHash.get(hash)));
  }

  @Override
  public synchronized Future<List<ApiToken>> tokens() {
    List<ApiToken> list = new ArrayList<>(tokensByHash.values());
    list.sort(Comparator.comparingLong(ApiToken::createdAt).thenComparing(ApiToken::id));
    return Future.succeededFuture(list);
  }

  @Override
  public synchronized Future<Boolean> revokeToken(String id) {
    return Future.succeededFuture(tokensByHash.values().removeIf(token -> token.id().equals(id)));
  }

  @Override
  public synchronized Future<String> sessionKey(String candidate) {
    if (sessionKey == null) {
      sessionKey = candidate;
    }
    return Future.succeededFuture(sessionKey);
  }

  @Override
  public synchronized Future<Void> endSession(String sessionId, long untilMs) {
    long now = System.currentTimeMillis();
    endedSessions.values().removeIf(until -> until <= now);
    if (untilMs > now) {
      endedSessions.put(sessionId, untilMs);
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> sessionEnded(String sessionId) {
    Long until = endedSessions.get(sessionId);
    return Future.succeededFuture(until != null && until > System.currentTimeMillis());
  }

  @Override
  public synchronized Future<Boolean> claimFirstStart(String by) {
    if (firstStart != null) {
      return Future.succeededFuture(false);
    }
    firstStart = by;
    return Future.succeededFuture(true);
  }
}
