package io.mirador.hub.web;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The REST resources of one hub feature, mounted by the {@link WebVerticle} under /api/v1. A feature's API class sits
 * in the feature's package; the web verticle authenticates before any of them runs and turns their failures
 * ({@link ApiError} and the rest) into JSON errors.
 */
public interface Api {

  String JSON = "application/json";

  /** Adds this feature's routes. */
  void mount(Router router);

  /**
   * The request's body as a JSON object, or a 400: one that does not parse says why, none says {@code required} (e.g.
   * "a JSON object is required"). Not for bodies with secrets in them: the parser's reason may quote the body.
   */
  static JsonObject jsonBody(RoutingContext ctx, String required) {
    JsonObject json;
    try {
      json = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      throw ApiError.badRequest("the body must be a JSON object: " + e.getMessage());
    }
    if (json == null) {
      throw ApiError.badRequest(required);
    }
    return json;
  }

  /** 200 with a JSON body. */
  static void ok(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("content-type", JSON).end(body.encode());
  }

  /** A status with a JSON body. */
  static void reply(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", JSON).end(body.encode());
  }
}
