package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Addresses;
import io.mirador.Mirador;
import io.mirador.model.AgentInfo;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A check assignment lost on its way to an agent is sent again: the agent's heartbeats report the revision it
 * applied, and the hub pushes the current one to an agent that reports an older one. The loss is real: the
 * command is dropped on the event bus between hub and agent, as a network or an expired queue would drop it.
 */
class CheckAssignmentResendTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir
  static Path dataDir;

  private static RunningMirador app;

  @BeforeAll
  static void start() {
    JsonObject config = TestConfig.standalone(dataDir);
    config.put("hub", new JsonObject().put("checks", new JsonObject().put("resendAfterMs", 1_000)));
    app = RunningMirador.start(Mirador.Mode.STANDALONE, config);
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void anAgentThatMissedAPushGetsTheCurrentAssignmentFromItsHeartbeat() throws InterruptedException {
    String agent = app.mirador.agentId();
    long first = revisionOnce(put("resend_a"), agent);

    // from now on every assignment for this agent is lost in transit
    AtomicInteger dropped = new AtomicInteger();
    Handler<DeliveryContext<Object>> drop = delivery -> {
      if (delivery.message().address().equals(Addresses.agentCommands(agent))) {
        dropped.incrementAndGet();
        return;
      }
      delivery.next();
    };
    app.mirador.vertx().eventBus().addOutboundInterceptor(drop);
    long second = put("resend_b");
    assertTrue(second > first);
    Await.condition(PATIENCE, Duration.ofMillis(20), () -> dropped.get() > 0, () -> "the push of revision " + second + " lost");
    app.mirador.vertx().eventBus().removeOutboundInterceptor(drop);

    // no further change: only the heartbeats can bring it
    assertEquals(second, revisionOnce(second, agent), "the agent applied the assignment it had missed");
    String metrics = Await.result(app.http.get("/metrics").send()).bodyAsString();
    assertTrue(metrics.lines().anyMatch(line -> line.startsWith("mirador_check_assignments_resent_total ") && !line.endsWith(" 0")
        && !line.endsWith(" 0.0")), "counted as resent");
  }

  /** Defines a check for every agent; returns the revision it made. */
  private static long put(String name) {
    HttpResponse<io.vertx.core.buffer.Buffer> response = Await.result(app.http.put("/api/v1/checks/" + name)
        .sendJsonObject(new JsonObject().put("command", "echo OK").put("interval", 60)));
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getLong("revision");
  }

  /** Waits until the agent's heartbeat reports at least this revision applied; returns the one it reports. */
  private static long revisionOnce(long atLeast, String agent) {
    return Await.until(app.clientVertx, "agent reports check assignment " + atLeast, PATIENCE, () ->
        app.http.get("/api/v1/agents/" + agent).send().map(response -> {
          JsonObject counters = response.bodyAsJsonObject().getJsonObject("counters", new JsonObject());
          Long applied = counters.getLong(AgentInfo.CHECKS_REVISION);
          return applied != null && applied >= atLeast ? Optional.of(applied) : Optional.<Long>empty();
        }));
  }
}
