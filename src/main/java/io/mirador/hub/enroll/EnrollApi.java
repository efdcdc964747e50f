package io.mirador.hub.enroll;

import io.mirador.Addresses;
import io.mirador.hub.enroll.AgentKeys.AgentKey;
import io.mirador.hub.enroll.AgentKeys.EnrollmentToken;
import io.mirador.hub.security.Access;
import io.mirador.hub.security.Role;
import io.mirador.hub.web.Api;
import io.mirador.hub.web.ApiError;
import io.mirador.trust.EnrollmentProof;
import io.mirador.trust.Keys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.SecureRandom;

/**
 * Agent enrollment for admins: enrollment tokens (made here, shown once, kept only as their derived key), the
 * requests waiting for acceptance, accepting or rejecting one, and revoking an agent's key. The hub's public keys and
 * fingerprint are readable by every role, for pinning ({@code agent.hubKey}). Mounted before the agents API, whose
 * {@code /api/v1/agents/:id} would otherwise take {@code /api/v1/agents/pending}.
 */
public final class EnrollApi implements Api {

  private static final int MAX_BODY = 4 * 1024;
  private static final long DEFAULT_TTL_SECONDS = 86_400;
  private static final long MAX_TTL_SECONDS = 366L * 86_400;
  private static final int MAX_TOKENS = 1_000;

  private final Vertx vertx;
  private final AgentKeys store;
  private final io.vertx.core.json.JsonObject config;
  private final SecureRandom random = new SecureRandom();

  public EnrollApi(Vertx vertx, AgentKeys store, JsonObject config) {
    this.vertx = vertx;
    this.store = store;
    this.config = config;
  }

  @Override
  public void mount(Router router) {
    router.route("/api/v1/enrollment-tokens").handler(BodyHandler.create().setBodyLimit(MAX_BODY));
    router.route("/api/v1/agents/pending/*").handler(BodyHandler.create().setBodyLimit(MAX_BODY));
    router.post("/api/v1/enrollment-tokens").handler(Access.requires(Role.ADMIN)).handler(this::createToken);
    router.get("/api/v1/enrollment-tokens").handler(Access.requires(Role.ADMIN)).handler(this::tokens);
    router.delete("/api/v1/enrollment-tokens/:id").handler(Access.requires(Role.ADMIN)).handler(this::removeToken);
    router.get("/api/v1/enrollment/hub-key").handler(Access.requires(Role.VIEWER)).handler(this::hubKey);
    router.get("/api/v1/agents/pending").handler(Access.requires(Role.ADMIN)).handler(this::pending);
    router.post("/api/v1/agents/pending/:id/accept").handler(Access.requires(Role.ADMIN)).handler(this::accept);
    router.post("/api/v1/agents/pending/:id/reject").handler(Access.requires(Role.ADMIN)).handler(this::reject);
    router.get("/api/v1/agents/:id/key").handler(Access.requires(Role.VIEWER)).handler(this::key);
    router.delete("/api/v1/agents/:id/key").handler(Access.requires(Role.ADMIN)).handler(this::revoke);
  }

  /** {@code {"description", "ttlSeconds" (default a day, 0: never), "uses" (default 1, -1: unlimited)}} → the token, once. */
  private void createToken(RoutingContext ctx) {
    JsonObject body = jsonBody(ctx);
    String description = body.getValue("description") == null ? null : text(body, "description", 200);
    long ttl = number(body, "ttlSeconds", DEFAULT_TTL_SECONDS, 0, MAX_TTL_SECONDS);
    long uses = number(body, "uses", 1, -1, 1_000_000);
    if (uses == 0) {
      throw ApiError.badRequest("uses must be -1 (unlimited) or 1..1000000, got 0");
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = "mrd_" + Keys.b64(secret);
    byte[] key = EnrollmentProof.tokenKey(token);
    long now = System.currentTimeMillis();
    EnrollmentToken stored = new EnrollmentToken(EnrollmentProof.tokenId(key), Keys.b64(key), description, ttl == 0 ? 0 : now + ttl * 1000,
        uses, now, Access.principal(ctx).name());
    store.tokens().compose(existing -> {
      if (existing.size() >= MAX_TOKENS) {
        return Future.failedFuture(ApiError.conflict(MAX_TOKENS + " enrollment tokens exist; delete some first"));
      }
      return store.addToken(stored);
    }).onSuccess(added -> Api.reply(ctx, 201, stored.view().put("token", token)
        .put("hint", "shown once: give it to agents as MIRADOR_ENROLL_TOKEN or --enroll-token"))).onFailure(ctx::fail);
  }

  private void tokens(RoutingContext ctx) {
    store.tokens().onSuccess(tokens -> {
      JsonArray list = new JsonArray();
      tokens.forEach(t -> list.add(t.view()));
      Api.ok(ctx, new JsonObject().put("tokens", list));
    }).onFailure(ctx::fail);
  }

  private void removeToken(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.removeToken(id).onSuccess(removed -> {
      if (removed) {
        ctx.response().setStatusCode(204).end();
      } else {
        ctx.fail(ApiError.notFound("no enrollment token " + id));
      }
    }).onFailure(ctx::fail);
  }

  private void hubKey(RoutingContext ctx) {
    HubTrust.shared(vertx, config).onSuccess(hub -> Api.ok(ctx, new JsonObject().put("fingerprint", hub.fingerprint())
        .put("agreementKey", hub.agreementKey()).put("signingKey", hub.signingKey()))).onFailure(ctx::fail);
  }

  private void pending(RoutingContext ctx) {
    store.pending().onSuccess(list -> {
      JsonArray agents = new JsonArray();
      list.forEach(p -> agents.add(p.toJson()));
      Api.ok(ctx, new JsonObject().put("pending", agents));
    }).onFailure(ctx::fail);
  }

  /**
   * Enrolls the waiting key and sends the agent the hub's keys. With {@code {"fingerprint": …}} in the body the key
   * must be that one (409 otherwise): what the admin compared with {@code mirador agent} output on the host.
   */
  private void accept(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    JsonObject body = ctx.body().isEmpty() ? new JsonObject() : jsonBody(ctx);
    String expected = body.getValue("fingerprint") == null ? null : text(body, "fingerprint", 100);
    store.pending().compose(list -> {
      var request = list.stream().filter(p -> p.agentId().equals(id)).findFirst();
      if (request.isEmpty()) {
        return Future.failedFuture(ApiError.notFound("no pending enrollment of agent " + id));
      }
      if (expected != null && !expected.equals(request.get().fingerprint())) {
        return Future.failedFuture(ApiError.conflict("agent " + id + " waits with key " + request.get().fingerprint() + ", not " + expected));
      }
      return store.takePending(id).compose(taken -> {
        if (taken.isEmpty()) {
          return Future.failedFuture(ApiError.notFound("no pending enrollment of agent " + id));
        }
        var p = taken.get();
        AgentKey key = new AgentKey(id, p.publicKey(), p.fingerprint(), p.hostname(), System.currentTimeMillis(),
            "accepted by " + Access.principal(ctx).name());
        return store.putKey(key).map(key);
      });
    }).compose(key -> {
      vertx.eventBus().publish(Addresses.ENROLL_CHANGED, id);
      JsonObject answer = key.toJson();
      return vertx.eventBus().request(Addresses.ENROLL_SEND, new JsonObject().put("agent", id).put("publicKey", key.publicKey()),
              new DeliveryOptions().setSendTimeout(10_000))
          .map(sent -> answer.put("sent", true))
          .otherwise(e -> answer.put("sent", false).put("detail", "enrolled; the hub's keys were not sent now: " + e.getMessage()
              + " (the agent asks again within a minute)"));
    }).onSuccess(answer -> Api.ok(ctx, answer)).onFailure(ctx::fail);
  }

  private void reject(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.takePending(id).onSuccess(taken -> {
      if (taken.isEmpty()) {
        ctx.fail(ApiError.notFound("no pending enrollment of agent " + id));
      } else {
        ctx.response().setStatusCode(204).end();
      }
    }).onFailure(ctx::fail);
  }

  private void key(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.key(id).onSuccess(key -> {
      if (key.isEmpty()) {
        ctx.fail(ApiError.notFound("agent " + id + " is not enrolled"));
      } else {
        Api.ok(ctx, key.get().toJson());
      }
    }).onFailure(ctx::fail);
  }

  /** Revokes the agent's key: from now on its envelopes are dead-lettered ({@code unknown_agent}) until it enrolls again. */
  private void revoke(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.removeKey(id).onSuccess(removed -> {
      if (!removed) {
        ctx.fail(ApiError.notFound("agent " + id + " is not enrolled"));
        return;
      }
      vertx.eventBus().publish(Addresses.ENROLL_CHANGED, id);
      ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  private static JsonObject jsonBody(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().isEmpty()) {
      return new JsonObject();
    }
    try {
      JsonObject body = ctx.body().asJsonObject();
      return body == null ? new JsonObject() : body;
    } catch (RuntimeException e) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
  }

  private static String text(JsonObject body, String field, int max) {
    if (!(body.getValue(field) instanceof String s) || s.length() > max) {
      throw ApiError.badRequest(field + " must be a string of at most " + max + " characters");
    }
    return s;
  }

  private static long number(JsonObject body, String field, long fallback, long min, long max) {
    Object value = body.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < min || n.longValue() > max) {
      throw ApiError.badRequest(field + " must be a whole number from " + min + " to " + max + ", got " + value);
    }
    return n.longValue();
  }
}
