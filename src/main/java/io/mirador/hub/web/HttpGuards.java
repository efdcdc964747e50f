package io.mirador.hub.web;

import io.mirador.config.Settings;
import io.mirador.metrics.Meters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What stands between the network and the routes (docs/SECURITY.md, "Hardening and limits"): bounds on connections,
 * on how long a connection may take to send its headers and how long it may sit idle, on header and body sizes; the
 * Host check that stops DNS rebinding against a hub on loopback, the Origin check that stops other sites' pages from
 * calling the API or the bridge with the user's browser, and the answers for what no route takes: 400 for a query that
 * does not decode, 405 with {@code Allow} for a known path called with another method.
 *
 * <p>The {@link WebVerticle} applies {@link #serverOptions}, {@link #watch} and {@link #mount} before its routes.
 */
public final class HttpGuards {

  private static final Logger LOG = LoggerFactory.getLogger(HttpGuards.class);
  private static final String OPEN = "mirador.web.connections";
  private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "");

  /**
   * The limits, from the {@code http} section.
   *
   * @param idleTimeoutSeconds  a connection with nothing read or written for this long is closed
   * @param headerTimeoutMs     a connection that has not sent a whole request head this long after it opened, or after
   *                            its previous answer, is closed (slowloris)
   * @param maxHeaderBytes      all header lines of a request together; beyond it 431
   * @param maxInitialLineBytes the request line (method, path and query); beyond it 414
   * @param maxConnections      open connections on this node; one beyond it is closed at once and counted
   * @param maxBodyBytes        a request body announced longer than this is refused with 413 before it is read
   */
  public record Limits(int idleTimeoutSeconds, int headerTimeoutMs, int maxHeaderBytes, int maxInitialLineBytes,
                       int maxConnections, int maxBodyBytes) {

    public static Limits of(JsonObject http) {
      JsonObject limits = Settings.section(http, "limits");
      return new Limits(
          Settings.positiveInt(limits, "idleTimeoutSeconds", 60),
          Settings.positiveInt(limits, "headerTimeoutMs", 10_000),
          Settings.positiveInt(limits, "maxHeaderBytes", 16 * 1024),
          Settings.positiveInt(limits, "maxInitialLineBytes", 8 * 1024),
          Settings.positiveInt(limits, "maxConnections", 2_000),
          Settings.positiveInt(limits, "maxBodyBytes", 256 * 1024));
    }
  }

  private final Vertx vertx;
  private final Limits limits;
  /** Lower-case host names (no port) that may appear in a Host header; null: the server listens on every address. */
  private final Set<String> allowedHosts;
  /** Lower-case origins (scheme://host[:port]) allowed besides the hub's own. */
  private final Set<String> allowedOrigins;
  private final AtomicInteger open;
  private final LongAdder refusedConnections;
  private final LongAdder headerTimeouts;
  private final Map<String, LongAdder> refusedRequests = new ConcurrentHashMap<>();
  private final Meters meters;
  /** Per connection: the timer that closes it if its next request head does not come in time. */
  private final Map<HttpConnection, Long> awaitingHead = new ConcurrentHashMap<>();
  private final Set<HttpConnection> live = ConcurrentHashMap.newKeySet();

  public HttpGuards(Vertx vertx, JsonObject http) {
    this.vertx = vertx;
    this.limits = Limits.of(http);
    this.meters = Meters.of(vertx);
    String host = http.getString("host", "127.0.0.1").strip().toLowerCase(Locale.ROOT);
    JsonArray hosts = http.getJsonArray("allowedHosts", new JsonArray());
    if (WILDCARDS.contains(host) && hosts.isEmpty()) {
      allowedHosts = null; // bound to every address: which names reach it is the network's business; list them to check
      LOG.info("http.host {} is every address and http.allowedHosts is empty: Host headers are not checked", host);
    } else {
      allowedHosts = new TreeSet<>(Set.of("localhost", "127.0.0.1", "::1", "[::1]"));
      if (!WILDCARDS.contains(host)) {
        allowedHosts.add(host);
      }
      hosts.forEach(name -> allowedHosts.add(String.valueOf(name).strip().toLowerCase(Locale.ROOT)));
    }
    allowedOrigins = new TreeSet<>();
    http.getJsonArray("allowedOrigins", new JsonArray()).forEach(origin ->
        allowedOrigins.add(String.valueOf(origin).strip().toLowerCase(Locale.ROOT).replaceAll("/+$", "")));
    // one count per process, whichever web verticle instance took the connection
    this.open = (AtomicInteger) vertx.sharedData().getLocalMap(OPEN).computeIfAbsent("open", key -> new SharedCount());
    refusedConnections = meters.counter("mirador_http_connections_refused_total",
        "HTTP connections closed at once because http.limits.maxConnections were open");
    headerTimeouts = meters.counter("mirador_http_header_timeouts_total",
        "HTTP connections closed because no whole request head came within http.limits.headerTimeoutMs");
    meters.gauge("mirador_http_connections_open", "HTTP connections open on this node", open::get);
  }

  /** Shared between the web verticle instances of one node (a local map takes only Shareable values). */
  private static final class SharedCount extends AtomicInteger implements io.vertx.core.shareddata.Shareable {
  }

  public Limits limits() {
    return limits;
  }

  /** Idle timeout and head sizes, set on the server's options. */
  public HttpServerOptions serverOptions(HttpServerOptions options) {
    return options.setIdleTimeout(limits.idleTimeoutSeconds())
        .setMaxHeaderSize(limits.maxHeaderBytes())
        .setMaxInitialLineLength(limits.maxInitialLineBytes())
        .setDecompressionSupported(false)
        // no h2c: with it Vert.x waits for the first bytes to tell HTTP/1 from HTTP/2, and a silent connection is never seen
        .setHttp2ClearTextEnabled(false);
  }

  /** Counts connections, closes those beyond the cap, and starts each one's head timer. */
  public HttpServer watch(HttpServer server) {
    return server.connectionHandler(connection -> {
      if (open.incrementAndGet() > limits.maxConnections()) {
        open.decrementAndGet();
        refusedConnections.increment();
        connection.close();
        return;
      }
      live.add(connection);
      connection.closeHandler(closed -> {
        live.remove(connection);
        open.decrementAndGet();
        Long timer = awaitingHead.remove(connection);
        if (timer != null) {
          vertx.cancelTimer(timer);
        }
      });
      awaitHead(connection);
    });
  }

  private void awaitHead(HttpConnection connection) {
    if (!live.contains(connection)) {
      return;
    }
    long timer = vertx.setTimer(limits.headerTimeoutMs(), fired -> {
      if (awaitingHead.remove(connection) != null) {
        headerTimeouts.increment();
        connection.close();
      }
    });
    Long previous = awaitingHead.put(connection, timer);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
  }

  /** The guards every request passes before any route; they come first on the router. */
  public void mount(Router router) {
    router.route().handler(this::guard);
  }

  private void guard(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpConnection connection = request.connection();
    if (connection != null) {
      Long timer = awaitingHead.remove(connection);
      if (timer != null) {
        vertx.cancelTimer(timer);
      }
      // the next request head on a kept-alive connection gets the same time from the end of this answer
      if (!"websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) { // a WebSocket has no more heads
        ctx.addEndHandler(ended -> awaitHead(connection));
      }
    }
    if (refusal(request) == null) {
      ctx.next();
    }
  }

  /** Answers and returns why when the request is refused before routing; null when it may go on. */
  private String refusal(HttpServerRequest request) {
    String host = request.getHeader(HttpHeaders.HOST);
    if (allowedHosts != null && host != null && !allowedHosts.contains(hostName(host))) {
      return refuse(request, 421, "host", "misdirected request",
          "Host '" + host + "' is not one this hub answers to; add it to http.allowedHosts");
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    String path = request.path();
    if (origin != null && (path.startsWith("/api/") || path.startsWith("/eventbus")) && !originAllowed(origin, host, request.isSSL())) {
      return refuse(request, 403, "origin", "forbidden",
          "Origin '" + origin + "' may not call this hub; add it to http.allowedOrigins");
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null) {
      long announced;
      try {
        announced = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        return refuse(request, 400, "content_length", "bad request", "Content-Length '" + length + "' is not a number");
      }
      if (announced > limits.maxBodyBytes()) {
        return refuse(request, 413, "body_size", "payload too large",
            "the body may have at most " + limits.maxBodyBytes() + " bytes (http.limits.maxBodyBytes); " + announced + " announced");
      }
    }
    String query = request.query();
    if (query != null && !decodes(query)) {
      return refuse(request, 400, "query", "bad request", "the query string is not valid percent-encoding: " + clip(query));
    }
    if (!decodes(request.path())) {
      return refuse(request, 400, "path", "bad request", "the path is not valid percent-encoding: " + clip(request.path()));
    }
    return null;
  }

  /**
   * Answers at once and closes the connection after the answer: whatever body the client still sends is not read.
   */
  private String refuse(HttpServerRequest request, int status, String reason, String error, String detail) {
    refusedRequests.computeIfAbsent(reason, key -> meters.counter("mirador_http_requests_refused_total",
        "HTTP requests refused before routing, by reason: host, origin, content_length, body_size, query, path",
        Map.of("reason", key))).increment();
    request.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, Api.JSON)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(new JsonObject().put("error", error).put("detail", detail).encode())
        .onComplete(done -> {
          if (!request.isEnded() && request.connection() != null) {
            request.connection().close();
          }
        });
    return reason;
  }

  /** The host of a Host header, lower case, without port; an IPv6 literal keeps its brackets. */
  static String hostName(String header) {
    String host = header.strip().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.indexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  /** Same origin as the Host the browser asked (so any allowed host), or listed in http.allowedOrigins. */
  private boolean originAllowed(String origin, String host, boolean ssl) {
    String normalized = origin.strip().toLowerCase(Locale.ROOT);
    if (allowedOrigins.contains(normalized) || allowedOrigins.contains("*")) {
      return true;
    }
    if (host == null || normalized.equals("null")) {
      return false;
    }
    try {
      URI uri = new URI(normalized);
      String scheme = ssl ? "https" : "http";
      if (uri.getHost() == null || !scheme.equals(uri.getScheme())) {
        return false;
      }
      int defaultPort = ssl ? 443 : 80;
      String asked = host.strip().toLowerCase(Locale.ROOT);
      String askedHost = hostName(asked);
      String rest = asked.substring(askedHost.length());
      int askedPort = rest.startsWith(":") ? Integer.parseInt(rest.substring(1)) : defaultPort;
      int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
      return uri.getHost().equals(askedHost) && port == askedPort;
    } catch (java.net.URISyntaxException | NumberFormatException e) {
      return false;
    }
  }

  private static boolean decodes(String text) {
    try {
      URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String clip(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }

  /**
   * The last API route: 405 with {@code Allow} when another method of the router serves this path, else 404.
   */
  public static void noRoute(Router router, RoutingContext ctx) {
    Set<String> allowed = new TreeSet<>();
    String path = ctx.request().path();
    for (Route route : router.getRoutes()) {
      String template = route.getPath();
      Set<HttpMethod> methods = route.methods();
      if (template == null || methods == null || methods.isEmpty() || !matcher(template).matcher(path).matches()) {
        continue;
      }
      methods.forEach(method -> allowed.add(method.name()));
    }
    allowed.remove(ctx.request().method().name());
    if (allowed.isEmpty()) {
      ctx.fail(ApiError.notFound("no API resource at " + ctx.request().method() + " " + path));
      return;
    }
    ctx.response().putHeader(HttpHeaders.ALLOW, String.join(", ", allowed));
    ctx.fail(new ApiError(405, "method not allowed",
        ctx.request().method() + " is not served at " + path + "; allowed: " + String.join(", ", allowed)));
  }

  private static final Map<String, Pattern> MATCHERS = new ConcurrentHashMap<>();

  /** A route path as Vert.x reads it: {@code :name} is one segment, a trailing {@code *} anything. */
  private static Pattern matcher(String template) {
    return MATCHERS.computeIfAbsent(template, t -> {
      StringBuilder regex = new StringBuilder();
      for (String part : t.split("(?=[/])")) {
        if (part.startsWith("/:")) {
          regex.append("/[^/]+");
        } else if (part.equals("/*")) {
          regex.append("(/.*)?");
        } else {
          regex.append(Pattern.quote(part.endsWith("*") ? part.substring(0, part.length() - 1) : part));
          if (part.endsWith("*")) {
            regex.append(".*");
          }
        }
      }
      return Pattern.compile(regex.toString());
    });
  }
}
