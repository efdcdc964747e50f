package io.mirador.hub.security;

import io.mirador.hub.web.ApiError;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Route guards. The web verticle authenticates every /api request first and puts the caller's {@link Principal} in
 * the routing context; a feature's API class then guards each route with the least role it needs:
 * <pre>router.post("/api/v1/jobs").handler(Access.requires(Role.OPERATOR)).handler(this::submit);</pre>
 * Reads need {@link Role#VIEWER}, changes to checks, rules, silences and jobs {@link Role#OPERATOR}, everything
 * about users, tokens, notifiers and agent enrollment {@link Role#ADMIN}.
 */
public final class Access {

  /** Routing-context key of the authenticated {@link Principal}. */
  public static final String PRINCIPAL = "mirador.principal";

  private Access() {
  }

  /** A handler that lets the request on only when its caller's role covers {@code role} (403 otherwise). */
  public static Handler<RoutingContext> requires(Role role) {
    return ctx -> {
      Principal caller = principal(ctx);
      if (caller.role().covers(role)) {
        ctx.next();
      } else {
        ctx.fail(ApiError.forbidden(caller.role().wireName() + " may not do this; it needs " + role.wireName()));
      }
    };
  }

  /** The authenticated caller; a request that reached an API route without one is a programming error. */
  public static Principal principal(RoutingContext ctx) {
    Principal caller = ctx.get(PRINCIPAL);
    if (caller == null) {
      throw new IllegalStateException("no principal on " + ctx.request().path() + ": the web verticle authenticates first");
    }
    return caller;
  }
}
