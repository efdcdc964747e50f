package io.mirador.testing;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/** Configuration overrides for a Mirador started in a test: random port, own data dir, fast intervals. */
public final class TestConfig {

  private TestConfig() {
  }

  public static JsonObject standalone(Path dataDir) {
    JsonObject collectorsEverySecond = new JsonObject();
    for (String name : new String[] {"cpu", "memory", "load", "network", "diskio", "filesystem", "processes", "uptime"}) {
      collectorsEverySecond.put(name, new JsonObject().put("intervalSeconds", 1));
    }
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("agent", new JsonObject()
            .put("dataDir", dataDir.toString())
            .put("heartbeatSeconds", 1)
            .put("collectors", collectorsEverySecond));
  }

  public static JsonObject hubOnly() {
    return new JsonObject().put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0));
  }
}
