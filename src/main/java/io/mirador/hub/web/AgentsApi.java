package io.mirador.hub.web;

import io.mirador.hub.security.Access;
import io.mirador.hub.security.Audit;
import io.mirador.hub.security.Role;
import io.mirador.Addresses;
import io.mirador.hub.AgentView;
import io.mirador.store.AgentRegistry;
import io.mirador.store.SeriesStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.TreeMap;

/** The agent registry: /api/v1/agents, one agent, forgetting one, and its latest values. */
public final class AgentsApi implements Api {

  private final Vertx vertx;
  private final AgentRegistry registry;
  private final SeriesStore series;

  public AgentsApi(Vertx vertx, AgentRegistry registry, SeriesStore series) {
    this.vertx = vertx;
    this.registry = registry;
    this.series = series;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/v1/agents").handler(Access.requires(Role.VIEWER)).handler(this::agents);
    router.get("/api/v1/agents/:id").handler(Access.requires(Role.VIEWER)).handler(this::agent);
    router.delete("/api/v1/agents/:id").handler(Access.requires(Role.ADMIN)).handler(this::removeAgent);
    router.get("/api/v1/agents/:id/latest").handler(Access.requires(Role.VIEWER)).handler(this::latest);
  }

  private void agents(RoutingContext ctx) {
    registry.agents().onSuccess(agents -> {
      JsonArray list = new JsonArray();
      agents.stream().sorted(Comparator.comparing(a -> a.hostname() + a.id())).forEach(agent -> list.add(AgentView.json(agent)));
      Api.ok(ctx, new JsonObject().put("agents", list));
    }).onFailure(ctx::fail);
  }

  private void agent(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    registry.agent(id).onSuccess(agent -> {
      if (agent.isEmpty()) {
        ctx.fail(ApiError.notFound("no agent with id " + id));
      } else {
        Api.ok(ctx, AgentView.json(agent.get()));
      }
    }).onFailure(ctx::fail);
  }

  private void removeAgent(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    registry.removeAgent(id).onSuccess(removed -> {
      if (!removed) {
        ctx.fail(ApiError.notFound("no agent with id " + id));
        return;
      }
      Audit.record(ctx, "agent.remove", id);
      vertx.eventBus().publish(Addresses.LIVE_AGENTS, new JsonObject().put("event", "removed").put("agent", new JsonObject().put("id", id)));
      ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  private void latest(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    registry.agent(id).compose(agent -> {
      if (agent.isEmpty()) {
        return Future.failedFuture(ApiError.notFound("no agent with id " + id));
      }
      return series.latest(id);
    }).onSuccess(values -> {
      JsonArray list = new JsonArray();
      values.stream()
          .sorted(Comparator.comparing(v -> v.metric() + new TreeMap<>(v.tags())))
          .forEach(v -> list.add(new JsonObject().put("metric", v.metric()).put("tags", new JsonObject(new TreeMap<>(v.tags())))
              .put("value", v.value()).put("ts", v.ts())));
      Api.ok(ctx, new JsonObject().put("agent", id).put("series", list));
    }).onFailure(ctx::fail);
  }
}
