package io.mirador.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver on loopback for notifier tests: keeps every body it took (with the Authorization header it
 * came with), and answers 500 to the first {@link #failNext} requests.
 */
public final class WebhookReceiver implements AutoCloseable {

  public record Received(JsonObject body, String authorization, String path, String query, long at) {
  }

  public final List<Received> received = new CopyOnWriteArrayList<>();
  public final AtomicInteger failNext = new AtomicInteger();
  public final AtomicInteger requests = new AtomicInteger();
  /** What a successful request is answered (DingTalk and WeChat Work answer {"errcode":0,"errmsg":"ok"}). */
  public volatile String answer = "{}";
  private final Vertx vertx;
  private final HttpServer server;

  public WebhookReceiver() {
    vertx = Vertx.vertx();
    server = Await.result(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      requests.incrementAndGet();
      if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        request.response().setStatusCode(500).end("try again");
        return;
      }
      received.add(new Received(body.length() > 0 && body.getByte(0) == '[' ? new JsonObject().put("array", body.toJsonArray()) : body.toJsonObject(), request.getHeader("Authorization"), request.path(), request.query(), System.currentTimeMillis()));
      request.response().setStatusCode(200).putHeader("content-type", "application/json").end(answer);
    })).listen(0, "127.0.0.1"));
  }

  public int port() {
    return server.actualPort();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  public List<JsonObject> bodies() {
    return received.stream().map(Received::body).toList();
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
