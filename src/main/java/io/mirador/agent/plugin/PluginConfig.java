package io.mirador.agent.plugin;

import io.mirador.config.Settings;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * Where the agent looks for plugin jars and how often.
 *
 * @param dir         {@code agent.plugins.dir}, default {@code <agent.dataDir>/plugins}
 * @param scanSeconds {@code agent.plugins.scanSeconds}, default 5; a new or changed jar is loaded after it has
 *                    looked the same to two scans in a row
 */
public record PluginConfig(Path dir, int scanSeconds) {

  public static final int DEFAULT_SCAN_SECONDS = 5;

  /** Reads the agent's section of the configuration ({@code agent}). */
  public static PluginConfig of(JsonObject agentSection) {
    JsonObject plugins = Settings.section(agentSection, "plugins");
    String dir = plugins.getString("dir", "");
    Path path = dir.isBlank() ? Path.of(agentSection.getString("dataDir", "data"), "plugins") : Path.of(dir);
    return new PluginConfig(path, Settings.positiveInt(plugins, "scanSeconds", DEFAULT_SCAN_SECONDS));
  }
}
