package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.mirador.Mirador;
import io.mirador.model.Command;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.mirador.transport.HubTransport;
import io.mirador.transport.Transports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an agent refuses by its own configuration, whatever the hub sends: central checks whose command its
 * {@code agent.checks.commands} policy does not allow, and jobs when {@code agent.jobs.enabled} is false. Standalone,
 * with the real check runner and the hub's real check push.
 */
class AgentRestrictionsTest {

  private static final Duration PATIENCE = Duration.ofSeconds(40);

  @TempDir
  Path dataDir;

  @TempDir
  Path workdir;

  @Test
  void aCheckWhoseCommandTheAgentForbidsAndAJobOnAnAgentWithoutJobsAreRefused() {
    Path forbidden = workdir.resolve("forbidden");
    JsonObject config = TestConfig.standalone(dataDir);
    config.getJsonObject("agent")
        .put("checks", new JsonObject().put("commands", new JsonObject().put("deny", new JsonArray().add(".*touch.*"))))
        .put("jobs", new JsonObject().put("enabled", false));
    config.put("hub", new JsonObject().put("checks", new JsonObject().put("definitions", new JsonObject()
        .put("allowed_echo", new JsonObject().put("command", "echo 'ECHO OK'").put("interval", 1))
        .put("forbidden_touch", new JsonObject().put("command", "touch " + forbidden).put("interval", 1)))));
    try (RunningMirador app = RunningMirador.start(Mirador.Mode.STANDALONE, config)) {
      String agent = app.mirador.agentId();
      Await.until(app.clientVertx, "the allowed check's result", PATIENCE, () -> app.http.get("/api/v1/results?agent=" + agent + "&check=allowed_echo")
          .send().map(response -> response.bodyAsJsonObject().getJsonArray("results").isEmpty() ? Optional.empty() : Optional.of(true)));
      long refused = counter(app, agent, "checks_refused");
      assertTrue(refused >= 1, "the forbidden check is refused at each assignment: " + refused);
      assertEquals(0, app.http.get("/api/v1/results?agent=" + agent + "&check=forbidden_touch").send()
          .map(r -> r.bodyAsJsonObject().getJsonArray("results").size()).toCompletionStage().toCompletableFuture().join());

      HubTransport hub = Transports.forHub(app.mirador.vertx(), config);
      Await.result(hub.sendToAgent(agent, Envelope.of(EventType.JOB, agent, 1, System.currentTimeMillis(),
          new Command("job-1", JsonNodeFactory.instance.objectNode().put("command", "touch " + forbidden)))));
      assertEquals(1, counter(app, agent, "jobs_refused"));
      assertFalse(Files.exists(forbidden), "neither the check nor the job ran");
    }
  }

  /** Waits until the agent's heartbeat reports the counter, and returns it. */
  private static long counter(RunningMirador app, String agent, String name) {
    return Await.until(app.clientVertx, "agent counter " + name, PATIENCE, () -> app.http.get("/api/v1/agents/" + agent).send().map(response -> {
      Long value = response.bodyAsJsonObject().getJsonObject("counters", new JsonObject()).getLong(name);
      return Optional.ofNullable(value);
    }));
  }
}
