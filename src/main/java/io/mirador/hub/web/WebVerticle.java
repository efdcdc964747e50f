package io.mirador.hub.web;

import io.mirador.Addresses;
import io.mirador.config.Settings;
import io.mirador.hub.HubConfig;
import io.mirador.hub.LiveInterest;
import io.mirador.hub.alert.AlertsApi;
import io.mirador.hub.alert.notify.Notifiers;
import io.mirador.hub.checks.ChecksApi;
import io.mirador.hub.cluster.ClusterApi;
import io.mirador.hub.sched.JobsApi;
import io.mirador.hub.sched.JobsConfig;
import io.mirador.hub.security.Access;
import io.mirador.hub.security.Principal;
import io.mirador.metrics.Meters;
import io.mirador.store.StoreBackend;
import io.mirador.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's face, a thin server: it mounts one {@link Api} class per feature under /api/v1 behind the one place
 * where callers are authenticated ({@link #authenticate}), turns failures into JSON errors, and serves /metrics for
 * Prometheus, the SockJS bridge at /eventbus that lets browsers receive {@code mirador.live.*} and nothing else, and
 * the dashboard with its libraries from webjars.
 */
public final class WebVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebVerticle.class);
  private static final String PORTS = "mirador.web.ports";
  private static final Pattern LIVE = Pattern.compile(Pattern.quote(Addresses.LIVE_PREFIX) + ".+");

  private StoreBackend store;
  private Meters meters;
  private HttpServer server;
  private LiveInterest.Watchers watchers;
  private BridgeGuard bridgeGuard;

  @Override
  public Future<?> start() {
    Stores stores = Stores.shared(vertx, config());
    store = stores.backend();
    meters = Meters.of(vertx);
    JsonObject http = Settings.section(config(), "http");
    ClusterApi cluster = new ClusterApi(stores.nodes(), stores.leases(), HubConfig.of(config()).nodeDownAfterMs());
    ApiLimits limits = new ApiLimits(vertx, config());
    List<Api> apis = List.of(
        new HealthApi(vertx, config(), store, stores.nodes(), cluster),
        cluster,
        // before the agents API: its /api/v1/agents/:id would take /api/v1/agents/pending
        new io.mirador.hub.enroll.EnrollApi(vertx, stores.agentKeys(), config()),
        new AgentsApi(vertx, stores.registry(), stores.series()),
        new SeriesApi(stores.series(), limits),
        new ChecksApi(vertx, stores.checks(), stores.registry(), limits),
        new AlertsApi(vertx, stores.alerts(), Notifiers.load(), limits, stores.jobs()),
        new JobsApi(vertx, stores.jobs(), stores.registry(), JobsConfig.of(config())));
    Router router = Router.router(vertx);
    HttpGuards guards = new HttpGuards(vertx, http);
    guards.mount(router);
    router.route("/api/*").handler(this::authenticate);
    apis.forEach(api -> api.mount(router));
    router.get("/api/v1/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml").sendFile("openapi.yaml")
        .onFailure(e -> ctx.fail(ApiError.notFound("this build has no openapi.yaml"))));
    router.route("/api/*").handler(ctx -> HttpGuards.noRoute(router, ctx));
    router.route("/api/*").failureHandler(this::apiFailure);
    router.get("/metrics").handler(this::metrics);
    watchers = new LiveInterest.Watchers(vertx);
    bridgeGuard = new BridgeGuard(vertx, LIVE);
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(LIVE.pattern())), this::bridgeEvent));
    router.route("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
    router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html"));
    return guards.watch(vertx.createHttpServer(guards.serverOptions(new HttpServerOptions())))
        .requestHandler(router)
        .listen(http.getInteger("port", 8080), http.getString("host", "127.0.0.1"))
        .onSuccess(listening -> {
          server = listening;
          vertx.sharedData().getLocalMap(PORTS).put(deploymentID(), listening.actualPort());
          LOG.info("web listening on http://{}:{}", http.getString("host", "127.0.0.1"), listening.actualPort());
        });
  }

  /**
   * The one place where callers of the API are authenticated, before any feature's routes. Nothing is checked yet:
   * whoever reaches the port may call the API as {@link Principal#LOCAL} (standalone binds loopback); users, tokens
   * and roles (the security issue) plug in here. Feature APIs guard their routes with {@link Access#requires}.
   */
  private void authenticate(RoutingContext ctx) {
    ctx.put(Access.PRINCIPAL, Principal.LOCAL);
    ctx.next();
  }

  /** Follows what browsers listen to, so engines publish live samples only for the agents shown. */
  private void bridgeEvent(BridgeEvent event) {
    if (!bridgeGuard.admits(event)) {
      event.complete(false);
      return;
    }
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
    Api.reply(ctx, status, new JsonObject().put("error", error).put("detail", detail));
  }
}
