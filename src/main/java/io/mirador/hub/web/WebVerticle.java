package io.mirador.hub.web;

import io.mirador.Addresses;
import io.mirador.config.Settings;
import io.mirador.hub.AgentView;
import io.mirador.hub.CheckView;
import io.mirador.hub.LiveInterest;
import io.mirador.model.CheckDefinition;
import io.mirador.store.AgentRecord;
import io.mirador.store.FanOut;
import io.mirador.metrics.Meters;
import io.mirador.store.SeriesData;
import io.mirador.store.SeriesQuery;
import io.mirador.store.Store;
import io.mirador.store.Stores;
import io.mirador.transport.TransportStatus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's face: the REST API under /api/v1, /metrics for Prometheus, the SockJS bridge at /eventbus that lets
 * browsers receive {@code mirador.live.*} and nothing else, and the dashboard with its libraries from webjars.
 */
public final class WebVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebVerticle.class);
  private static final String JSON = "application/json";
  /** Largest number of points one /series answer may carry; beyond it the client must narrow or step. */
  static final int MAX_POINTS = 200_000;
  private static final String PORTS = "mirador.web.ports";
  /** Largest check definition body accepted. */
  static final int MAX_DEFINITION_BYTES = 256 * 1024;
  private static final Map<String, Integer> STATUS_NAMES = Map.of("ok", 0, "warning", 1, "critical", 2, "unknown", 3);
  private static final Pattern LIVE = Pattern.compile(Pattern.quote(Addresses.LIVE_PREFIX) + ".+");

  private Store store;
  private Meters meters;
  private HttpServer server;
  private LiveInterest.Watchers watchers;

  @Override
  public Future<?> start() {
    store = Stores.shared(vertx, config());
    meters = Meters.of(vertx);
    JsonObject http = Settings.section(config(), "http");
    Router router = Router.router(vertx);
    router.get("/api/v1/health").handler(this::health);
    router.get("/api/v1/agents").handler(this::agents);
    router.get("/api/v1/agents/:id").handler(this::agent);
    router.delete("/api/v1/agents/:id").handler(this::removeAgent);
    router.get("/api/v1/agents/:id/latest").handler(this::latest);
    router.get("/api/v1/series").handler(this::series);
    router.get("/api/v1/checks").handler(this::checks);
    router.route("/api/v1/checks/:name").handler(BodyHandler.create().setBodyLimit(MAX_DEFINITION_BYTES));
    router.get("/api/v1/checks/:name").handler(this::check);
    router.put("/api/v1/checks/:name").handler(this::putCheck);
    router.delete("/api/v1/checks/:name").handler(this::removeCheck);
    router.get("/api/v1/results").handler(this::results);
    router.get("/api/v1/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml").sendFile("openapi.yaml")
        .onFailure(e -> ctx.fail(ApiError.notFound("this build has no openapi.yaml"))));
    router.route("/api/*").handler(ctx -> ctx.fail(ApiError.notFound("no API resource at " + ctx.request().method() + " " + ctx.request().path())));
    router.route("/api/*").failureHandler(this::apiFailure);
    router.get("/metrics").handler(this::metrics);
    watchers = new LiveInterest.Watchers(vertx);
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(LIVE.pattern())), this::bridgeEvent));
    router.route("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
    router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html"));
    return vertx.createHttpServer()
        .requestHandler(router)
        .listen(http.getInteger("port", 8080), http.getString("host", "127.0.0.1"))
        .onSuccess(listening -> {
          server = listening;
          vertx.sharedData().getLocalMap(PORTS).put(deploymentID(), listening.actualPort());
          LOG.info("web listening on http://{}:{}", http.getString("host", "127.0.0.1"), listening.actualPort());
        });
  }

  /** Follows what browsers listen to, so engines publish live samples only for the agents shown. */
  private void bridgeEvent(BridgeEvent event) {
    switch (event.type()) {
      case REGISTERED -> watchers.registered(event.socket(), event.getRawMessage().getString("address"));
      case UNREGISTER -> watchers.unregistered(event.socket(), event.getRawMessage().getString("address"));
      case SOCKET_CLOSED -> watchers.closed(event.socket());
      default -> { }
    }
    event.complete(true);
  }

  @Override
  public Future<?> stop() {
    watchers.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** The port each web verticle of this node really bound (it matters for port 0), by deployment id. */
  public static int boundPort(io.vertx.core.Vertx vertx, String deploymentId) {
    Integer port = (Integer) vertx.sharedData().getLocalMap(PORTS).get(deploymentId);
    if (port == null) {
      throw new IllegalStateException("no web verticle listening for deployment " + deploymentId);
    }
    return port;
  }

  private void health(RoutingContext ctx) {
    JsonObject checks = new JsonObject();
    // DESIGN §5 names the production store's check after it ("redis"); the embedded one stays "store"
    String storeCheckName = "redis".equals(Settings.section(config(), "store").getString("type")) ? "redis" : "store";
    Future<Void> storeCheck = store.ping()
        .onSuccess(ok -> checks.put(storeCheckName, new JsonObject().put("status", "UP")))
        .recover(e -> {
          checks.put(storeCheckName, new JsonObject().put("status", "DOWN").put("detail", e.getMessage()));
          return Future.succeededFuture();
        });
    // the broker connections this node's transports hold (rabbitmq), when it runs any
    TransportStatus.of(vertx).checks().forEach(checks::put);
    if (vertx.isClustered()) {
      List<String> nodes = ((VertxInternal) vertx).clusterManager().getNodes();
      checks.put("cluster", new JsonObject().put("status", "UP").put("nodes", nodes.size()));
    }
    storeCheck.onComplete(done -> {
      boolean up = checks.stream().allMatch(check -> "UP".equals(((JsonObject) check.getValue()).getString("status")));
      ctx.response().setStatusCode(up ? 200 : 503).putHeader("content-type", JSON)
          .end(new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks).encode());
    });
  }

  private void agents(RoutingContext ctx) {
    store.agents().onSuccess(agents -> {
      JsonArray list = new JsonArray();
      agents.stream().sorted(java.util.Comparator.comparing(a -> a.hostname() + a.id())).forEach(agent -> list.add(AgentView.json(agent)));
      ok(ctx, new JsonObject().put("agents", list));
    }).onFailure(ctx::fail);
  }

  private void agent(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.agent(id).onSuccess(agent -> {
      if (agent.isEmpty()) {
        ctx.fail(ApiError.notFound("no agent with id " + id));
      } else {
        ok(ctx, AgentView.json(agent.get()));
      }
    }).onFailure(ctx::fail);
  }

  private void removeAgent(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.removeAgent(id).onSuccess(removed -> {
      if (!removed) {
        ctx.fail(ApiError.notFound("no agent with id " + id));
        return;
      }
      vertx.eventBus().publish(Addresses.LIVE_AGENTS, new JsonObject().put("event", "removed").put("agent", new JsonObject().put("id", id)));
      ctx.response().setStatusCode(204).end();
    }).onFailure(ctx::fail);
  }

  private void latest(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.agent(id).compose(agent -> {
      if (agent.isEmpty()) {
        return Future.failedFuture(ApiError.notFound("no agent with id " + id));
      }
      return store.latest(id);
    }).onSuccess(values -> {
      JsonArray series = new JsonArray();
      values.stream()
          .sorted(java.util.Comparator.comparing(v -> v.metric() + new TreeMap<>(v.tags())))
          .forEach(v -> series.add(new JsonObject().put("metric", v.metric()).put("tags", new JsonObject(new TreeMap<>(v.tags())))
              .put("value", v.value()).put("ts", v.ts())));
      ok(ctx, new JsonObject().put("agent", id).put("series", series));
    }).onFailure(ctx::fail);
  }

  private void series(RoutingContext ctx) {
    SeriesQuery query = seriesQuery(ctx);
    store.series(query).onSuccess(found -> {
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
      ok(ctx, new JsonObject().put("agent", query.agent()).put("from", query.from()).put("to", query.to())
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

  private void checks(RoutingContext ctx) {
    store.checkDefinitionsRevision().compose(revision -> store.checkDefinitions().map(definitions -> {
      JsonArray list = new JsonArray();
      definitions.forEach(definition -> list.add(definition.toJson()));
      return new JsonObject().put("revision", revision).put("checks", list);
    })).onSuccess(body -> ok(ctx, body)).onFailure(ctx::fail);
  }

  private void check(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    store.checkDefinition(name).onSuccess(definition -> {
      if (definition.isEmpty()) {
        ctx.fail(ApiError.notFound("no check named " + name));
      } else {
        ok(ctx, definition.get().toJson());
      }
    }).onFailure(ctx::fail);
  }

  /** Creates (201) or replaces (200) a definition; a bad one is a 400 and changes nothing. */
  private void putCheck(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      throw ApiError.badRequest("the body must be a JSON object: " + e.getMessage());
    }
    if (body == null) {
      throw ApiError.badRequest("a check definition (JSON object) is required");
    }
    CheckDefinition definition;
    try {
      definition = CheckDefinition.parse(name, body);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    store.putCheckDefinition(definition).onSuccess(change -> {
      vertx.eventBus().publish(Addresses.CHECKS_CHANGED, new JsonObject().put("name", name).put("revision", change.revision()));
      ctx.response().setStatusCode(change.existed() ? 200 : 201).putHeader("content-type", JSON)
          .end(definition.toJson().put("revision", change.revision()).encode());
    }).onFailure(ctx::fail);
  }

  private void removeCheck(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    store.removeCheckDefinition(name).onSuccess(change -> {
      if (!change.existed()) {
        ctx.fail(ApiError.notFound("no check named " + name));
        return;
      }
      vertx.eventBus().publish(Addresses.CHECKS_CHANGED, new JsonObject().put("name", name).put("revision", change.revision()));
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
        : store.agents().map(agents -> agents.stream().map(AgentRecord::id).sorted().toList());
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
        .onSuccess(rows -> ok(ctx, new JsonObject().put("results", rows))).onFailure(ctx::fail);
  }

  private static Integer statusParam(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    Integer named = STATUS_NAMES.get(value.strip().toLowerCase(java.util.Locale.ROOT));
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

  private void metrics(RoutingContext ctx) {
    StringBuilder text = new StringBuilder(meters.scrape());
    store.stats().render("mirador_store_", text);
    ctx.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(text.toString());
  }

  private void apiFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    int status;
    String error;
    String detail;
    if (failure instanceof ApiError api) {
      status = api.status;
      error = api.error;
      detail = api.getMessage();
    } else if (failure == null) {
      status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      error = status == 405 ? "method not allowed" : status < 500 ? "bad request" : "internal error";
      detail = ctx.request().method() + " " + ctx.request().path();
    } else {
      status = 500;
      error = "internal error";
      detail = failure.getMessage() == null ? failure.toString() : failure.getMessage();
      LOG.warn("API {} {} failed: {}", ctx.request().method(), ctx.request().path(), failure.toString());
    }
    ctx.response().setStatusCode(status).putHeader("content-type", JSON)
        .end(new JsonObject().put("error", error).put("detail", detail).encode());
  }

  private static void ok(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("content-type", JSON).end(body.encode());
  }
}
