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
import io.mirador.hub.security.Audit;
import io.mirador.hub.security.AuthSettings;
import io.mirador.hub.security.Authenticator;
import io.mirador.hub.security.LoginLimiter;
import io.mirador.hub.security.Principal;
import io.mirador.hub.security.SecurityApi;
import io.mirador.hub.security.WebCredentials;
import io.mirador.metrics.Meters;
import io.mirador.store.StoreBackend;
import io.mirador.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  private Audit audit;
  /** Null when authentication is off: everyone is {@link Principal#LOCAL}. */
  private Authenticator authenticator;
  /** The credential each bridge socket opened with, checked again at each registration. */
  private final Map<SockJSSocket, String> bridgeCredentials = new ConcurrentHashMap<>();

  @Override
  public Future<?> start() {
    Stores stores = Stores.shared(vertx, config());
    store = stores.backend();
    meters = Meters.of(vertx);
    audit = new Audit(stores.audit(), meters);
    AuthSettings auth = AuthSettings.of(config(), false);
    HttpTls tls = HttpTls.of(Settings.section(config(), "http"));
    Future<Authenticator> authenticating = auth.enabled()
        ? Authenticator.start(vertx, stores.security(), auth.sessionTtlSeconds()) : Future.succeededFuture(null);
    return authenticating.compose(ready -> {
      authenticator = ready;
      return listen(stores, auth, tls);
    });
  }

  private Future<HttpServer> listen(Stores stores, AuthSettings auth, HttpTls tls) {
    JsonObject http = Settings.section(config(), "http");
    ClusterApi cluster = new ClusterApi(stores.nodes(), stores.leases(), HubConfig.of(config()).nodeDownAfterMs());
    ApiLimits limits = new ApiLimits(vertx, config());
    LoginLimiter limiter = vertx.sharedData().<String, LoginLimiter>getLocalMap("mirador.login-limiter").computeIfAbsent("limiter",
        key -> new LoginLimiter(auth.maxLoginFailures(), auth.loginWindowSeconds() * 1000L, 10_000, System::currentTimeMillis));
    List<Api> apis = List.of(
        new SecurityApi(vertx, stores.security(), stores.audit(), authenticator, limiter, tls.enabled(), meters),
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
    router.route("/eventbus/*").handler(this::authenticateBridge);
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(LIVE.pattern())), this::bridgeEvent));
    router.route("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
    router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html"));
    HttpServerOptions options = guards.serverOptions(tls.apply(new HttpServerOptions()));
    String scheme = tls.enabled() ? "https" : "http";
    return guards.watch(vertx.createHttpServer(options))
        .requestHandler(router)
        .listen(http.getInteger("port", 8080), http.getString("host", "127.0.0.1"))
        .onSuccess(listening -> {
          server = listening;
          vertx.sharedData().getLocalMap(PORTS).put(deploymentID(), listening.actualPort());
          LOG.info("web listening on {}://{}:{}{}", scheme, http.getString("host", "127.0.0.1"), listening.actualPort(),
              auth.enabled() ? ", login required" : ", authentication OFF: whoever reaches this port may do everything"
                  + (auth.required() ? " (auth.allowInsecure)" : " (loopback only; auth.enabled: true turns login on)"));
        });
  }

  /**
   * The one place where callers of the API are authenticated, before any feature's routes: an API token or a session
   * ({@code Authorization: Bearer}, or the dashboard's session cookie) becomes the request's {@link Principal}; no
   * credential, or a bad one, is a 401. With authentication off (a standalone on loopback) everyone is
   * {@link Principal#LOCAL}. Feature APIs guard their routes with {@link Access#requires}.
   */
  private void authenticate(RoutingContext ctx) {
    ctx.put(Audit.KEY, audit);
    if (authenticator == null) {
      ctx.put(Access.PRINCIPAL, Principal.LOCAL);
      ctx.next();
      return;
    }
    if (SecurityApi.isOpen(ctx)) {
      ctx.next();
      return;
    }
    // the store may answer later (Redis): hold the body until a route's body handler is there to read it
    boolean paused = !ctx.request().isEnded();
    if (paused) {
      ctx.request().pause();
    }
    authenticator.authenticate(WebCredentials.of(ctx.request())).onSuccess(principal -> {
      ctx.put(Access.PRINCIPAL, principal);
      if (paused) {
        ctx.request().resume();
      }
      ctx.next();
    }).onFailure(ctx::fail);
  }

  /**
   * Lets a browser on the bridge only with a valid session ({@link #authenticateBridge}), checked when the socket
   * opens and again at each registration (a session ended or a user removed since stops it there); follows what
   * browsers listen to, so engines publish live samples only for the agents shown.
   */
  private void bridgeEvent(BridgeEvent event) {
    if (!bridgeGuard.admits(event)) {
      event.complete(false);
      return;
    }
    switch (event.type()) {
      case SOCKET_CREATED -> {
        if (authenticator != null) {
          io.vertx.ext.auth.User user = event.socket().webUser();
          if (user == null) {
            event.complete(false);
            return;
          }
          bridgeCredentials.put(event.socket(), user.principal().getString("credential"));
        }
      }
      case REGISTER -> {
        if (authenticator == null) {
          event.complete(true);
          return;
        }
        authenticator.authenticate(bridgeCredentials.get(event.socket())).onComplete(checked -> event.complete(checked.succeeded()));
        return;
      }
      case REGISTERED -> watchers.registered(event.socket(), event.getRawMessage().getString("address"));
      case UNREGISTER -> watchers.unregistered(event.socket(), event.getRawMessage().getString("address"));
      case SOCKET_CLOSED -> {
        bridgeCredentials.remove(event.socket());
        watchers.closed(event.socket());
      }
      default -> { }
    }
    event.complete(true);
  }

  /**
   * The HTTP requests of the bridge (SockJS's info, its transports, the raw WebSocket) carry the session like the API
   * does (the cookie, or {@code ?session=} for clients without cookies): without one they get a 401 before SockJS
   * sees them; with one, the socket knows its user (SockJS hides cookies from sockets, not the routing context's user).
   */
  private void authenticateBridge(RoutingContext ctx) {
    if (authenticator == null) {
      ctx.next();
      return;
    }
    String credential = WebCredentials.of(ctx.request());
    if (credential == null) {
      credential = ctx.queryParams().get("session");
    }
    String presented = credential;
    authenticator.authenticate(presented).onSuccess(principal -> {
      // as vertx-web's own authentication handlers do: the user set here is the one SockJS hands its socket
      ((io.vertx.ext.web.impl.UserContextInternal) ctx.userContext()).setUser(io.vertx.ext.auth.User.create(new JsonObject().put("name", principal.name()).put("role", principal.role().wireName())
          .put("credential", presented)));
      ctx.next();
    }).onFailure(failure -> Api.reply(ctx, 401, new JsonObject().put("error", "unauthorized").put("detail", failure.getMessage())));
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
    if (status == 401) {
      ctx.response().putHeader("www-authenticate", "Bearer realm=\"mirador\"");
    }
    Api.reply(ctx, status, new JsonObject().put("error", error).put("detail", detail));
  }
}
