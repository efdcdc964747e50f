package io.mirador.e2e.prod;

import static io.mirador.e2e.prod.ProdSetup.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mirador.Addresses;
import io.mirador.Mirador;
import io.mirador.model.Command;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.transport.HubTransport;
import io.mirador.transport.Transports;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.mirador.transport.rabbitmq.Topology;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import io.mirador.metrics.Meters;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole hub on RabbitMQ and Redis: bad input on mirador.ingest, and a command to a real agent and its answer. */
class ProductionIngestTest {

  @TempDir
  Path dir;

  @Test
  void badInputIsDeadLetteredWithItsReasonCountedAndIngestGoesOn() throws Exception {
    try (ProdSetup setup = new ProdSetup(dir, "bad-input", null)) {
      Mirador hub = setup.hubInProcess();
      try (Connection admin = RabbitBroker.connect(setup.vhost)) {
        long now = System.currentTimeMillis();
        String metrics = "{\"v\":1,\"type\":\"metrics\",\"agent\":\"bad-agent\",\"seq\":%d,\"ts\":" + now
            + ",\"body\":{\"samples\":[{\"name\":\"cpu.usage\",\"tags\":{},\"value\":%s,\"ts\":" + now + "}]}}";
        Map<String, String> bad = new LinkedHashMap<>(); // body → the start of the reason it must be dead-lettered with
        bad.put("{\"v\":1,", "not JSON");
        bad.put(String.format(metrics, 1, "1").replace("\"v\":1", "\"v\":2"), "unsupported envelope version 2");
        bad.put("{\"v\":1,\"pad\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}", "message of 10485");
        bad.put(String.format(metrics, 2, "\"12.5\""), "body of metrics does not fit");
        bad.put(String.format(metrics, 3, "1").replace("bad-agent", "../../etc/passwd"), "agent");
        bad.put("{\"v\":1,\"type\":\"config\",\"agent\":\"bad-agent\",\"seq\":4,\"ts\":" + now
            + ",\"body\":{\"id\":\"c1\",\"payload\":{}}}", "event type config goes from the hub to agents");
        EnrolledKey good = EnrolledKey.enroll(setup, admin, "good-agent");
        for (String body : bad.keySet()) {
          publish(admin, "metrics.bad-agent", body.getBytes(StandardCharsets.UTF_8));
        }
        byte[] goodBody = String.format(metrics, 1, "42").replace("bad-agent", "good-agent").getBytes(StandardCharsets.UTF_8);
        EnrolledKey.publish(admin, "metrics.good-agent", goodBody, good.mac(goodBody));

        waitUntil(() -> setup.received("good-agent") == 1, 30_000, () -> "the good event after the bad ones is stored");
        List<String> reasons = RabbitBroker.deadReasons(admin, bad.size());
        assertEquals(bad.size(), reasons.size(), "every bad message is in mirador.dead: " + reasons);
        List<String> expected = new ArrayList<>(bad.values());
        for (int i = 0; i < expected.size(); i++) {
          assertTrue(reasons.get(i).contains(expected.get(i)), "reason " + i + ": " + reasons.get(i));
        }
        String text = setup.get("/metrics").body();
        for (String reason : List.of("malformed", "version", "oversize", "invalid", "direction")) {
          assertTrue(text.contains("mirador_events_rejected_total{reason=\"" + reason + "\"}"), reason + " counted:\n" + text);
        }
        assertEquals(404, setup.get("/api/v1/agents/bad-agent").statusCode(), "nothing of bad-agent stored");
        assertEquals(0, RabbitBroker.messageCount(admin, Topology.INGEST_QUEUE));
      } finally {
        hub.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aCommandFromTheHubReachesARealAgentWhichAnswersWithAResult() throws Exception {
    try (ProdSetup setup = new ProdSetup(dir, "command", null)) {
      Mirador hub = setup.hubInProcess();
      TickingAgent agent = TickingAgent.start(setup.agentConf("cmd-agent"), 1_000).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      String id = agent.agentId();
      // a job command without a script: the agent refuses it with a result event saying why, which the hub stores
      LongAdder resultsStored = Meters.of(hub.vertx()).counter("mirador_events_stored_total", "Events stored, by type", Map.of("type", "result"));
      HubTransport commands = Transports.forHub(hub.vertx(), new JsonObject(Files.readString(setup.dir.resolve("hub.json"))));
      try {
        waitUntil(() -> setup.received(id) >= 1, 30_000, () -> "the agent registered");
        Envelope job = Envelope.of(EventType.JOB, id, 1, System.currentTimeMillis(),
            new Command("job-1", JsonNodeFactory.instance.objectNode().put("run", "true")));
        commands.sendToAgent(id, job).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        waitUntil(() -> resultsStored.sum() >= 1, 30_000, () -> "the agent's result (job refused: empty script) stored by the hub");
      } finally {
        commands.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        agent.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        hub.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void publish(Connection admin, String routingKey, byte[] body) throws Exception {
    try (Channel channel = admin.createChannel()) {
      channel.confirmSelect();
      channel.basicPublish(Topology.INGEST_EXCHANGE, routingKey, new AMQP.BasicProperties.Builder().deliveryMode(2).build(), body);
      channel.waitForConfirmsOrDie(10_000);
    }
  }
}
