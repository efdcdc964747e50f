package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Addresses;
import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.Map;
import io.mirador.metrics.Meters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client of the SockJS bridge (raw WebSocket transport, as browsers use it) receives live samples of the local
 * agent, and is refused every address outside {@code mirador.live.*}, inbound or outbound.
 */
class LiveBridgeTest {

  @TempDir
  static Path dataDir;

  private static Mirador mirador;
  private static Vertx client;

  @BeforeAll
  static void start() {
    mirador = Await.result(Mirador.start(Mirador.Mode.STANDALONE, TestConfig.standalone(dataDir)));
    client = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.result(mirador.close());
    Await.result(client.close());
  }

  @Test
  void liveSamplesOfTheAgentReachABridgeClient() {
    WebSocket socket = connect();
    Promise<JsonObject> received = Promise.promise();
    socket.handler(data -> { // the raw transport sends text and binary frames alike
      String text = data.toString();
      JsonObject frame = new JsonObject(text);
      if ("rec".equals(frame.getString("type"))) {
        received.tryComplete(frame);
      }
    });
    String address = Addresses.liveMetrics(mirador.agentId());
    Await.result(socket.writeTextMessage(register(address)));

    JsonObject frame = Await.result(received.future(), Duration.ofSeconds(20));
    assertEquals(address, frame.getString("address"));
    JsonObject body = frame.getJsonObject("body");
    assertEquals(mirador.agentId(), body.getString("agent"));
    assertFalse(body.getJsonArray("samples").isEmpty());
    JsonObject sample = body.getJsonArray("samples").getJsonObject(0);
    assertTrue(sample.getString("name").matches("[a-z0-9_.]+"));
    assertTrue(sample.getLong("ts") > System.currentTimeMillis() - 60_000, "a fresh sample");
    Await.result(socket.close());
  }

  /**
   * An agent's samples are turned into live messages only while a bridge client listens to that agent: counted
   * against the metrics events the engine stores, with an in-process consumer (which by itself is no interest).
   */
  @Test
  void liveSamplesArePublishedOnlyWhileABrowserListens() {
    String address = Addresses.liveMetrics(mirador.agentId());
    // the engine's count of stored metrics events (the same counter /metrics shows) and its value at the last live message
    LongAdder storedBatches = Meters.of(mirador.vertx()).counter("mirador_events_stored_total", "Events stored, by type", Map.of("type", "metrics"));
    AtomicLong storedAtLastLive = new AtomicLong(storedBatches.sum());
    AtomicInteger published = new AtomicInteger();
    var live = mirador.vertx().eventBus().consumer(address, message -> {
      published.incrementAndGet();
      storedAtLastLive.set(storedBatches.sum());
    });
    Await.result(live.completion());
    java.util.concurrent.Callable<Boolean> threeQuietBatches = () -> storedBatches.sum() - storedAtLastLive.get() >= 3;

    Await.untilTrue(mirador.vertx(), "three batches stored and none published live while nobody listens", Duration.ofSeconds(30),
        threeQuietBatches);

    WebSocket socket = connect();
    Promise<Void> received = Promise.promise();
    socket.handler(data -> {
      if ("rec".equals(new JsonObject(data.toString()).getString("type"))) {
        received.tryComplete();
      }
    });
    int before = published.get();
    Await.result(socket.writeTextMessage(register(address)));
    Await.result(received.future(), Duration.ofSeconds(20));
    assertTrue(published.get() > before, "published on the event bus once a browser listens");

    Await.result(socket.close());
    Await.untilTrue(mirador.vertx(), "publishing stops once the browser is gone", Duration.ofSeconds(30), threeQuietBatches);
    Await.result(live.unregister());
  }

  @Test
  void addressesOutsideTheLiveFeedAreDenied() {
    WebSocket socket = connect();
    Promise<JsonObject> registerDenied = Promise.promise();
    Promise<JsonObject> sendDenied = Promise.promise();
    socket.handler(data -> { // the raw transport sends text and binary frames alike
      String text = data.toString();
      JsonObject frame = new JsonObject(text);
      if ("err".equals(frame.getString("type"))) {
        if (!registerDenied.tryComplete(frame)) {
          sendDenied.tryComplete(frame);
        }
      }
    });
    Await.result(socket.writeTextMessage(register(Addresses.AGENT_STATUS)));
    assertEquals("access_denied", Await.result(registerDenied.future(), Duration.ofSeconds(10)).getString("body"));
    Await.result(socket.writeTextMessage(new JsonObject().put("type", "send").put("address", Addresses.ENGINE)
        .put("body", new JsonObject()).encode()));
    assertEquals("access_denied", Await.result(sendDenied.future(), Duration.ofSeconds(10)).getString("body"));
    Await.result(socket.close());
  }

  private static WebSocket connect() {
    WebSocketClient webSockets = client.createWebSocketClient();
    return Await.result(webSockets.connect(mirador.httpPort(), "127.0.0.1", "/eventbus/websocket"));
  }

  private static String register(String address) {
    return new JsonObject().put("type", "register").put("address", address).put("headers", new JsonObject()).encode();
  }
}
