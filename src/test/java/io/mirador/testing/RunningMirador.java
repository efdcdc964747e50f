package io.mirador.testing;

import io.mirador.Mirador;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * A Mirador started in-process for a test, with an HTTP client of its own on a separate Vert.x instance, so
 * requests never share an event loop with the server they test.
 */
public final class RunningMirador implements AutoCloseable {

  public final Mirador mirador;
  public final Vertx clientVertx;
  public final WebClient http;

  private RunningMirador(Mirador mirador, boolean withAdminToken) {
    this.mirador = mirador;
    this.clientVertx = Vertx.vertx();
    this.http = withAdminToken ? TestConfig.api(clientVertx, mirador.httpPort())
        : WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(mirador.httpPort()));
  }

  /** Its {@link #http} sends {@link TestConfig#ADMIN_TOKEN} when the config provisions it (every {@link TestConfig#hubOnly}). */
  public static RunningMirador start(Mirador.Mode mode, JsonObject config) {
    boolean withAdminToken = TestConfig.ADMIN_TOKEN.equals(config.getJsonObject("auth", new JsonObject()).getString("adminToken"));
    return new RunningMirador(Await.result(Mirador.start(mode, config)), withAdminToken);
  }

  @Override
  public void close() {
    Await.result(mirador.close());
    Await.result(clientVertx.close());
  }
}
