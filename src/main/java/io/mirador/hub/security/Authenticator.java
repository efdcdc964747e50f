package io.mirador.hub.security;

import io.mirador.hub.web.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.Optional;
import java.util.UUID;

/**
 * Tells who a caller is from what it presents: an API token (looked up by its SHA-256) or a dashboard session (a JWT
 * signed with HS256 by vertx-auth-jwt, with the key every hub node reads from the store). A session names its user,
 * who is read again on each request: a user removed, a role changed or a password changed counts at once, and a
 * session ended by logout is refused on every node until it would have expired anyway.
 */
public final class Authenticator {

  /** Cookie of the dashboard's session: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
  public static final String COOKIE = "mirador_session";

  private final Vertx vertx;
  private final SecurityStore store;
  private final JWTAuth jwt;
  private final int sessionTtlSeconds;

  private Authenticator(Vertx vertx, SecurityStore store, JWTAuth jwt, int sessionTtlSeconds) {
    this.vertx = vertx;
    this.store = store;
    this.jwt = jwt;
    this.sessionTtlSeconds = sessionTtlSeconds;
  }

  /** Reads (or, on the first node ever, makes) the session key in the store. */
  public static Future<Authenticator> start(Vertx vertx, SecurityStore store, int sessionTtlSeconds) {
    return store.sessionKey(Credentials.randomText(32)).map(key -> new Authenticator(vertx, store,
        JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(key))),
        sessionTtlSeconds));
  }

  /** A new session of a user. */
  public record Session(String token, String id, String user, Role role, long expiresAt) {

    /** The login answer: the token is for API clients that do not keep cookies. */
    public JsonObject toJson() {
      return new JsonObject().put("token", token).put("name", user).put("role", role.wireName()).put("expiresAt", expiresAt);
    }
  }

  public int sessionTtlSeconds() {
    return sessionTtlSeconds;
  }

  /** The principal of an API token or a session; a failed future with a 401 {@link ApiError} otherwise. */
  public Future<Principal> authenticate(String credential) {
    if (credential == null || credential.isBlank()) {
      return Future.failedFuture(ApiError.unauthorized("log in, or send Authorization: Bearer <token>"));
    }
    String presented = credential.strip();
    if (!looksLikeSession(presented)) {
      return store.tokenByHash(Credentials.tokenHash(presented)).compose(token -> token
          .map(found -> Future.succeededFuture(new Principal(found.id(), "token", found.role())))
          .orElseGet(() -> Future.failedFuture(ApiError.unauthorized("unknown or revoked API token"))));
    }
    return jwt.authenticate(new TokenCredentials(presented))
        .recover(bad -> Future.failedFuture(ApiError.unauthorized("the session is not valid or has expired; log in again")))
        .compose(session -> {
          JsonObject claims = claims(session);
          String name = claims.getString("sub");
          String id = claims.getString("jti");
          long passwordAt = claims.getLong("pwd", -1L);
          return store.user(name).compose(user -> {
            if (user.isEmpty() || user.get().passwordAt() != passwordAt) {
              return Future.failedFuture(ApiError.unauthorized("the session's user was removed or changed password; log in again"));
            }
            return store.sessionEnded(id).compose(ended -> ended
                ? Future.failedFuture(ApiError.unauthorized("the session was ended (logout); log in again"))
                : Future.succeededFuture(new Principal(name, "user", user.get().role())));
          });
        });
  }

  /** Checks a user's password (on a worker) and opens a session; an empty answer when the name or password is wrong. */
  public Future<Optional<Session>> login(String name, String password) {
    return store.user(name).compose(user -> vertx.executeBlocking(() -> {
      // the same work whether the user exists or not, so the time of the answer does not tell
      boolean right = Credentials.verifyPassword(user.map(User::passwordHash).orElseGet(() -> Dummy.HASH), password);
      return right && user.isPresent() ? user : Optional.<User>empty();
    }, false)).map(user -> user.map(this::open));
  }

  private Session open(User user) {
    String id = UUID.randomUUID().toString();
    long expiresAt = System.currentTimeMillis() + sessionTtlSeconds * 1000L;
    String token = jwt.generateToken(new JsonObject().put("sub", user.name()).put("jti", id).put("pwd", user.passwordAt()),
        new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(sessionTtlSeconds));
    return new Session(token, id, user.name(), user.role(), expiresAt);
  }

  /** Ends the session {@code token} on every node; nothing when it is not a valid session. */
  public Future<Void> logout(String token) {
    if (token == null || !looksLikeSession(token.strip())) {
      return Future.succeededFuture();
    }
    return jwt.authenticate(new TokenCredentials(token.strip())).compose(session -> {
      JsonObject claims = claims(session);
      return store.endSession(claims.getString("jti"), claims.getLong("exp", 0L) * 1000 + 1000);
    }).recover(bad -> Future.succeededFuture());
  }

  /** The verified claims of a session (vertx-auth-jwt keeps them all, exp and iat too, under the access token). */
  private static JsonObject claims(io.vertx.ext.auth.User session) {
    JsonObject claims = session.attributes().getJsonObject("accessToken");
    return claims == null ? session.principal() : claims;
  }

  /** A JWT: three base64url parts, the header a JSON object ({@code eyJ}); API tokens never look like this. */
  static boolean looksLikeSession(String credential) {
    return credential.startsWith("eyJ") && credential.chars().filter(c -> c == '.').count() == 2;
  }

  /** Compared against when a login names no such user, so that the answer takes as long as for a wrong password; made
   *  on first use, on the worker that checks that login. */
  private static final class Dummy {
    static final String HASH = Credentials.hashPassword(UUID.randomUUID().toString());
  }
}
