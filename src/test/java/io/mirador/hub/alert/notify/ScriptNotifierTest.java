package io.mirador.hub.alert.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.testing.Await;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptNotifierTest extends NotifierFixture {

  @TempDir
  Path dir;

  @AfterEach
  void close() {
    closeVertx();
  }

  private NotifierConfig script(String shell, String timeout) {
    return config("script", new JsonObject().put("type", "script").put("timeout", timeout)
        .put("argv", new JsonArray().add("/bin/sh").add("-c").add(shell)));
  }

  @Test
  void thePayloadArrivesOnStandardInput() throws Exception {
    Path out = dir.resolve("payload.json");
    Await.result(send(script("cat > '" + out + "'", "5s")));
    JsonObject payload = new JsonObject(Files.readString(out));
    assertEquals("4", payload.getString("version"));
    assertEquals(2, payload.getJsonArray("alerts").size());
  }

  @Test
  void aFailingExitIsAFailureWithItsOutput() {
    Throwable failure = failure(script("echo 'no route to pager'; exit 3", "5s"));
    assertTrue(failure.getMessage().contains("exited 3: no route to pager"), failure.getMessage());
  }

  @Test
  void aHungScriptAndItsChildAreKilledAtTheTimeout() throws Exception {
    Path pid = dir.resolve("child.pid");
    Throwable failure = failure(script("sleep 60 & echo $! > '" + pid + "'; wait", "500ms"));
    assertTrue(failure.getMessage().contains("killed after its timeout"), failure.getMessage());
    long child = Long.parseLong(Files.readString(pid).strip());
    io.mirador.testing.Await.condition(java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(50),
        () -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true), () -> "the child " + child + " is gone");
  }

  @Test
  void argvIsRequired() {
    assertThrows(IllegalArgumentException.class, () -> config("s", new JsonObject().put("type", "script").put("argv", new JsonArray())));
  }
}
