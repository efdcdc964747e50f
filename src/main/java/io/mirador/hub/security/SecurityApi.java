package io.mirador.hub.security;

import io.mirador.hub.web.Api;
import io.mirador.hub.web.ApiError;
import io.mirador.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Logins and sessions ({@code /api/v1/login}, {@code /logout}, {@code /session}), users and API tokens for admins
 * ({@code /api/v1/users}, {@code /api/v1/tokens}), and the audit log ({@code GET /api/v1/audit}). No answer ever
 * carries a password or a hash; a token's secret is shown once, in the answer that creates it.
 */
public final class SecurityApi implements Api {

  static final int MAX_BODY_BYTES = 16 * 1024;
  private static final int MAX_AUDIT_LIMIT = 1000;

  private final Vertx vertx;
  private final SecurityStore store;
  private final AuditStore audit;
  private final Authenticator authenticator;
  private final LoginLimiter limiter;
  private final boolean enabled;
  private final boolean secureCookie;
  private final LongAdder loginFailures;
  private final LongAdder loginsThrottled;
  private final LongAdder logins;

  /** {@code authenticator} is null when authentication is off: logins are then refused (there is nothing to log in to). */
  public SecurityApi(Vertx vertx, SecurityStore store, AuditStore audit, Authenticator authenticator, LoginLimiter limiter,
                     boolean secureCookie, Meters meters) {
    this.vertx = vertx;
    this.store = store;
    this.audit = audit;
    this.authenticator = authenticator;
    this.limiter = limiter;
    this.enabled = authenticator != null;
    this.secureCookie = secureCookie;
    this.logins = meters.counter("mirador_auth_logins_total", "Successful dashboard and API logins");
    this.loginFailures = meters.counter("mirador_auth_login_failures_total", "Logins refused for a wrong user name or password");
    this.loginsThrottled = meters.counter("mirador_auth_logins_throttled_total",
        "Login attempts refused unchecked (429) after too many failures from the address or for the user");
    meters.gauge("mirador_auth_login_limiter_forgotten", "Addresses and names the login limiter forgot because it was full",
        limiter::forgotten);
  }

  @Override
  public void mount(Router router) {
    BodyHandler body = BodyHandler.create().setBodyLimit(MAX_BODY_BYTES);
    router.post("/api/v1/login").handler(body).handler(this::login);
    router.post("/api/v1/logout").handler(this::logout);
    router.get("/api/v1/session").handler(this::session);
    router.get("/api/v1/users").handler(Access.requires(Role.ADMIN)).handler(this::users);
    router.put("/api/v1/users/:name").handler(body).handler(Access.requires(Role.ADMIN)).handler(this::putUser);
    router.delete("/api/v1/users/:name").handler(Access.requires(Role.ADMIN)).handler(this::removeUser);
    router.get("/api/v1/tokens").handler(Access.requires(Role.ADMIN)).handler(this::tokens);
    router.post("/api/v1/tokens").handler(body).handler(Access.requires(Role.ADMIN)).handler(this::createToken);
    router.delete("/api/v1/tokens/:id").handler(Access.requires(Role.ADMIN)).handler(this::revokeToken);
    router.get("/api/v1/audit").handler(Access.requires(Role.ADMIN)).handler(this::audit);
  }

  /**
   * The routes that need no credentials, which the web verticle lets through unauthenticated: the login, and health
   * (probes ask it without a token, and it must say 503 when the store that keeps the tokens is down).
   */
  public static boolean isOpen(RoutingContext ctx) {
    String path = ctx.request().path();
    return path.equals("/api/v1/login") || path.equals("/api/v1/health");
  }

  private void login(RoutingContext ctx) {
    if (!enabled) {
      throw ApiError.badRequest("authentication is off on this hub (auth.enabled): there is nothing to log in to");
    }
    JsonObject json = object(ctx);
    String name = json.getValue("name") instanceof String n ? n : null;
    String password = json.getValue("password") instanceof String p ? p : null;
    if (name == null || password == null || name.isEmpty() || password.length() > 1024 || name.length() > 64) {
      throw ApiError.badRequest("a login is {\"name\": ..., \"password\": ...}");
    }
    String address = ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
    long wait = limiter.retryAfterSeconds(address, name);
    if (wait > 0) {
      loginsThrottled.increment();
      ctx.response().putHeader("retry-after", Long.toString(wait));
      Api.reply(ctx, 429, new JsonObject().put("error", "too many requests")
          .put("detail", "too many failed logins from this address or for this user; try again in " + wait + " s"));
      return;
    }
    authenticator.login(name, password).onSuccess(session -> {
      if (session.isEmpty()) {
        limiter.failed(address, name);
        loginFailures.increment();
        ctx.fail(ApiError.unauthorized("wrong user name or password"));
        return;
      }
      limiter.succeeded(name);
      logins.increment();
      Cookie cookie = Cookie.cookie(Authenticator.COOKIE, session.get().token()).setPath("/").setHttpOnly(true)
          .setSameSite(CookieSameSite.STRICT).setSecure(secureCookie).setMaxAge(authenticator.sessionTtlSeconds());
      ctx.response().addCookie(cookie);
      Api.ok(ctx, session.get().toJson());
    }).onFailure(ctx::fail);
  }

  private void logout(RoutingContext ctx) {
    String presented = WebCredentials.of(ctx.request());
    Future<Void> ended = enabled ? authenticator.logout(presented) : Future.succeededFuture();
    ended.onComplete(done -> {
      ctx.response().addCookie(Cookie.cookie(Authenticator.COOKIE, "").setPath("/").setHttpOnly(true)
          .setSameSite(CookieSameSite.STRICT).setSecure(secureCookie).setMaxAge(0));
      ctx.response().setStatusCode(204).end();
    });
  }

  private void session(RoutingContext ctx) {
    Principal who = Access.principal(ctx);
    Api.ok(ctx, new JsonObject().put("name", who.name()).put("kind", who.kind()).put("role", who.role().wireName())
        .put("auth", enabled));
  }

  private void users(RoutingContext ctx) {
    store.users().onSuccess(list -> {
      JsonArray out = new JsonArray();
      list.forEach(user -> out.add(user.view()));
      Api.ok(ctx, new JsonObject().put("users", out));
    }).onFailure(ctx::fail);
  }

  /** Creates a user (password and role required) or changes one (password, role, or both): 201 or 200. */
  private void putUser(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    String problem = User.nameProblem(name);
    if (problem != null) {
      throw ApiError.badRequest(problem);
    }
    JsonObject json = object(ctx);
    Object password = json.getValue("password");
    Object role = json.getValue("role");
    if (password != null && !(password instanceof String)) {
      throw ApiError.badRequest("password must be a string");
    }
    if (password != null && Credentials.passwordProblem((String) password) != null) {
      throw ApiError.badRequest(Credentials.passwordProblem((String) password));
    }
    Role newRole;
    try {
      newRole = role == null ? null : Role.parse(role instanceof String text ? text : String.valueOf(role));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    for (String key : json.fieldNames()) {
      if (!List.of("password", "role").contains(key)) {
        throw ApiError.badRequest("unknown field '" + key + "' (a user has password and role)");
      }
    }
    store.user(name).compose(existing -> {
      if (existing.isEmpty() && (password == null || newRole == null)) {
        return Future.failedFuture(ApiError.badRequest("a new user needs a password and a role"));
      }
      if (password == null && newRole == null) {
        return Future.failedFuture(ApiError.badRequest("give a password, a role, or both"));
      }
      return Users.change(vertx, store, name, (String) password, newRole).compose(change -> Audit.record(ctx,
          change.created() ? "user.create" : password != null ? "user.passwd" : "user.role", name).map(change));
    }).onSuccess(change -> Api.reply(ctx, change.created() ? 201 : 200, change.user().view())).onFailure(ctx::fail);
  }

  private void removeUser(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    store.removeUser(name).onSuccess(existed -> {
      if (!existed) {
        ctx.fail(ApiError.notFound("no user named " + name));
        return;
      }
      Audit.record(ctx, "user.remove", name);
      ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  private void tokens(RoutingContext ctx) {
    store.tokens().onSuccess(list -> {
      JsonArray out = new JsonArray();
      list.forEach(token -> out.add(token.view()));
      Api.ok(ctx, new JsonObject().put("tokens", out));
    }).onFailure(ctx::fail);
  }

  /** Makes a token; its secret is in this answer and nowhere else, ever. */
  private void createToken(RoutingContext ctx) {
    JsonObject json = object(ctx);
    Object name = json.getValue("name", "");
    if (!(name instanceof String text) || text.length() > 200) {
      throw ApiError.badRequest("name must be a string of at most 200 characters");
    }
    Role role;
    try {
      role = Role.parse(json.getValue("role") instanceof String r ? r : null);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    String secret = Credentials.newToken();
    ApiToken token = ApiToken.issue(secret, text, role, Access.principal(ctx).name(), System.currentTimeMillis());
    store.putToken(token).compose(v -> Audit.record(ctx, "token.create", token.id()))
        .onSuccess(v -> Api.reply(ctx, 201, token.view().put("token", secret)))
        .onFailure(ctx::fail);
  }

  private void revokeToken(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.revokeToken(id).onSuccess(existed -> {
      if (!existed) {
        ctx.fail(ApiError.notFound("no token with id " + id));
        return;
      }
      Audit.record(ctx, "token.revoke", id);
      ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  /** Newest first; filters principal, action (exact, or a prefix ending in '.': {@code check.}), target, since (epoch ms), limit. */
  private void audit(RoutingContext ctx) {
    String principal = ctx.queryParams().get("principal");
    String action = ctx.queryParams().get("action");
    String target = ctx.queryParams().get("target");
    long since = longParam(ctx, "since", 0, 0, Long.MAX_VALUE);
    int limit = (int) longParam(ctx, "limit", 100, 1, MAX_AUDIT_LIMIT);
    audit.newest(AuditStore.MAX_ENTRIES).onSuccess(entries -> {
      JsonArray out = new JsonArray();
      for (AuditEntry entry : entries) {
        if (out.size() >= limit || entry.ts() < since) {
          break;
        }
        if ((principal == null || principal.equals(entry.principal()))
            && (action == null || (action.endsWith(".") ? entry.action().startsWith(action) : action.equals(entry.action())))
            && (target == null || target.equals(entry.target()))) {
          out.add(entry.toJson());
        }
      }
      Api.ok(ctx, new JsonObject().put("entries", out));
    }).onFailure(ctx::fail);
  }

  private static long longParam(RoutingContext ctx, String name, long fallback, long min, long max) {
    String value = ctx.queryParams().get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.strip());
      if (parsed < min || parsed > max) {
        throw ApiError.badRequest(name + " must be between " + min + " and " + max + ", got " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + " must be a whole number, got '" + value + "'");
    }
  }

  private static JsonObject object(RoutingContext ctx) {
    JsonObject json;
    try {
      json = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    if (json == null) {
      throw ApiError.badRequest("a JSON object body is required");
    }
    return json;
  }
}
