package io.mirador.agent.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A running agent picks up a plugin jar dropped into its folder, follows a new version, and stops a removed one. */
class AgentPluginHotReloadTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir
  Path dataDir;

  private Mirador mirador;
  private WebClient http;

  @BeforeEach
  void start() throws Exception {
    Files.createDirectories(dataDir.resolve("plugins"));
    JsonObject config = TestConfig.standalone(dataDir);
    config.getJsonObject("agent").put("plugins", new JsonObject().put("scanSeconds", 1))
        .getJsonObject("collectors").put("hello", new JsonObject().put("intervalSeconds", 1));
    mirador = Await.result(Mirador.start(Mirador.Mode.STANDALONE, config));
    http = WebClient.create(mirador.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(mirador.httpPort()));
  }

  @AfterEach
  void stop() {
    Await.result(mirador.close());
  }

  @Test
  void pluginJarIsLoadedReplacedAndUnloadedWithoutARestart() throws Exception {
    int builtIns = (int) collectorsRunning();
    Path plugins = dataDir.resolve("plugins");
    FileTime settled = FileTime.from(Instant.now().minusSeconds(60));
    PluginJarBuilder.collector("com.example.hello.HelloCollector", "hello", "hello.value", 7).writeTo(plugins, "hello.jar", settled);
    awaitHello(7);
    assertEquals(builtIns + 1, collectorsRunning());

    PluginJarBuilder.collector("com.example.hello.HelloCollector", "hello", "hello.value", 8)
        .writeTo(plugins, "hello.jar", FileTime.from(Instant.now().minusSeconds(30)));
    awaitHello(8);
    assertEquals(builtIns + 1, collectorsRunning(), "the old version stopped when the new one started");

    Files.delete(plugins.resolve("hello.jar"));
    Await.untilTrue(mirador.vertx(), "the plugin's collector to stop", PATIENCE, () -> collectorsRunning() == builtIns);
    long lastHello = helloTs();
    long uptimeAfter = latestTs("system.uptime");
    Await.untilTrue(mirador.vertx(), "three more uptime readings", PATIENCE, () -> latestTs("system.uptime") > uptimeAfter + 2_500);
    assertEquals(lastHello, helloTs(), "no hello sample after the jar was removed");
  }

  private void awaitHello(double value) {
    Await.until(mirador.vertx(), "hello.value = " + value, PATIENCE, () -> latestEntry("hello.value")
        .map(entry -> Optional.ofNullable(entry != null && entry.getDouble("value") == value ? true : null)));
  }

  private long helloTs() {
    return Await.result(latestEntry("hello.value")).getLong("ts");
  }

  private long latestTs(String metric) {
    JsonObject entry = Await.result(latestEntry(metric));
    return entry == null ? 0 : entry.getLong("ts");
  }

  private Future<JsonObject> latestEntry(String metric) {
    return http.get("/api/v1/agents/" + mirador.agentId() + "/latest").send().map(r -> r.bodyAsJsonObject().getJsonArray("series").stream()
        .map(JsonObject.class::cast).filter(s -> s.getString("metric").equals(metric)).findFirst().orElse(null));
  }

  private double collectorsRunning() {
    String series = "mirador_agent_collectors{agent=\"" + mirador.agentId() + "\"} ";
    String text = Await.result(http.get("/metrics").send()).bodyAsString();
    return text.lines().filter(l -> l.startsWith(series)).mapToDouble(l -> Double.parseDouble(l.substring(series.length()))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + series + "in /metrics"));
  }
}
