package io.mirador.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private final Vertx vertx = Vertx.vertx();

  @TempDir
  Path dir;

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void defaultsComeFromTheShippedFile() {
    JsonObject config = Await.result(ConfigLoader.load(vertx, null, Map.of(), new JsonObject()));
    assertEquals("127.0.0.1", config.getJsonObject("http").getString("host"), "standalone binds loopback unless told otherwise");
    assertEquals(8080, config.getJsonObject("http").getInteger("port"));
    assertEquals(2, config.getJsonObject("hub").getJsonObject("heartbeat").getInteger("staleAfterIntervals"));
    assertEquals(5, config.getJsonObject("agent").getJsonObject("collectors").getJsonObject("cpu").getInteger("intervalSeconds"));
  }

  @Test
  void fileThenEnvironmentThenCommandLineEachOverrideOnlyWhatTheySet() throws Exception {
    Path file = dir.resolve("hub.yaml");
    Files.writeString(file, "http:\n  port: 9000\n  host: 0.0.0.0\nagent:\n  heartbeatSeconds: 3\n");
    JsonObject config = Await.result(ConfigLoader.load(vertx, file,
        Map.of("MIRADOR_HTTP_PORT", "9100", "MIRADOR_DATA_DIR", "/tmp/agent-x", "MIRADOR_AGENT_HOSTNAME", "web-01",
            "MIRADOR_REDIS_URL", "redis://10.0.0.1:6379", "MIRADOR_AMQP_URL", "amqp://u:p@broker:5672"),
        new JsonObject().put("http", new JsonObject().put("port", 9200))));
    assertEquals(9200, config.getJsonObject("http").getInteger("port"), "the command line wins");
    assertEquals("0.0.0.0", config.getJsonObject("http").getString("host"), "the file's value stays where nothing overrides it");
    assertEquals(3, config.getJsonObject("agent").getInteger("heartbeatSeconds"));
    assertEquals("/tmp/agent-x", config.getJsonObject("agent").getString("dataDir"));
    assertEquals("web-01", config.getJsonObject("agent").getString("hostname"));
    assertEquals("redis://10.0.0.1:6379", config.getJsonObject("store").getJsonObject("redis").getString("url"));
    assertEquals("amqp://u:p@broker:5672", config.getJsonObject("transport").getJsonObject("amqp").getString("url"));
    assertEquals(10_000, config.getJsonObject("agent").getJsonObject("outbox").getInteger("maxEvents"), "defaults under an overridden section survive");
  }

  @Test
  void badValuesAreClearStartupErrors() throws Exception {
    assertRejected(Map.of("MIRADOR_HTTP_PORT", "eighty"), new JsonObject(), "MIRADOR_HTTP_PORT must be a port number");
    assertRejected(Map.of(), new JsonObject().put("http", new JsonObject().put("port", 70000)), "http.port must be");
    assertRejected(Map.of(), new JsonObject().put("hub", new JsonObject().put("heartbeat", new JsonObject().put("downAfterIntervals", 2))),
        "must be greater than staleAfterIntervals");
    assertRejected(Map.of(), new JsonObject().put("hub", new JsonObject().put("roles", new io.vertx.core.json.JsonArray().add("chef"))),
        "unknown hub role 'chef'");
    assertRejected(Map.of(), new JsonObject().put("agent", new JsonObject().put("collectors",
        new JsonObject().put("cpu", new JsonObject().put("intervalSeconds", -5)))), "intervalSeconds' must be a positive integer");
    Throwable missing = failure(ConfigLoader.load(vertx, dir.resolve("nope.yaml"), Map.of(), new JsonObject()));
    assertTrue(missing.getMessage().contains("does not exist"));
  }

  private void assertRejected(Map<String, String> env, JsonObject commandLine, String reason) {
    Throwable failure;
    try {
      failure = failure(ConfigLoader.load(vertx, null, env, commandLine));
    } catch (IllegalArgumentException thrown) {
      failure = thrown;
    }
    assertInstanceOf(IllegalArgumentException.class, failure);
    assertTrue(failure.getMessage().contains(reason), failure.getMessage());
  }

  private static Throwable failure(io.vertx.core.Future<?> future) {
    try {
      Await.result(future);
    } catch (AssertionError e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
