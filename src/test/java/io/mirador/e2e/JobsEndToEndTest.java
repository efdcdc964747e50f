package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on a standalone Mirador (its own agent runs the scripts as child processes): templates with versions, the
 * agent's refusals, remediation from a firing alert with its rate limit, and the switch that keeps jobs off on a hub.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobsEndToEndTest {

  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @TempDir
  static Path dataDir;

  private RunningMirador standalone;

  @BeforeAll
  void start() {
    JsonObject config = TestConfig.standalone(dataDir);
    config.put("hub", new JsonObject().put("alert", new JsonObject().put("evalIntervalMs", 100)));
    standalone = RunningMirador.start(Mirador.Mode.STANDALONE, config);
    Await.until(standalone.clientVertx, "the agent registered", PATIENCE,
        () -> get("/api/v1/agents/" + standalone.mirador.agentId()).map(r -> Optional.ofNullable(r.statusCode() == 200 ? r : null)));
  }

  @AfterAll
  void stop() {
    standalone.close();
  }

  private io.vertx.core.Future<HttpResponse<io.vertx.core.buffer.Buffer>> get(String path) {
    return standalone.http.get(path).send();
  }

  private HttpResponse<io.vertx.core.buffer.Buffer> put(String path, JsonObject body) {
    return Await.result(standalone.http.put(path).sendJsonObject(body));
  }

  private HttpResponse<io.vertx.core.buffer.Buffer> post(String path, JsonObject body) {
    return Await.result(standalone.http.post(path).sendJsonObject(body));
  }

  private JsonObject awaitEnded(String id) {
    return Await.until(standalone.clientVertx, "job " + id + " ended", PATIENCE, () -> get("/api/v1/jobs/" + id).map(r -> {
      JsonObject job = r.bodyAsJsonObject();
      return Optional.ofNullable(List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(job.getString("state")) ? job : null);
    }));
  }

  private JsonObject self() {
    return new JsonObject().put("agents", new JsonArray().add(standalone.mirador.agentId()));
  }

  @Test
  void aTemplateRunsTheVersionAsked() {
    assertEquals(201, put("/api/v1/job-templates/greet", new JsonObject().put("script", "echo v1 on $MIRADOR_AGENT_ID").put("targets", self()))
        .statusCode());
    HttpResponse<?> second = put("/api/v1/job-templates/greet", new JsonObject().put("script", "echo v2").put("targets", self()));
    assertEquals(200, second.statusCode());
    assertEquals(2, second.bodyAsJsonObject().getInteger("version"));
    HttpResponse<?> run = post("/api/v1/job-templates/greet/run", new JsonObject().put("version", 1));
    assertEquals(201, run.statusCode(), run.bodyAsString());
    JsonObject job = awaitEnded(run.bodyAsJsonObject().getString("id"));
    assertEquals("SUCCEEDED", job.getString("state"), job.encodePrettily());
    assertEquals(new JsonObject().put("template", "greet").put("version", 1), job.getJsonObject("origin"));
    assertEquals("v1 on " + standalone.mirador.agentId() + "\n", job.getJsonArray("targets").getJsonObject(0).getString("stdout"));
    assertEquals(404, post("/api/v1/job-templates/greet/run", new JsonObject().put("version", 3)).statusCode());
  }

  @Test
  void theAgentRefusesAnInterpreterItDoesNotAllow() {
    HttpResponse<?> submitted = post("/api/v1/jobs", new JsonObject().put("script", "print(1)").put("interpreter", "/usr/bin/python3")
        .put("targets", self()));
    assertEquals(201, submitted.statusCode(), submitted.bodyAsString());
    JsonObject job = awaitEnded(submitted.bodyAsJsonObject().getString("id"));
    JsonObject target = job.getJsonArray("targets").getJsonObject(0);
    assertEquals("FAILED", target.getString("state"), job.encodePrettily());
    assertTrue(target.getString("stderr").contains("interpreter /usr/bin/python3 is not allowed"), target.encode());
  }

  /**
   * A rule that fires at once names a template: the alert's agent runs it, the alert shows the job; the alert resolved
   * and fired again within the hour is not remediated twice (maxPerHour 1), and the refusal is counted.
   */
  @Test
  void aFiringAlertRunsItsRemediationOncePerHour() throws InterruptedException {
    double limitedBefore = metric("mirador_remediations_limited_total");
    assertEquals(201, put("/api/v1/job-templates/fix-uptime", new JsonObject().put("script", "echo remedied $MIRADOR_AGENT_HOSTNAME"))
        .statusCode());
    JsonObject rule = new JsonObject().put("kind", "threshold").put("metric", "system.uptime").put("op", ">").put("value", 0)
        .put("remediation", new JsonObject().put("template", "fix-uptime").put("maxPerHour", 1));
    assertEquals(201, put("/api/v1/rules/UptimePositive", rule).statusCode());
    JsonObject alert = Await.until(standalone.clientVertx, "the alert fired and its remediation started", PATIENCE,
        () -> get("/api/v1/alerts?rule=UptimePositive").map(r -> r.bodyAsJsonObject().getJsonArray("alerts").stream()
            .map(JsonObject.class::cast).filter(a -> !a.getJsonArray("remediations").isEmpty()).findFirst()));
    assertEquals("firing", alert.getString("state"));
    String jobId = alert.getJsonArray("remediations").getJsonObject(0).getString("job");
    JsonObject job = awaitEnded(jobId);
    assertEquals("SUCCEEDED", job.getString("state"), job.encodePrettily());
    assertTrue(job.getJsonArray("targets").getJsonObject(0).getString("stdout").startsWith("remedied "), job.encodePrettily());
    assertEquals("UptimePositive", job.getJsonObject("origin").getJsonObject("remediation").getString("rule"));

    put("/api/v1/rules/UptimePositive", rule.copy().put("value", 1e15));
    Await.until(standalone.clientVertx, "the alert resolved", PATIENCE, () -> get("/api/v1/alerts?rule=UptimePositive&state=firing")
        .map(r -> Optional.ofNullable(r.bodyAsJsonObject().getJsonArray("alerts").isEmpty() ? true : null)));
    put("/api/v1/rules/UptimePositive", rule);
    Await.condition(PATIENCE, Duration.ofMillis(100), () -> metric("mirador_remediations_limited_total") > limitedBefore,
        () -> "the alert fired again and its remediation was refused by the rate limit");
    long remediationJobs = Await.result(get("/api/v1/jobs?text=UptimePositive")).bodyAsJsonObject().getJsonArray("jobs").size();
    assertEquals(1, remediationJobs, "one remediation job within the hour");
  }

  private double metric(String name) {
    String text = Await.result(get("/metrics")).bodyAsString();
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return 0;
  }

  /** A hub (not standalone) keeps the jobs API off unless hub.jobs.enabled: 403 with the reason, for every route. */
  @Test
  void jobsAreOffOnAHubUnlessEnabled() {
    try (RunningMirador hub = RunningMirador.start(Mirador.Mode.HUB, TestConfig.hubOnly())) {
      for (String path : List.of("/api/v1/jobs", "/api/v1/job-templates")) {
        HttpResponse<?> response = Await.result(hub.http.get(path).send());
        assertEquals(403, response.statusCode(), path);
        assertTrue(response.bodyAsString().contains("hub.jobs.enabled"), response.bodyAsString());
      }
      HttpResponse<?> post = Await.result(hub.http.post("/api/v1/jobs").sendJsonObject(new JsonObject().put("script", "true")));
      assertEquals(403, post.statusCode());
    }
  }
}
