package io.mirador.store.memory;

import io.mirador.hub.enroll.AgentKeys;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Enrollment in memory (standalone, tests): one lock, nothing survives the process. */
public final class MemoryAgentKeys implements AgentKeys {

  private HubKeys hub;
  private final Map<String, AgentKey> keys = new HashMap<>();
  private final Map<String, PendingAgent> pending = new HashMap<>();
  private final Map<String, EnrollmentToken> tokens = new HashMap<>();

  @Override
  public synchronized Future<HubKeys> hubKeys(HubKeys candidate) {
    if (hub == null) {
      hub = candidate;
    }
    return Future.succeededFuture(hub);
  }

  @Override
  public synchronized Future<Optional<AgentKey>> key(String agentId) {
    return Future.succeededFuture(Optional.ofNullable(keys.get(agentId)));
  }

  @Override
  public synchronized Future<Void> putKey(AgentKey key) {
    keys.put(key.agentId(), key);
    pending.remove(key.agentId());
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> removeKey(String agentId) {
    return Future.succeededFuture(keys.remove(agentId) != null);
  }

  @Override
  public synchronized Future<Boolean> addPending(PendingAgent request) {
    if (!pending.containsKey(request.agentId()) && pending.size() >= MAX_PENDING) {
      return Future.succeededFuture(false);
    }
    pending.put(request.agentId(), request);
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<List<PendingAgent>> pending() {
    List<PendingAgent> list = new ArrayList<>(pending.values());
    list.sort(Comparator.comparingLong(PendingAgent::requestedAt).thenComparing(PendingAgent::agentId));
    return Future.succeededFuture(list);
  }

  @Override
  public synchronized Future<Optional<PendingAgent>> takePending(String agentId) {
    return Future.succeededFuture(Optional.ofNullable(pending.remove(agentId)));
  }

  @Override
  public synchronized Future<Void> addToken(EnrollmentToken token) {
    tokens.put(token.id(), token);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<EnrollmentToken>> tokens() {
    List<EnrollmentToken> list = new ArrayList<>(tokens.values());
    list.sort(Comparator.comparingLong(EnrollmentToken::createdAt).thenComparing(EnrollmentToken::id));
    return Future.succeededFuture(list);
  }

  @Override
  public synchronized Future<Optional<EnrollmentToken>> useToken(String id, long now) {
    EnrollmentToken token = tokens.get(id);
    if (token == null || !token.usable(now)) {
      return Future.succeededFuture(Optional.empty());
    }
    if (token.usesLeft() > 0) {
      tokens.put(id, new EnrollmentToken(token.id(), token.key(), token.description(), token.expiresAt(), token.usesLeft() - 1,
          token.createdAt(), token.createdBy()));
    }
    return Future.succeededFuture(Optional.of(token));
  }

  @Override
  public synchronized Future<Boolean> removeToken(String id) {
    return Future.succeededFuture(tokens.remove(id) != null);
  }
}
