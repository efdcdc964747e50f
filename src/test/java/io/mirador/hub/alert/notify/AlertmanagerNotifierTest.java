package io.mirador.hub.alert.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mirador.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alertmanager notifier against Debian's real {@code prometheus-alertmanager} (scripts/test.sh installs it), run on
 * loopback on a free port with its own configuration and data directory, clustering off.
 */
class AlertmanagerNotifierTest extends NotifierFixture {

  private static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

  @TempDir
  Path dir;

  private Process alertmanager;
  private int port;

  @BeforeEach
  void startAlertmanager() throws Exception {
    assumeTrue(Files.isExecutable(BINARY), "prometheus-alertmanager is not installed (apt-get install -y prometheus-alertmanager)");
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Path config = dir.resolve("alertmanager.yml");
    Files.writeString(config, "route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n");
    alertmanager = new ProcessBuilder(BINARY.toString(), "--config.file=" + config, "--storage.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=").redirectErrorStream(true)
        .redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
    Await.until(vertx, "alertmanager ready on " + port, Duration.ofSeconds(20), () -> get("/-/ready").map(body -> Optional.of(true)));
  }

  @AfterEach
  void stop() throws IOException, InterruptedException {
    if (alertmanager != null) {
      alertmanager.destroy();
      alertmanager.waitFor();
    }
    closeVertx();
  }

  private Future<String> get(String path) {
    return context.http().request(HttpMethod.GET, port, "127.0.0.1", path).compose(r -> r.send()).compose(response ->
        response.statusCode() == 200 ? response.body().map(Object::toString) : Future.failedFuture("status " + response.statusCode()));
  }

  @Test
  void alertsReachAlertmanagersApiAsPrometheusSendsThem() {
    NotifierConfig config = config("am", new JsonObject().put("type", "alertmanager").put("url", "http://127.0.0.1:" + port + "/")
        .put("repeatInterval", "1m"));
    Await.result(send(config));
    JsonArray active = Await.until(vertx, "the firing alert in Alertmanager", Duration.ofSeconds(10), () ->
        get("/api/v2/alerts?active=true&silenced=false&inhibited=false").map(body -> {
          JsonArray alerts = new JsonArray(body);
          return alerts.isEmpty() ? Optional.<JsonArray>empty() : Optional.of(alerts);
        }));
    assertEquals(1, active.size(), active.encode());
    JsonObject alert = active.getJsonObject(0);
    assertEquals("HighCpu", alert.getJsonObject("labels").getString("alertname"));
    assertEquals("a1", alert.getJsonObject("labels").getString("agent"));
    assertEquals("CPU 95% on web-1", alert.getJsonObject("annotations").getString("summary"));
    assertEquals("active", alert.getJsonObject("status").getString("state"));
    assertTrue(alert.getString("generatorURL").startsWith("http://mirador.test"));
    // the resolved one was sent with its end in the past: Alertmanager keeps it as resolved, not active
    JsonArray all = new JsonArray(Await.result(get("/api/v2/alerts")));
    assertTrue(all.stream().map(JsonObject.class::cast).noneMatch(a -> "a2".equals(a.getJsonObject("labels").getString("agent"))),
        all.encode());
  }
}
