package io.mirador.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard with login on, in headless Chromium: without a session the page goes to the login page and the
 * bridge stays closed; after logging in through the form the dashboard shows the user and its live connection;
 * logging out goes back to the login page.
 */
class LoginBrowserTest {

  private static final Path CHROMIUM = Path.of(System.getProperty("mirador.chromium", "/usr/bin/chromium"));
  private static final Duration PATIENCE = Duration.ofSeconds(45);

  @Test
  void aBrowserLogsInThroughTheFormAndGetsTheLiveFeedThenLogsOut(@TempDir Path tempDir) throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      if (Boolean.getBoolean("mirador.requireBrowser")) {
        fail(CHROMIUM + " is missing and mirador.requireBrowser=true");
      }
      Assumptions.abort(CHROMIUM + " is missing; install chromium to run the browser test");
    }
    JsonObject config = TestConfig.standalone(tempDir.resolve("agent")).put("auth", new JsonObject().put("enabled", true));
    Mirador mirador = Await.result(Mirador.start(Mirador.Mode.STANDALONE, config), Duration.ofSeconds(60));
    try (HeadlessChromium browser = HeadlessChromium.launch(CHROMIUM, tempDir.resolve("chromium"))) {
      String base = "http://127.0.0.1:" + mirador.httpPort();
      String admin = Files.readString(tempDir.resolve("agent").resolve("admin-token")).strip();
      HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/users/vera"))
          .header("authorization", "Bearer " + admin).header("content-type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString("{\"password\":\"browser-pass-1\",\"role\":\"viewer\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(201, created.statusCode(), created.body());

      browser.navigate(base + "/");
      waitUntil(browser, "location.pathname === '/login.html'", "no session: the dashboard sends the browser to the login page");
      waitUntil(browser, "!document.getElementById('login-submit').disabled", "the login form ready (its script handles the submit)");

      browser.evaluate("document.getElementById('login-name').value = 'vera';"
          + "document.getElementById('login-password').value = 'wrong-password';"
          + "document.getElementById('login-submit').click(); true", Duration.ofSeconds(5));
      waitUntil(browser, "!document.getElementById('login-error').hidden", "a wrong password is said on the page");
      browser.evaluate("document.getElementById('login-password').value = 'browser-pass-1';"
          + "document.getElementById('login-submit').click(); true", Duration.ofSeconds(5));
      waitUntil(browser, "location.pathname === '/' && document.querySelector('#conn').dataset.state === 'live'"
          + " && !document.getElementById('session').hidden", "logged in: the dashboard and its live bridge");
      assertEquals("vera · viewer", browser.evaluate("document.querySelector('#session .who').textContent", Duration.ofSeconds(5)));
      assertEquals(false, browser.evaluate("document.cookie.includes('mirador_session')", Duration.ofSeconds(5)),
          "the session cookie is HttpOnly: no script sees it");

      browser.evaluate("document.getElementById('logout').click(); true", Duration.ofSeconds(5));
      waitUntil(browser, "location.pathname === '/login.html'", "logged out: back to the login page");
      browser.navigate(base + "/");
      waitUntil(browser, "location.pathname === '/login.html'", "the ended session opens nothing");
    } finally {
      Await.result(mirador.close());
    }
  }

  private static void waitUntil(HeadlessChromium browser, String condition, String what) throws InterruptedException {
    Await.condition(PATIENCE, Duration.ofMillis(200), () -> {
      try {
        return Boolean.TRUE.equals(browser.evaluate("(() => { try { return " + condition + "; } catch (e) { return false; } })()",
            Duration.ofSeconds(5)));
      } catch (Exception navigating) {
        return false; // the page is being replaced: ask again
      }
    }, () -> what + "\nchromium:\n" + browser.log());
  }
}
