package io.mirador.hub.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.Mirador;
import io.mirador.metrics.Meters;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A browser repeating refused bridge requests, over a real SockJS WebSocket: each refusal is answered and counted by
 * reason, a registration outside the live feed still gets Vert.x's {@code access_denied}, and a duplicate one is
 * refused before Vert.x would log it.
 */
class BridgeGuardTest {

  @Test
  void refusedRegistrationsAreAnsweredAndCounted() throws Exception {
    Mirador hub = Await.result(Mirador.start(Mirador.Mode.HUB, TestConfig.hubOnly()));
    Vertx client = Vertx.vertx();
    try {
      Meters meters = Meters.of(hub.vertx());
      WebSocket socket = Await.result(client.createWebSocketClient().connect(new io.vertx.core.http.WebSocketConnectOptions()
          .setPort(hub.httpPort()).setHost("127.0.0.1").setURI("/eventbus/websocket").addHeader("authorization", TestConfig.bearer())));
      AtomicInteger denied = new AtomicInteger();
      AtomicInteger rejected = new AtomicInteger();
      socket.handler(data -> {
        JsonObject frame = new JsonObject(data.toString());
        if ("err".equals(frame.getString("type"))) {
          (frame.getString("body").equals("access_denied") ? denied : rejected).incrementAndGet();
        }
      });
      for (int i = 0; i < 500; i++) {
        Await.result(socket.writeTextMessage(register("mirador.engine")));
      }
      Await.result(socket.writeTextMessage(register("mirador.live.metrics.a")));
      for (int i = 0; i < 100; i++) {
        Await.result(socket.writeTextMessage(register("mirador.live.metrics.a")));
      }
      Await.condition(Duration.ofSeconds(20), Duration.ofMillis(50), () -> denied.get() == 500 && rejected.get() == 100,
          () -> "answers: " + denied + " access_denied, " + rejected + " rejected");
      assertEquals(500, meters.value("mirador_bridge_refused_total", Map.of("reason", "not_permitted")));
      assertEquals(100, meters.value("mirador_bridge_refused_total", Map.of("reason", "duplicate")));
      Await.result(socket.close());
    } finally {
      Await.result(client.close());
      Await.result(hub.close());
    }
  }

  private static String register(String address) {
    return new JsonObject().put("type", "register").put("address", address).put("headers", new JsonObject()).encode();
  }
}
