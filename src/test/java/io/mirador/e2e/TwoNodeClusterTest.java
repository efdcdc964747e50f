package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.model.AgentInfo;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.mirador.testing.Await;
import io.mirador.testing.TestConfig;
import io.mirador.transport.local.EventBusAgentTransport;
import io.vertx.core.Future;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hub nodes joined by Hazelcast over TCP/IP on loopback: node A runs only the channel, node B only the engine
 * and web. An event that enters on A is stored by B's engine — the roles really are spread over the cluster.
 */
class TwoNodeClusterTest {

  private Mirador nodeA;
  private Mirador nodeB;

  @AfterEach
  void stop() {
    if (nodeA != null) {
      Await.result(nodeA.close());
    }
    if (nodeB != null) {
      Await.result(nodeB.close());
    }
  }

  @Test
  void eventEnteringOnOneNodeIsStoredByTheEngineOnTheOther() {
    JsonObject cluster = new JsonObject().put("enabled", true).put("name", "mirador-test-" + UUID.randomUUID()).put("port", 5901);
    nodeB = Await.result(Mirador.start(Mirador.Mode.HUB, TestConfig.hubOnly().put("cluster", cluster.copy())
        .put("hub", new JsonObject().put("roles", new JsonArray().add("engine").add("web")))), Duration.ofSeconds(60));
    nodeA = Await.result(Mirador.start(Mirador.Mode.HUB, TestConfig.hubOnly().put("cluster", cluster.copy())
        .put("hub", new JsonObject().put("roles", new JsonArray().add("channel")))), Duration.ofSeconds(60));
    assertEquals(-1, nodeA.httpPort(), "node A runs no web verticle");

    String agent = "cluster-agent";
    EventBusAgentTransport transportOnA = new EventBusAgentTransport(nodeA.vertx(), agent, 10_000);
    long now = System.currentTimeMillis();
    Await.result(transportOnA.publish(Envelope.of(EventType.REGISTER, agent, 1, now,
        new AgentInfo(agent, "cluster-host", List.of(), "test OS", "test", false, now, 10, Map.of(), List.of()))));
    Await.result(transportOnA.publish(Envelope.of(EventType.METRICS, agent, 2, now,
        new MetricsBatch(List.of(Sample.of("cluster.probe", Map.of("node", "a"), 42.5, now))))));

    WebClient onB = TestConfig.api(nodeB.vertx(), nodeB.httpPort());
    JsonObject stored = Await.result(onB.get("/api/v1/agents/" + agent).send()).bodyAsJsonObject();
    assertEquals("cluster-host", stored.getString("hostname"));
    assertEquals(2L, stored.getLong("received"));
    JsonObject latest = Await.result(onB.get("/api/v1/agents/" + agent + "/latest").send()).bodyAsJsonObject();
    assertEquals(42.5, latest.getJsonArray("series").getJsonObject(0).getDouble("value"));

    JsonObject health = Await.until(nodeB.vertx(), "both nodes in B's view of the cluster", Duration.ofSeconds(20), () ->
        onB.get("/api/v1/health").send().map(r -> Optional.ofNullable(
            r.bodyAsJsonObject().getJsonObject("checks").getJsonObject("cluster").getInteger("nodes") == 2 ? r.bodyAsJsonObject() : null)));
    assertEquals("UP", health.getString("status"));
    assertTrue(nodeA.vertx().isClustered() && nodeB.vertx().isClustered());
  }

  /**
   * Vert.x HA hands a dead node's HA deployments to a member of its HA group. An agent in the cluster (event-bus
   * transport) is in a group of its own, so a dead hub's roles never land in an agent's process.
   */
  @Test
  void anAgentInTheClusterIsNeverGivenAHubsRoles(@TempDir Path dataDir) {
    JsonObject cluster = new JsonObject().put("enabled", true).put("name", "mirador-test-" + UUID.randomUUID()).put("port", 5901);
    nodeB = Await.result(Mirador.start(Mirador.Mode.HUB, TestConfig.hubOnly().put("cluster", cluster.copy())
        .put("hub", new JsonObject().put("roles", new JsonArray().add("engine").add("web")))), Duration.ofSeconds(60));
    nodeA = Await.result(Mirador.start(Mirador.Mode.AGENT, new JsonObject().put("cluster", cluster.copy())
        .put("agent", new JsonObject().put("dataDir", dataDir.toString()).put("heartbeatSeconds", 3600))), Duration.ofSeconds(60));

    ClusterManager hub = ((VertxInternal) nodeB.vertx()).clusterManager();
    String agentNode = ((VertxInternal) nodeA.vertx()).clusterManager().getNodeId();
    Map<String, String> haInfo = hub.getSyncMap("__vertx.haInfo");
    assertEquals(Mirador.HUB_HA_GROUP, new JsonObject(haInfo.get(hub.getNodeId())).getString("group"));
    assertEquals(Mirador.AGENT_HA_GROUP, new JsonObject(haInfo.get(agentNode)).getString("group"), "the agent is in no hub's HA group");
    assertEquals(2, hub.getNodes().size());
  }
}
