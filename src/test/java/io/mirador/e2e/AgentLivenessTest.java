package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Addresses;
import io.mirador.hub.events.AgentStatusChanged;
import io.mirador.Mirador;
import io.mirador.model.AgentInfo;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.mirador.transport.local.EventBusAgentTransport;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An agent that stops heartbeating turns stale, then down, and up again when it comes back; each change is published. */
class AgentLivenessTest {

  private static final String AGENT = "liveness-agent";

  private Mirador hub;
  private WebClient http;
  private EventBusAgentTransport agent;
  private long seq;

  @BeforeEach
  void start() {
    JsonObject config = TestConfig.hubOnly().put("hub", new JsonObject().put("heartbeat", new JsonObject()
        .put("sweepSeconds", 1).put("staleAfterIntervals", 2).put("downAfterIntervals", 4)));
    hub = Await.result(Mirador.start(Mirador.Mode.HUB, config));
    http = TestConfig.api(hub.vertx(), hub.httpPort());
    agent = new EventBusAgentTransport(hub.vertx(), AGENT, 5_000);
  }

  @AfterEach
  void stop() {
    Await.result(hub.close());
  }

  @Test
  void silentAgentGoesStaleThenDownAndComesBackUp() {
    List<AgentStatusChanged> changes = new CopyOnWriteArrayList<>();
    MessageConsumer<AgentStatusChanged> statusFeed = hub.vertx().eventBus().consumer(Addresses.AGENT_STATUS, m -> changes.add(m.body()));
    Await.result(statusFeed.completion());

    long silentSince = System.currentTimeMillis();
    Await.result(agent.publish(beat(EventType.REGISTER)));
    assertEquals("up", status());

    Await.until(hub.vertx(), "stale then down", Duration.ofSeconds(15), () -> Future.succeededFuture(
        Optional.ofNullable(changes.size() >= 2 ? true : null)));
    assertEquals(List.of("up>stale", "stale>down"), changes.stream().map(c -> c.from().wireName() + ">" + c.to().wireName()).toList());
    long staleAt = changes.get(0).at();
    long downAt = changes.get(1).at();
    assertTrue(staleAt - silentSince >= 2_000, "stale after two 1 s intervals, not before: " + (staleAt - silentSince));
    assertTrue(downAt - silentSince >= 4_000, "down after four 1 s intervals, not before: " + (downAt - silentSince));
    assertEquals("down", status());

    Await.result(agent.publish(beat(EventType.HEARTBEAT)));
    Await.until(hub.vertx(), "up again", Duration.ofSeconds(10), () -> Future.succeededFuture(
        Optional.ofNullable(changes.size() >= 3 ? true : null)));
    assertEquals("down>up", changes.get(2).from().wireName() + ">" + changes.get(2).to().wireName());
    assertEquals("up", status());
  }

  @Test
  void removedAgentIsGoneFromTheRegistry() {
    Await.result(agent.publish(beat(EventType.REGISTER)));
    assertEquals(204, Await.result(http.delete("/api/v1/agents/" + AGENT).send()).statusCode());
    assertEquals(404, Await.result(http.get("/api/v1/agents/" + AGENT).send()).statusCode());
  }

  private Envelope beat(EventType type) {
    AgentInfo info = new AgentInfo(AGENT, "liveness-host", List.of("192.0.2.7"), "test OS", "test", false, 1, 1, Map.of(), List.of());
    return Envelope.of(type, AGENT, ++seq, System.currentTimeMillis(), info);
  }

  private String status() {
    return Await.result(http.get("/api/v1/agents/" + AGENT).send()).bodyAsJsonObject().getString("status");
  }
}
