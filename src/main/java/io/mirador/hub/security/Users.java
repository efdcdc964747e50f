package io.mirador.hub.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Creating and changing users, the same way from the API and the command line. */
public final class Users {

  private Users() {
  }

  /** The user after a change, and whether it was created by it. */
  public record Change(User user, boolean created) {
  }

  /**
   * Creates {@code name} (password and role both given) or changes its password, role, or both (null: unchanged). The
   * password is hashed on a worker. A changed password ends the user's sessions.
   */
  public static Future<Change> change(Vertx vertx, SecurityStore store, String name, String password, Role role) {
    return store.user(name).compose(existing -> {
      if (existing.isEmpty() && (password == null || role == null)) {
        return Future.failedFuture(new IllegalArgumentException("no user named " + name + "; a new user needs a password and a role"));
      }
      Future<String> hash = password == null ? Future.succeededFuture(existing.get().passwordHash())
          : vertx.executeBlocking(() -> Credentials.hashPassword(password), false);
      return hash.compose(passwordHash -> {
        long now = System.currentTimeMillis();
        User user = existing.map(old -> new User(name, passwordHash, role == null ? old.role() : role, old.createdAt(),
                password == null ? old.passwordAt() : Math.max(now, old.passwordAt() + 1)))
            .orElseGet(() -> new User(name, passwordHash, role, now, now));
        return store.putUser(user).map(existed -> new Change(user, !existed));
      });
    });
  }
}
