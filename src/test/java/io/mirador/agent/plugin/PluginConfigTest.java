package io.mirador.agent.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PluginConfigTest {

  @Test
  void pluginsLiveInTheDataDirectoryAndAreScannedEveryFiveSeconds() {
    assertEquals(new PluginConfig(Path.of("data", "plugins"), 5), PluginConfig.of(new JsonObject()));
    assertEquals(new PluginConfig(Path.of("/var/lib/mirador/plugins"), 5), PluginConfig.of(new JsonObject().put("dataDir", "/var/lib/mirador")));
  }

  @Test
  void folderAndPeriodCanBeSet() {
    JsonObject agent = new JsonObject().put("dataDir", "data")
        .put("plugins", new JsonObject().put("dir", "/opt/mirador/plugins").put("scanSeconds", 30));
    assertEquals(new PluginConfig(Path.of("/opt/mirador/plugins"), 30), PluginConfig.of(agent));
  }

  @Test
  void aPeriodThatIsNotAPositiveIntegerIsAConfigError() {
    JsonObject agent = new JsonObject().put("plugins", new JsonObject().put("scanSeconds", 0));
    assertThrows(IllegalArgumentException.class, () -> PluginConfig.of(agent));
  }
}
