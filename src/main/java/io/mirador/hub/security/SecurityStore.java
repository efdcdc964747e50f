package io.mirador.hub.security;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * Users, API tokens and sessions, shared by every hub node (Redis in hub mode), so that a user added, a token revoked
 * or a session ended on one node counts on all of them at once.
 */
public interface SecurityStore {

  /** Creates or replaces a user; true when one of that name existed. */
  Future<Boolean> putUser(User user);

  Future<Optional<User>> user(String name);

  /** Every user, by name. */
  Future<List<User>> users();

  /** True when the user existed. */
  Future<Boolean> removeUser(String name);

  /** Stores a new token. */
  Future<Void> putToken(ApiToken token);

  /** The token whose secret has this {@link Credentials#tokenHash}. */
  Future<Optional<ApiToken>> tokenByHash(String hash);

  /** Every token, oldest first. */
  Future<List<ApiToken>> tokens();

  /** Removes the token with this id; true when it existed. */
  Future<Boolean> revokeToken(String id);

  /**
   * The key sessions are signed with: {@code candidate} when the store had none (it keeps it), else the one it has,
   * so that every hub node signs and verifies with the same key.
   */
  Future<String> sessionKey(String candidate);

  /** Ends a session before its expiry (logout): remembered until {@code untilMs}, when the session expires anyway. */
  Future<Void> endSession(String sessionId, long untilMs);

  /** Whether a session was ended. */
  Future<Boolean> sessionEnded(String sessionId);

  /**
   * Claims the one first-start bootstrap of this store: true for exactly one caller ever, so that two hub nodes
   * starting together on an empty store make one admin token, not two.
   */
  Future<Boolean> claimFirstStart(String by);
}
