package io.mirador.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import java.nio.file.Path;

/** Configuration overrides for a Mirador started in a test: random port, own data dir, fast intervals. */
public final class TestConfig {

  /**
   * The admin API token of every hub a test starts ({@code auth.adminToken}, as MIRADOR_ADMIN_TOKEN sets it): a hub
   * always asks for a login, and its first start on an empty store makes this its admin token. Send it with
   * {@link #api} or {@link #bearer}.
   */
  public static final String ADMIN_TOKEN = "mirador_test-admin-token-not-a-secret-0123456789";

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
    return new JsonObject().put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0))
        .put("auth", new JsonObject().put("adminToken", ADMIN_TOKEN));
  }

  /** {@code Authorization} header value with {@link #ADMIN_TOKEN}. */
  public static String bearer() {
    return "Bearer " + ADMIN_TOKEN;
  }

  /** An HTTP client of the API at 127.0.0.1:{@code port} that sends {@link #ADMIN_TOKEN} with every request. */
  public static WebClient api(Vertx vertx, int port) {
    return WebClientSession.create(WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)))
        .addHeader("authorization", bearer());
  }
}
