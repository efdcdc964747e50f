package io.mirador.hub.checks;

import io.mirador.hub.security.Access;
import io.mirador.hub.security.Audit;
import io.mirador.hub.security.Role;
import io.mirador.hub.events.ChecksChanged;
import io.mirador.hub.events.HubEvent;
import io.mirador.hub.web.Api;
import io.mirador.hub.web.ApiError;
import io.mirador.hub.web.ApiLimits;
import io.mirador.model.CheckDefinition;
import io.mirador.store.AgentRecord;
import io.mirador.store.AgentRegistry;
import io.mirador.util.FanOut;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Central check definitions (/api/v1/checks) and the latest results with history and flapping (/api/v1/results). */
public final class ChecksApi implements Api {

  /** Largest check definition body accepted. */
  static final int MAX_DEFINITION_BYTES = 256 * 1024;
  private static final Map<String, Integer> STATUS_NAMES = Map.of("ok", 0, "warning", 1, "critical", 2, "unknown", 3);

  private final Vertx vertx;
  private final CheckStore store;
  private final AgentRegistry registry;
  private final ApiLimits limits;

  public ChecksApi(Vertx vertx, CheckStore store, AgentRegistry registry) {
    this(vertx, store, registry, ApiLimits.defaults(vertx));
  }

  public ChecksApi(Vertx vertx, CheckStore store, AgentRegistry registry, ApiLimits limits) {
    this.vertx = vertx;
    this.store = store;
    this.registry = registry;
    this.limits = limits;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/v1/checks").handler(Access.requires(Role.VIEWER)).handler(this::checks);
    router.route("/api/v1/checks/:name").handler(BodyHandler.create().setBodyLimit(MAX_DEFINITION_BYTES));
    router.get("/api/v1/checks/:name").handler(Access.requires(Role.VIEWER)).handler(this::check);
    router.put("/api/v1/checks/:name").handler(Access.requires(Role.OPERATOR)).handler(this::putCheck);
    router.delete("/api/v1/checks/:name").handler(Access.requires(Role.OPERATOR)).handler(this::removeCheck);
    router.get("/api/v1/results").handler(Access.requires(Role.VIEWER)).handler(this::results);
  }

  private void checks(RoutingContext ctx) {
    store.checkDefinitionsRevision().compose(revision -> store.checkDefinitions().map(definitions -> {
      JsonArray list = new JsonArray();
      definitions.forEach(definition -> list.add(definition.toJson()));
      return new JsonObject().put("revision", revision).put("checks", list);
    })).onSuccess(body -> Api.ok(ctx, body)).onFailure(ctx::fail);
  }

  private void check(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    store.checkDefinition(name).onSuccess(definition -> {
      if (definition.isEmpty()) {
        ctx.fail(ApiError.notFound("no check named " + name));
      } else {
        Api.ok(ctx, definition.get().toJson());
      }
    }).onFailure(ctx::fail);
  }

  /** Creates (201) or replaces (200) a definition; a bad one is a 400 and changes nothing. */
  private void putCheck(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    limits.checkDefinitionSize(ctx);
    JsonObject body = Api.jsonBody(ctx, "a check definition (JSON object) is required");
    CheckDefinition definition;
    try {
      definition = CheckDefinition.parse(name, body);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    store.checkDefinition(name)
        .compose(existing -> limits.roomFor(ApiLimits.Kind.CHECKS, existing.isPresent(), store.checkDefinitions().map(List::size)))
        .compose(room -> store.putCheckDefinition(definition)).onSuccess(change -> {
      Audit.record(ctx, "check.put", name);
      HubEvent.publish(vertx.eventBus(), new ChecksChanged(name, change.revision()));
      Api.reply(ctx, change.existed() ? 200 : 201, definition.toJson().put("revision", change.revision()));
    }).onFailure(ctx::fail);
  }

  private void removeCheck(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    store.removeCheckDefinition(name).onSuccess(change -> {
      if (!change.existed()) {
        ctx.fail(ApiError.notFound("no check named " + name));
        return;
      }
      Audit.record(ctx, "check.remove", name);
      HubEvent.publish(vertx.eventBus(), new ChecksChanged(name, change.revision()));
      ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  /** The latest result of each check of each agent, with history and flapping; filters agent, check, status. */
  private void results(RoutingContext ctx) {
    String agentFilter = ctx.queryParams().get("agent");
    String checkFilter = ctx.queryParams().get("check");
    Integer statusFilter = statusParam(ctx.queryParams().get("status"));
    Future<List<String>> agentIds = agentFilter != null && !agentFilter.isBlank()
        ? Future.succeededFuture(List.of(agentFilter))
        : registry.agents().map(agents -> agents.stream().map(AgentRecord::id).sorted().toList());
    agentIds.compose(ids -> FanOut.map(ids, FanOut.DEFAULT_CONCURRENCY, id ->
        store.latestCheckResults(id).compose(latest -> store.checkHistories(id).map(histories -> {
          JsonArray rows = new JsonArray();
          new TreeMap<>(latest).forEach((check, result) -> {
            if ((checkFilter == null || checkFilter.equals(check)) && (statusFilter == null || statusFilter == result.status())) {
              rows.add(CheckView.json(id, result, histories.get(check)));
            }
          });
          return rows;
        }))).map(perAgent -> {
          JsonArray rows = new JsonArray();
          perAgent.forEach(rows::addAll);
          return rows;
        }))
        .onSuccess(rows -> Api.ok(ctx, new JsonObject().put("results", rows))).onFailure(ctx::fail);
  }

  private static Integer statusParam(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Integer named = STATUS_NAMES.get(value.strip().toLowerCase(Locale.ROOT));
    if (named != null) {
      return named;
    }
    try {
      int status = Integer.parseInt(value.strip());
      if (status >= 0 && status <= 3) {
        return status;
      }
    } catch (NumberFormatException e) {
      // told below
    }
    throw ApiError.badRequest("status must be 0..3 or ok, warning, critical, unknown; got '" + value + "'");
  }
}
