package io.mirador.hub.web;

import io.mirador.hub.security.Access;
import io.mirador.hub.security.Role;
import io.mirador.store.SeriesData;
import io.mirador.store.SeriesQuery;
import io.mirador.store.SeriesStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/** /api/v1/series: points of an agent's series from the hot window. */
public final class SeriesApi implements Api {

  /** Largest number of points one /series answer may carry; beyond it the client must narrow or step. */
  static final int MAX_POINTS = 200_000;

  private final SeriesStore store;
  private final ApiLimits limits;

  public SeriesApi(SeriesStore store, ApiLimits limits) {
    this.store = store;
    this.limits = limits;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/v1/series").handler(Access.requires(Role.VIEWER)).handler(this::series);
  }

  private void series(RoutingContext ctx) {
    SeriesQuery query = seriesQuery(ctx);
    if (query.tags().size() > limits.maxQueryTags()) {
      limits.count("query_tags");
      throw ApiError.badRequest("at most " + limits.maxQueryTags() + " tag.* filters (http.limits.maxQueryTags), got " + query.tags().size());
    }
    store.series(query).onSuccess(found -> {
      if (found.size() > limits.maxQuerySeries()) {
        limits.count("query_series");
        ctx.fail(ApiError.badRequest(found.size() + " series match, more than " + limits.maxQuerySeries()
            + " (http.limits.maxQuerySeries); narrow the metric or tags"));
        return;
      }
      int points = found.stream().mapToInt(s -> s.points().size()).sum();
      if (points > MAX_POINTS) {
        ctx.fail(ApiError.badRequest(points + " points match, more than " + MAX_POINTS + "; narrow from/to, the metric or tags, or set a step"));
        return;
      }
      JsonArray series = new JsonArray();
      for (SeriesData data : found) {
        JsonArray values = new JsonArray();
        data.points().forEach(point -> values.add(new JsonArray().add(point.ts()).add(point.value())));
        series.add(new JsonObject().put("metric", data.metric()).put("tags", new JsonObject(new TreeMap<>(data.tags()))).put("points", values));
      }
      Api.ok(ctx, new JsonObject().put("agent", query.agent()).put("from", query.from()).put("to", query.to())
          .put("step", query.step()).put("series", series));
    }).onFailure(ctx::fail);
  }

  private static SeriesQuery seriesQuery(RoutingContext ctx) {
    String agent = ctx.queryParams().get("agent");
    if (agent == null || agent.isBlank()) {
      throw ApiError.badRequest("agent is required: /api/v1/series?agent=<id>&metric=<name>");
    }
    long now = System.currentTimeMillis();
    long from = TimeParams.instant("from", ctx.queryParams().get("from"), now - 3_600_000, now);
    long to = TimeParams.instant("to", ctx.queryParams().get("to"), now, now);
    if (from > to) {
      throw ApiError.badRequest("from (" + from + ") is after to (" + to + ")");
    }
    long step = TimeParams.duration("step", ctx.queryParams().get("step"), 0);
    Map<String, String> tags = new HashMap<>();
    ctx.queryParams().forEach((name, value) -> {
      if (name.startsWith("tag.") && name.length() > 4) {
        tags.put(name.substring(4), value);
      }
    });
    return new SeriesQuery(agent, ctx.queryParams().get("metric"), Map.copyOf(tags), from, to, step);
  }
}
