package io.mirador.hub.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standalone with {@code auth.enabled: true}, over real HTTP: the first-start admin token, users and tokens made
 * through the API, logins and sessions, roles enforced on the routes, the audit log, the bridge behind the session,
 * and no secret in any log line, API answer or /metrics.
 */
class AuthenticationTest {

  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final String VIEWER_PASSWORD = "viewer-pass-7Qx";
  private static final String OPERATOR_PASSWORD = "operator-pass-9Zy";

  @TempDir
  static Path dataDir;

  private static LogCapture log;
  private static RunningMirador app;
  private static String adminToken;
  /** Every secret the tests use or get: none may show anywhere but where it was given. */
  private static final List<String> secrets = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    log = new LogCapture();
    JsonObject config = TestConfig.standalone(dataDir).put("auth", new JsonObject().put("enabled", true).put("maxLoginFailures", 1000));
    app = RunningMirador.start(Mirador.Mode.STANDALONE, config);
    adminToken = Files.readString(dataDir.resolve("admin-token")).strip();
    secrets.add(adminToken);
    secrets.add(VIEWER_PASSWORD);
    secrets.add(OPERATOR_PASSWORD);
    assertEquals(201, send(as(adminToken, HttpMethod.PUT, "/api/v1/users/vera"),
        new JsonObject().put("password", VIEWER_PASSWORD).put("role", "viewer")).statusCode());
    assertEquals(201, send(as(adminToken, HttpMethod.PUT, "/api/v1/users/otto"),
        new JsonObject().put("password", OPERATOR_PASSWORD).put("role", "operator")).statusCode());
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    log.close();
  }

  private static HttpRequest<Buffer> as(String credential, HttpMethod method, String path) {
    HttpRequest<Buffer> request = app.http.request(method, path);
    return credential == null ? request : request.putHeader("authorization", "Bearer " + credential);
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> request, JsonObject body) {
    HttpResponse<Buffer> response = Await.result(body == null ? request.send() : request.sendJsonObject(body));
    String text = response.bodyAsString() == null ? "" : response.bodyAsString();
    for (String secret : secrets) {
      assertFalse(text.contains(secret), request.method() + " " + request.uri() + " answered a secret: " + text);
    }
    return response;
  }

  private static HttpResponse<Buffer> get(String credential, String path) {
    return send(as(credential, HttpMethod.GET, path), null);
  }

  private static String login(String name, String password) {
    HttpResponse<Buffer> response = Await.result(app.http.post("/api/v1/login")
        .sendJsonObject(new JsonObject().put("name", name).put("password", password)));
    assertEquals(200, response.statusCode(), response.bodyAsString());
    String session = response.bodyAsJsonObject().getString("token");
    secrets.add(session);
    return session;
  }

  @Test
  void theFirstStartWroteAnAdminTokenThatOnlyItsOwnerCanRead() throws Exception {
    Path file = dataDir.resolve("admin-token");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(adminToken.startsWith(Credentials.TOKEN_PREFIX) && adminToken.length() > 40, "32 random bytes");
    assertTrue(log.text().contains(file.toAbsolutePath().toString()), "the log says where the token is");
    JsonObject me = get(adminToken, "/api/v1/session").bodyAsJsonObject();
    assertEquals("admin", me.getString("role"));
    assertEquals("token", me.getString("kind"));
    assertEquals(true, me.getBoolean("auth"));
  }

  @Test
  void noCredentialOrAWrongOneIsA401WithAJsonError() {
    for (String credential : new String[] {null, "mirador_not-a-real-token", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad"}) {
      HttpResponse<Buffer> response = get(credential, "/api/v1/agents");
      assertEquals(401, response.statusCode(), response.bodyAsString());
      assertEquals("unauthorized", response.bodyAsJsonObject().getString("error"));
      assertNotNull(response.bodyAsJsonObject().getString("detail"));
      assertEquals("Bearer realm=\"mirador\"", response.getHeader("www-authenticate"));
    }
    assertEquals(401, get(null, "/api/v1/checks").statusCode());
    assertEquals(200, get(null, "/api/v1/health").statusCode(), "probes ask health without a token");
    assertEquals(401, send(as(null, HttpMethod.PUT, "/api/v1/checks/nope"), new JsonObject().put("command", "id")).statusCode());
    assertEquals(404, get(adminToken, "/api/v1/checks/nope").statusCode(), "and nothing was made");
  }

  @Test
  void aViewerReadsButMayNotChangeChecksAnOperatorMay() {
    String viewer = login("vera", VIEWER_PASSWORD);
    String operator = login("otto", OPERATOR_PASSWORD);
    JsonObject check = new JsonObject().put("command", "true").put("interval", 60).put("subscriptions", new io.vertx.core.json.JsonArray().add("all"));

    assertEquals(200, get(viewer, "/api/v1/checks").statusCode());
    assertEquals(200, get(viewer, "/api/v1/agents").statusCode());
    HttpResponse<Buffer> refused = send(as(viewer, HttpMethod.PUT, "/api/v1/checks/by-viewer"), check);
    assertEquals(403, refused.statusCode());
    assertEquals("forbidden", refused.bodyAsJsonObject().getString("error"));
    assertEquals(404, get(viewer, "/api/v1/checks/by-viewer").statusCode(), "a refused change changed nothing");

    assertEquals(201, send(as(operator, HttpMethod.PUT, "/api/v1/checks/by-operator"), check).statusCode());
    assertEquals(204, send(as(operator, HttpMethod.DELETE, "/api/v1/checks/by-operator"), null).statusCode());
    assertEquals(403, send(as(operator, HttpMethod.PUT, "/api/v1/notifiers/ops"),
        new JsonObject().put("type", "webhook").put("url", "http://127.0.0.1:9/")).statusCode(), "notifiers are for admins");
    assertEquals(403, get(operator, "/api/v1/users").statusCode());
    assertEquals(403, get(operator, "/api/v1/audit").statusCode());
    assertEquals(403, send(as(operator, HttpMethod.POST, "/api/v1/tokens"), new JsonObject().put("role", "admin")).statusCode());
  }

  @Test
  void anApiTokenCarriesItsRoleAndARevokedOneIsRefused() {
    HttpResponse<Buffer> created = send(as(adminToken, HttpMethod.POST, "/api/v1/tokens"),
        new JsonObject().put("name", "grafana").put("role", "viewer"));
    assertEquals(201, created.statusCode());
    String token = created.bodyAsJsonObject().getString("token");
    String id = created.bodyAsJsonObject().getString("id");
    secrets.add(token);

    assertEquals(200, get(token, "/api/v1/alerts").statusCode());
    assertEquals(403, send(as(token, HttpMethod.POST, "/api/v1/silences"), new JsonObject()).statusCode());
    JsonObject listed = get(adminToken, "/api/v1/tokens").bodyAsJsonObject();
    assertTrue(listed.getJsonArray("tokens").stream().map(JsonObject.class::cast)
        .anyMatch(t -> t.getString("id").equals(id) && t.getString("role").equals("viewer") && !t.containsKey("hash")));

    assertEquals(204, send(as(adminToken, HttpMethod.DELETE, "/api/v1/tokens/" + id), null).statusCode());
    assertEquals(401, get(token, "/api/v1/alerts").statusCode());
  }

  @Test
  void theSessionCookieIsHttpOnlyAndStrictAndLogoutEndsTheSession() {
    HttpResponse<Buffer> response = Await.result(app.http.post("/api/v1/login")
        .sendJsonObject(new JsonObject().put("name", "vera").put("password", VIEWER_PASSWORD)));
    String cookie = response.cookies().stream().filter(c -> c.startsWith(Authenticator.COOKIE + "=")).findFirst().orElseThrow();
    assertTrue(cookie.toLowerCase(java.util.Locale.ROOT).contains("httponly") && cookie.contains("SameSite=Strict"), cookie);
    String session = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));
    secrets.add(session);

    HttpResponse<Buffer> me = Await.result(app.http.get("/api/v1/session").putHeader("cookie", Authenticator.COOKIE + "=" + session).send());
    assertEquals(200, me.statusCode());
    assertEquals("vera", me.bodyAsJsonObject().getString("name"));
    assertEquals("viewer", me.bodyAsJsonObject().getString("role"));

    assertEquals(204, Await.result(app.http.post("/api/v1/logout").putHeader("cookie", Authenticator.COOKIE + "=" + session).send()).statusCode());
    assertEquals(401, Await.result(app.http.get("/api/v1/session").putHeader("cookie", Authenticator.COOKIE + "=" + session).send()).statusCode());
    assertEquals(401, get(session, "/api/v1/session").statusCode(), "ended for the bearer form too");
  }

  @Test
  void aWrongPasswordIsA401AndAChangedPasswordEndsTheOldSessions() {
    HttpResponse<Buffer> wrong = Await.result(app.http.post("/api/v1/login")
        .sendJsonObject(new JsonObject().put("name", "vera").put("password", "not-her-password")));
    assertEquals(401, wrong.statusCode());
    assertEquals(401, Await.result(app.http.post("/api/v1/login")
        .sendJsonObject(new JsonObject().put("name", "nobody").put("password", "whatever-it-is"))).statusCode());
    assertEquals(400, Await.result(app.http.post("/api/v1/login").sendJsonObject(new JsonObject().put("name", "vera"))).statusCode());

    assertEquals(201, send(as(adminToken, HttpMethod.PUT, "/api/v1/users/paula"),
        new JsonObject().put("password", "first-pass-123").put("role", "viewer")).statusCode());
    secrets.add("first-pass-123");
    secrets.add("second-pass-456");
    String before = login("paula", "first-pass-123");
    assertEquals(200, send(as(adminToken, HttpMethod.PUT, "/api/v1/users/paula"), new JsonObject().put("password", "second-pass-456")).statusCode());
    assertEquals(401, get(before, "/api/v1/agents").statusCode());
    assertEquals(200, get(login("paula", "second-pass-456"), "/api/v1/agents").statusCode());
    assertEquals(400, send(as(adminToken, HttpMethod.PUT, "/api/v1/users/paula"), new JsonObject().put("password", "short")).statusCode());
    assertEquals(400, send(as(adminToken, HttpMethod.PUT, "/api/v1/users/bad%20name"),
        new JsonObject().put("password", "long-enough-1").put("role", "viewer")).statusCode());
    assertEquals(400, send(as(adminToken, HttpMethod.PUT, "/api/v1/users/paula"), new JsonObject().put("role", "root")).statusCode());

    assertEquals(204, send(as(adminToken, HttpMethod.DELETE, "/api/v1/users/paula"), null).statusCode());
    assertEquals(401, Await.result(app.http.post("/api/v1/login")
        .sendJsonObject(new JsonObject().put("name", "paula").put("password", "second-pass-456"))).statusCode());
  }

  @Test
  void theAuditLogSaysWhoChangedWhatWhenAndFromWhere() {
    String operator = login("otto", OPERATOR_PASSWORD);
    long before = System.currentTimeMillis();
    JsonObject check = new JsonObject().put("command", "true").put("interval", 60).put("subscriptions", new io.vertx.core.json.JsonArray().add("all"));
    assertEquals(201, send(as(operator, HttpMethod.PUT, "/api/v1/checks/audited"), check).statusCode());
    assertEquals(201, send(as(operator, HttpMethod.POST, "/api/v1/silences"), new JsonObject()
        .put("matchers", new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "alertname").put("value", "Audited")))
        .put("endsAt", java.time.Instant.now().plusSeconds(7200).toString())).statusCode());

    JsonObject entry = get(adminToken, "/api/v1/audit?action=check.put&target=audited").bodyAsJsonObject()
        .getJsonArray("entries").getJsonObject(0);
    assertEquals("otto", entry.getString("principal"));
    assertEquals("user", entry.getString("kind"));
    assertEquals("127.0.0.1", entry.getString("remote"));
    assertTrue(entry.getLong("ts") >= before);
    List<String> silenceActions = new ArrayList<>();
    get(adminToken, "/api/v1/audit?action=silence.&principal=otto").bodyAsJsonObject().getJsonArray("entries")
        .forEach(e -> silenceActions.add(((JsonObject) e).getString("action")));
    assertTrue(silenceActions.contains("silence.create"), silenceActions.toString());
    JsonObject users = get(adminToken, "/api/v1/audit?action=user.create").bodyAsJsonObject();
    assertTrue(users.getJsonArray("entries").stream().map(JsonObject.class::cast)
        .anyMatch(e -> e.getString("target").equals("vera") && e.getString("kind").equals("token")));
    assertEquals(400, get(adminToken, "/api/v1/audit?limit=0").statusCode());
    assertEquals(400, get(adminToken, "/api/v1/audit?since=yesterday").statusCode());
  }

  @Test
  void theBridgeRefusesABrowserWithoutASessionAndServesOneWithIt() throws Exception {
    WebSocketClient client = app.clientVertx.createWebSocketClient();
    try {
      // without a session: the handshake is refused (401), so nothing can be registered or delivered
      io.vertx.core.Future<WebSocket> anonymous = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(app.mirador.httpPort()).setURI("/eventbus/websocket"));
      Throwable refused = Await.result(anonymous.transform(ar -> io.vertx.core.Future.<Throwable>succeededFuture(ar.cause())));
      assertTrue(refused instanceof io.vertx.core.http.UpgradeRejectedException rejected && rejected.getStatus() == 401, String.valueOf(refused));
      assertEquals(401, Await.result(app.http.get("/eventbus/info").send()).statusCode(), "SockJS's own requests too");

      String session = login("vera", VIEWER_PASSWORD);
      WebSocket browser = Await.result(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
          .setPort(app.mirador.httpPort()).setURI("/eventbus/websocket").addHeader("cookie", Authenticator.COOKIE + "=" + session)));
      List<JsonObject> frames = new CopyOnWriteArrayList<>();
      browser.handler(frame -> frames.add(new JsonObject(frame.toString())));
      browser.writeTextMessage(new JsonObject().put("type", "register").put("address", "mirador.live.auth-test").encode());
      browser.writeTextMessage(new JsonObject().put("type", "register").put("address", "mirador.private").encode());
      Await.condition(PATIENCE, Duration.ofMillis(100), () -> {
        app.mirador.vertx().eventBus().publish("mirador.live.auth-test", new JsonObject().put("hello", "browser"));
        return frames.stream().anyMatch(f -> "mirador.live.auth-test".equals(f.getString("address")));
      }, () -> "no live message reached the browser with a session: " + frames);
      assertTrue(frames.stream().anyMatch(f -> "err".equals(f.getString("type"))), "an address outside mirador.live.* is refused: " + frames);
      Await.result(browser.close());
    } finally {
      Await.result(client.close());
    }
  }

  @Test
  void noSecretIsInTheLogOrTheMetrics() {
    login("vera", VIEWER_PASSWORD);
    String metrics = Await.result(app.http.get("/metrics").send()).bodyAsString();
    assertTrue(metrics.contains("mirador_auth_logins_total"), "login counters are in /metrics");
    String logged = log.text();
    for (String secret : secrets) {
      assertFalse(logged.contains(secret), "a secret is in the log");
      assertFalse(metrics.contains(secret), "a secret is in /metrics");
    }
    assertFalse(get(adminToken, "/api/v1/users").bodyAsString().contains("pbkdf2"), "no hash in answers");
  }
}
