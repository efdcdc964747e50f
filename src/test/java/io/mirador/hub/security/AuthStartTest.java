package io.mirador.hub.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When authentication is on and what a first start does: a hub refuses to run without it unless told explicitly, a
 * standalone bound beyond loopback too; MIRADOR_ADMIN_TOKEN is the first admin token; logins are rate-limited.
 */
class AuthStartTest {

  @TempDir
  Path dir;

  private Vertx client;

  @BeforeEach
  void client() {
    client = Vertx.vertx();
  }

  @AfterEach
  void close() {
    Await.result(client.close());
  }

  private WebClient http(Mirador mirador) {
    return WebClient.create(client, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(mirador.httpPort()));
  }

  private static String failure(io.vertx.core.Future<Mirador> start) {
    Throwable cause = Await.result(start.transform(ar -> io.vertx.core.Future.<Throwable>succeededFuture(ar.cause())));
    return cause == null ? null : cause.getMessage();
  }

  @Test
  void aHubWithAuthenticationOffRefusesToStartUnlessAllowedExplicitly() {
    JsonObject off = TestConfig.hubOnly().put("auth", new JsonObject().put("enabled", false));
    String refused = failure(Mirador.start(Mirador.Mode.HUB, off));
    assertTrue(refused != null && refused.contains("auth.allowInsecure"), String.valueOf(refused));

    JsonObject allowed = TestConfig.hubOnly().put("auth", new JsonObject().put("enabled", false).put("allowInsecure", true));
    Mirador hub = Await.result(Mirador.start(Mirador.Mode.HUB, allowed));
    try {
      assertEquals(200, Await.result(http(hub).get("/api/v1/agents").send()).statusCode(), "explicitly without login");
    } finally {
      Await.result(hub.close());
    }
  }

  @Test
  void aStandaloneBeyondLoopbackAsksForALoginAndOnLoopbackItDoesNot() {
    JsonObject exposed = TestConfig.standalone(dir.resolve("a"));
    exposed.getJsonObject("http").put("host", "0.0.0.0");
    exposed.put("auth", new JsonObject().put("enabled", false));
    String refused = failure(Mirador.start(Mirador.Mode.STANDALONE, exposed));
    assertTrue(refused != null && refused.contains("not loopback"), String.valueOf(refused));
    assertFalse(AuthSettings.of(new JsonObject().put("http", new JsonObject().put("host", "10.1.2.3")), false).refusal(false, "10.1.2.3") != null,
        "auto turns it on there: nothing to refuse");
    assertTrue(AuthSettings.of(new JsonObject().put("http", new JsonObject().put("host", "10.1.2.3")), false).enabled());
    assertFalse(AuthSettings.of(new JsonObject().put("http", new JsonObject().put("host", "127.0.0.1")), false).enabled());
    assertTrue(AuthSettings.of(new JsonObject(), true).enabled(), "a hub");

    Mirador standalone = Await.result(Mirador.start(Mirador.Mode.STANDALONE, TestConfig.standalone(dir.resolve("b"))));
    try {
      JsonObject session = Await.result(http(standalone).get("/api/v1/session").send()).bodyAsJsonObject();
      assertEquals(new JsonObject().put("name", "local").put("kind", "local").put("role", "admin").put("auth", false), session);
      assertFalse(Files.exists(dir.resolve("b").resolve("admin-token")), "no login, no token");
    } finally {
      Await.result(standalone.close());
    }
  }

  @Test
  void miradorAdminTokenFromTheEnvironmentIsTheFirstAdminTokenAndNoFileIsWritten() {
    String token = "provisioned-by-automation-" + java.util.UUID.randomUUID();
    JsonObject overrides = TestConfig.hubOnly();
    overrides.remove("auth");
    overrides.put("agent", new JsonObject().put("dataDir", dir.toString()));
    LogCapture log = new LogCapture();
    Mirador hub = Await.result(Mirador.start(Mirador.Mode.HUB, null, Map.of("MIRADOR_ADMIN_TOKEN", token), overrides));
    try {
      assertTrue(log.text().contains("MIRADOR_ADMIN_TOKEN is the admin API token"), "the log says which token is the admin's");
      WebClient http = http(hub);
      HttpResponse<Buffer> me = Await.result(http.get("/api/v1/session").putHeader("authorization", "Bearer " + token).send());
      assertEquals(200, me.statusCode());
      assertEquals("admin", me.bodyAsJsonObject().getString("role"));
      assertEquals(401, Await.result(http.get("/api/v1/session").send()).statusCode());
      assertFalse(Files.exists(dir.resolve("admin-token")));
    } finally {
      Await.result(hub.close());
      log.close();
    }
    assertFalse(log.text().contains(token), "the token itself is never logged");
    String tooShort = failure(Mirador.start(Mirador.Mode.HUB, null, Map.of("MIRADOR_ADMIN_TOKEN", "short"), TestConfig.hubOnly().put("auth", new JsonObject())));
    assertTrue(tooShort != null && tooShort.contains("MIRADOR_ADMIN_TOKEN") && !tooShort.contains("short"), tooShort);
  }

  @Test
  void repeatedWrongPasswordsFromOneAddressAreRefusedUncheckedAndCounted() {
    JsonObject config = TestConfig.hubOnly();
    config.getJsonObject("auth").put("maxLoginFailures", 3).put("loginWindowSeconds", 600);
    Mirador hub = Await.result(Mirador.start(Mirador.Mode.HUB, config));
    try {
      WebClient http = http(hub);
      assertEquals(201, Await.result(http.put("/api/v1/users/mallory").putHeader("authorization", TestConfig.bearer())
          .sendJsonObject(new JsonObject().put("password", "the-right-one").put("role", "viewer"))).statusCode());
      for (int i = 0; i < 3; i++) {
        assertEquals(401, Await.result(http.post("/api/v1/login")
            .sendJsonObject(new JsonObject().put("name", "mallory").put("password", "guess-" + i))).statusCode());
      }
      HttpResponse<Buffer> throttled = Await.result(http.post("/api/v1/login")
          .sendJsonObject(new JsonObject().put("name", "mallory").put("password", "the-right-one")));
      assertEquals(429, throttled.statusCode(), "even the right password, once over the limit");
      assertTrue(Integer.parseInt(throttled.getHeader("retry-after")) > 0);
      assertEquals("too many requests", throttled.bodyAsJsonObject().getString("error"));
      String metrics = Await.result(http.get("/metrics").send()).bodyAsString();
      assertTrue(metrics.contains("mirador_auth_login_failures_total 3"), metrics);
      assertTrue(metrics.contains("mirador_auth_logins_throttled_total 1"), metrics);
    } finally {
      Await.result(hub.close());
    }
  }

  @Test
  void authSettingsRejectBadValuesNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AuthSettings.of(new JsonObject().put("auth", new JsonObject().put("enabled", "yes")), true));
    assertTrue(e.getMessage().contains("auth.enabled"), e.getMessage());
    assertTrue(AuthSettings.isLoopback("127.0.0.1") && AuthSettings.isLoopback("::1") && AuthSettings.isLoopback("localhost")
        && AuthSettings.isLoopback("127.1.2.3"));
    assertFalse(AuthSettings.isLoopback("0.0.0.0") || AuthSettings.isLoopback("10.0.0.1") || AuthSettings.isLoopback("127.example.com"));
  }
}
