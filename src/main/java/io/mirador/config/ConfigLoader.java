package io.mirador.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads the configuration, each layer overriding the one before: the defaults shipped in the jar
 * ({@code conf/mirador.yaml}), the file given with {@code --conf}, the {@code MIRADOR_*} environment
 * variables, then command-line options.
 */
public final class ConfigLoader {

  /** The documented defaults, the same file as conf/mirador.yaml in the repository, read from the classpath. */
  public static final String DEFAULTS = "conf/mirador.yaml";

  private ConfigLoader() {
  }

  public static Future<JsonObject> load(Vertx vertx, Path file, Map<String, String> env, JsonObject commandLine) {
    if (file != null && !Files.isRegularFile(file)) {
      return Future.failedFuture(new IllegalArgumentException("config file " + file + " does not exist"));
    }
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0)
        .addStore(yaml(DEFAULTS));
    if (file != null) {
      options.addStore(file.toString().endsWith(".json") ? json(file) : yaml(file.toString()));
    }
    options.addStore(new ConfigStoreOptions().setType("json").setConfig(fromEnvironment(env)));
    options.addStore(new ConfigStoreOptions().setType("json").setConfig(commandLine));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .eventually(retriever::close)
        .map(config -> {
          Settings.validate(config);
          return config;
        });
  }

  /** The environment overrides of DESIGN.md §1, as a config tree. */
  static JsonObject fromEnvironment(Map<String, String> env) {
    JsonObject config = new JsonObject();
    set(config, env.get("MIRADOR_HTTP_HOST"), "http", "host");
    String port = env.get("MIRADOR_HTTP_PORT");
    if (port != null && !port.isBlank()) {
      try {
        set(config, Integer.parseInt(port.trim()), "http", "port");
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("MIRADOR_HTTP_PORT must be a port number, got '" + port + "'");
      }
    }
    set(config, env.get("MIRADOR_REDIS_URL"), "store", "redis", "url");
    set(config, env.get("MIRADOR_AMQP_URL"), "transport", "amqp", "url");
    set(config, env.get("MIRADOR_DATA_DIR"), "agent", "dataDir");
    set(config, env.get("MIRADOR_AGENT_HOSTNAME"), "agent", "hostname");
    String jobs = env.get("MIRADOR_JOBS_ENABLED");
    if (jobs != null) {
      if (!jobs.equals("true") && !jobs.equals("false")) {
        throw new IllegalArgumentException("MIRADOR_JOBS_ENABLED must be true or false, got '" + jobs + "'");
      }
      set(config, Boolean.parseBoolean(jobs), "hub", "jobs", "enabled");
    }
    // one variable for both sides: a hub takes it as its reusable bootstrap token, an agent enrolls with it
    set(config, env.get("MIRADOR_ENROLL_TOKEN"), "hub", "enroll", "token");
    set(config, env.get("MIRADOR_ENROLL_TOKEN"), "agent", "enroll", "token");
    set(config, env.get("MIRADOR_ADMIN_TOKEN"), "auth", "adminToken");
    return config;
  }

  /** Sets a nested value, creating the objects on the way; blank strings are ignored. */
  public static void set(JsonObject config, Object value, String... path) {
    if (value == null || (value instanceof String s && s.isBlank())) {
      return;
    }
    JsonObject node = config;
    for (int i = 0; i < path.length - 1; i++) {
      JsonObject child = node.getJsonObject(path[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(path[i], child);
      }
      node = child;
    }
    node.put(path[path.length - 1], value);
  }

  private static ConfigStoreOptions yaml(String path) {
    return new ConfigStoreOptions().setType("file").setFormat("yaml").setConfig(new JsonObject().put("path", path));
  }

  private static ConfigStoreOptions json(Path path) {
    return new ConfigStoreOptions().setType("file").setFormat("json").setConfig(new JsonObject().put("path", path.toString()));
  }
}
