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

  private RunningMirador(Mirador mirador) {
    this.mirador = mirador;
    this.clientVertx = Vertx.vertx();
    this.http = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(mirador.httpPort()));
  }

  public static RunningMirador start(Mirador.Mode mode, JsonObject config) {
    return new RunningMirador(Await.result(Mirador.start(mode, config)));
  }

  @Override
  public void close() {
    Await.result(mirador.close());
    Await.result(clientVertx.close());
  }
}
