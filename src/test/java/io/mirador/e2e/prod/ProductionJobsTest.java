package io.mirador.e2e.prod;

import static io.mirador.e2e.prod.ProdSetup.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.testing.RedisServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote jobs in production shape: two clustered hub nodes (processes) on a RabbitMQ vhost and a Redis of this test's
 * own, five agents as processes of their own, each with its own data directory. Scripts really run; the assertions are
 * on what the jobs API says and on what the scripts left behind (their output, marker files, their processes).
 * The hubs and agents are started once for the class; each test runs its own jobs on them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductionJobsTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final int AGENTS = 5;
  private static final long GRACE_MS = 3_000;

  @TempDir
  static Path dir;

  private ProdSetup setup;
  private final List<Path> nodeConfs = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final List<Process> nodes = new ArrayList<>();
  /** Hostname (job-agent-1..5) → agent id. */
  private final Map<String, String> agents = new LinkedHashMap<>();
  private final Map<String, Process> agentProcesses = new HashMap<>();
  private Path marks;

  @BeforeAll
  void start() throws Exception {
    setup = new ProdSetup(dir, "jobs", null);
    marks = Files.createDirectories(dir.resolve("marks"));
    JsonObject cluster = new JsonObject().put("name", "mirador-jobs-" + UUID.randomUUID().toString().substring(0, 8))
        .put("port", ProdSetup.freePortBlock(8));
    JsonObject hub = new JsonObject().put("jobs", new JsonObject().put("enabled", true).put("graceMs", GRACE_MS).put("tickMs", 200));
    for (int i = 1; i <= 2; i++) {
      int port = i == 1 ? setup.httpPort : RedisServer.freePort();
      ports.add(port);
      nodeConfs.add(setup.clusterNodeConf("node" + i, port, cluster, hub));
      nodes.add(setup.clusterNodeProcess(nodeConfs.get(i - 1), "node" + i + ".log"));
    }
    for (int i = 1; i <= AGENTS; i++) {
      startAgent("job-agent-" + i, 3600);
    }
    for (int port : ports) {
      waitUntil(() -> health(port), 180_000, () -> "hub node on " + port + " answers");
    }
    waitUntil(() -> agentIds().keySet().containsAll(List.of("job-agent-1", "job-agent-5")) && agentIds().size() >= AGENTS, 120_000,
        () -> "the five agents registered: " + agentIds());
    agents.putAll(agentIds());
    waitUntil(() -> leaseHeld("sched"), 30_000, () -> "a node holds the sched lease");
    // every minute on agent 1 while the other tests run (and one kills a node): checked by the schedule test at the end
    HttpResponse<String> put = put("/api/v1/job-templates/every-minute", new JsonObject().put("script", "echo tick")
        .put("targets", new JsonObject().put("agents", new JsonArray().add(agents.get("job-agent-1")))).put("schedule", "* * * * *")
        .put("timezone", "Europe/Paris"));
    assertEquals(201, put.statusCode(), put.body());
  }

  @AfterAll
  void stop() throws Exception {
    if (setup != null) {
      setup.close();
    }
  }

  private void startAgent(String name, int heartbeatSeconds) {
    Path conf = setup.agentConf(name, heartbeatSeconds);
    agentProcesses.put(name, setup.java(name + ".log", "io.mirador.Main", "agent", "--conf", conf.toString()));
  }

  /**
   * Five agents, parallel 2: each script records its start and end (its own clock, one machine), and at no instant
   * were more than two running; every target SUCCEEDED with its own output, streamed and final.
   */
  @Test
  @Order(1)
  void aSlidingWindowOfTwoNeverRunsMoreThanTwo() throws Exception {
    String script = "echo \"start $(date +%s%N)\"; sleep 1; echo \"host $MIRADOR_AGENT_HOSTNAME id $MIRADOR_AGENT_ID job $MIRADOR_JOB_ID\";"
        + " echo \"end $(date +%s%N)\"";
    String id = submit(new JsonObject().put("script", script).put("parallel", 2).put("timeout", 30)
        .put("targets", new JsonObject().put("hostname", "job-agent-*")));
    JsonObject job = awaitEnded(id);
    assertEquals("SUCCEEDED", job.getString("state"), job::encodePrettily);
    assertEquals(AGENTS, job.getJsonObject("counts").getInteger("SUCCEEDED"));
    List<long[]> runs = new ArrayList<>();
    for (JsonObject target : targets(job)) {
      String stdout = target.getString("stdout");
      assertEquals("SUCCEEDED", target.getString("state"));
      assertEquals(0, target.getInteger("exitCode"));
      assertTrue(stdout.contains("host " + target.getString("hostname") + " id " + target.getString("agent") + " job " + id), stdout);
      runs.add(new long[] {number(stdout, "start (\\d+)"), number(stdout, "end (\\d+)")});
      assertTrue(target.getLong("endedAt") >= target.getLong("startedAt") && target.getLong("startedAt") > 0, target.encode());
    }
    for (long[] run : runs) {
      long overlapping = runs.stream().filter(other -> other[0] <= run[0] && run[0] < other[1]).count();
      assertTrue(overlapping <= 2, overlapping + " scripts were running when one started at " + run[0] + ": " + runs);
    }
    HttpResponse<String> output = ProdSetup.get(setup.httpPort, "/api/v1/jobs/" + id + "/targets/" + agents.get("job-agent-3") + "/output");
    assertEquals(200, output.statusCode());
    assertTrue(new JsonObject(output.body()).getString("stdout").contains("host job-agent-3"), output.body());
    JsonArray listed = new JsonObject(ProdSetup.get(ports.get(1), "/api/v1/jobs?state=succeeded&text=" + id).body()).getJsonArray("jobs");
    assertEquals(1, listed.size(), "the other node lists it too: " + listed);
  }

  /** failCount 1 and failRate 20 % of five, the script failing on agents 2 and 4, parallel 1: 5 is SKIPPED, the job FAILED. */
  @Test
  @Order(2)
  void failuresBeyondTheThresholdStopTheJob() throws Exception {
    String script = "case \"$MIRADOR_AGENT_HOSTNAME\" in job-agent-2|job-agent-4) echo broken >&2; exit 3;; esac; echo fine";
    for (JsonObject threshold : List.of(new JsonObject().put("failCount", 1), new JsonObject().put("failRate", 20))) {
      JsonObject request = new JsonObject().put("script", script).put("parallel", 1).put("targets", new JsonObject().put("agents", inOrder()))
          .mergeIn(threshold);
      JsonObject job = awaitEnded(submit(request));
      assertEquals("FAILED", job.getString("state"), job::encodePrettily);
      assertTrue(job.getString("reason").contains(threshold.containsKey("failCount") ? "failCount 1" : "failRate 20%"), job.getString("reason"));
      Map<String, String> states = new LinkedHashMap<>();
      for (JsonObject target : targets(job)) {
        states.put(target.getString("hostname"), target.getString("state"));
      }
      assertEquals(Map.of("job-agent-1", "SUCCEEDED", "job-agent-2", "FAILED", "job-agent-3", "SUCCEEDED", "job-agent-4", "FAILED",
          "job-agent-5", "SKIPPED"), states);
      JsonObject failed = targets(job).get(1);
      assertEquals(3, failed.getInteger("exitCode"));
      assertEquals("broken\n", failed.getString("stderr"));
    }
  }

  /** A script that sleeps and forks a sleeping child, past its timeout: TIMED_OUT, and neither process is left. */
  @Test
  @Order(3)
  void aTimedOutScriptIsKilledWithItsChildren() throws Exception {
    String script = "sleep 300 & echo \"child $!\"; echo \"self $$\"; sleep 300";
    JsonObject job = awaitEnded(submit(new JsonObject().put("script", script).put("timeout", 2)
        .put("targets", new JsonObject().put("agents", new JsonArray().add(agents.get("job-agent-1"))))));
    JsonObject target = targets(job).get(0);
    assertEquals("TIMED_OUT", target.getString("state"), job::encodePrettily);
    assertEquals("FAILED", job.getString("state"));
    assertTrue(target.getString("stderr").contains("timed out after 2 s"), target.encode());
    assertGone(number(target.getString("stdout"), "child (\\d+)"), number(target.getString("stdout"), "self (\\d+)"));
  }

  /** Cancel while two scripts run (seen by their streamed output): both killed with their trees, the waiting ones CANCELLED. */
  @Test
  @Order(4)
  void cancelKillsWhatRunsAndStartsNothingMore() throws Exception {
    String script = "sleep 300 & echo \"child $!\"; echo \"self $$\"; sleep 300";
    String id = submit(new JsonObject().put("script", script).put("parallel", 2).put("timeout", 600)
        .put("targets", new JsonObject().put("agents", inOrder())));
    waitUntil(() -> targets(job(id)).stream().filter(t -> t.getString("stdout").contains("self ")).count() == 2, 30_000,
        () -> "two scripts running, their output streamed: " + job(id).encodePrettily());
    List<Long> pids = new ArrayList<>();
    for (JsonObject target : targets(job(id))) {
      if (target.getString("stdout").contains("self ")) {
        pids.add(number(target.getString("stdout"), "child (\\d+)"));
        pids.add(number(target.getString("stdout"), "self (\\d+)"));
      }
    }
    assertEquals(202, post("/api/v1/jobs/" + id + "/cancel", new JsonObject()).statusCode());
    JsonObject job = awaitEnded(id);
    assertEquals("CANCELLED", job.getString("state"), job::encodePrettily);
    assertEquals(AGENTS, job.getJsonObject("counts").getInteger("CANCELLED"), job::encodePrettily);
    assertGone(pids.stream().mapToLong(Long::longValue).toArray());
  }

  /** Bad requests are 400 with a reason, and nothing is dispatched. */
  @Test
  @Order(5)
  void badRequestsAreRefusedAndRunNothing() throws Exception {
    int before = new JsonObject(ProdSetup.get(setup.httpPort, "/api/v1/jobs?limit=1000").body()).getJsonArray("jobs").size();
    JsonObject one = new JsonObject().put("agents", new JsonArray().add(agents.get("job-agent-1")));
    Map<JsonObject, String> bad = new LinkedHashMap<>();
    bad.put(new JsonObject().put("script", "true").put("targets", new JsonObject()), "targets selects nothing");
    bad.put(new JsonObject().put("script", "true").put("targets", new JsonObject().put("agents", new JsonArray().add("no-such-agent"))),
        "unknown agent");
    bad.put(new JsonObject().put("script", "true").put("targets", one).put("parallel", 0), "parallel must be");
    bad.put(new JsonObject().put("script", "true").put("targets", one).put("failRate", 150), "failRate must be");
    bad.put(new JsonObject().put("script", "").put("targets", one), "script is required");
    for (Map.Entry<JsonObject, String> request : bad.entrySet()) {
      HttpResponse<String> response = post("/api/v1/jobs", request.getKey());
      assertEquals(400, response.statusCode(), response.body());
      assertTrue(response.body().contains(request.getValue()), response.body());
    }
    HttpResponse<String> huge = post("/api/v1/jobs", new JsonObject().put("script", "x".repeat(10 * 1024 * 1024)).put("targets", one));
    assertEquals(413, huge.statusCode(), huge.body());
    HttpResponse<String> cron = put("/api/v1/job-templates/bad-cron", new JsonObject().put("script", "true").put("targets", one)
        .put("schedule", "61 * * * *"));
    assertEquals(400, cron.statusCode());
    assertTrue(cron.body().contains("minute must be 0-59"), cron.body());
    assertEquals(before, new JsonObject(ProdSetup.get(setup.httpPort, "/api/v1/jobs?limit=1000").body()).getJsonArray("jobs").size(),
        "no job was created");
  }

  /**
   * The node holding the sched lease is killed (SIGKILL) while a job runs, and restarted: the other node takes over
   * and the job completes; every script ran exactly once (a marker line per run).
   */
  @Test
  @Order(6)
  void aHubKilledMidJobIsTakenOverAndNoTargetRunsTwice() throws Exception {
    String script = "echo run >> \"$MARKS/$MIRADOR_JOB_ID-$MIRADOR_AGENT_HOSTNAME\"; echo started; sleep 2; echo done";
    String id = submit(new JsonObject().put("script", script).put("parallel", 2).put("timeout", 60)
        .put("env", new JsonObject().put("MARKS", marks.toString())).put("targets", new JsonObject().put("agents", inOrder())));
    waitUntil(() -> job(id).getJsonObject("counts", new JsonObject()).getInteger("RUNNING", 0) > 0, 30_000, () -> "the job runs");
    int owner = schedOwnerIndex();
    ProdSetup.kill(nodes.get(owner));
    int survivor = 1 - owner;
    JsonObject job = awaitEnded(id, ports.get(survivor), 120_000);
    assertEquals("SUCCEEDED", job.getString("state"), job::encodePrettily);
    for (String host : agents.keySet()) {
      assertEquals(List.of("run"), Files.readAllLines(marks.resolve(id + "-" + host)), host + " ran once");
    }
    nodes.set(owner, setup.clusterNodeProcess(nodeConfs.get(owner), "node" + (owner + 1) + ".log"));
    waitUntil(() -> health(ports.get(owner)), 180_000, () -> "the killed node is back");
    assertEquals("SUCCEEDED", job(id, ports.get(owner)).getString("state"), "the restarted node reads the same result");
  }

  /**
   * The template scheduled every minute at start, with two nodes up (one of them killed and restarted meanwhile): each
   * tick started exactly one job, marked with its tick, and every minute from the first to the last is accounted for,
   * by its own job or in a later job's list of missed runs.
   */
  @Test
  @Order(7)
  void aScheduleFiresOncePerTickAcrossTwoNodes() throws Exception {
    waitUntil(() -> health(ports.get(0)) && health(ports.get(1)), 180_000, () -> "both nodes up");
    waitUntil(() -> scheduledJobs().size() >= 2, 150_000, () -> "two ticks ran: " + scheduledJobs());
    List<JsonObject> jobs = scheduledJobs();
    List<java.time.Instant> ticks = jobs.stream().map(j -> java.time.Instant.parse(j.getJsonObject("origin").getString("scheduledFor")))
        .sorted().toList();
    assertEquals(ticks.size(), ticks.stream().distinct().count(), "one job per tick: " + ticks);
    java.util.Set<java.time.Instant> accounted = new java.util.HashSet<>(ticks);
    for (JsonObject job : jobs) {
      assertEquals(1, job.getJsonObject("origin").getInteger("version"));
      job.getJsonObject("origin").getJsonArray("missed", new JsonArray()).forEach(t -> accounted.add(java.time.Instant.parse((String) t)));
    }
    for (java.time.Instant t = ticks.get(0); !t.isAfter(ticks.get(ticks.size() - 1)); t = t.plusSeconds(60)) {
      assertTrue(accounted.contains(t), "tick " + t + " ran or was reported missed: " + jobs);
    }
  }

  /** An agent that is down when its job is dispatched is UNREACHABLE at once; the others run. */
  @Test
  @Order(8)
  void anAgentDownAtDispatchIsUnreachable() throws Exception {
    startAgent("job-agent-gone", 1);
    waitUntil(() -> agentIds().containsKey("job-agent-gone"), 60_000, () -> "the sixth agent registered");
    String gone = agentIds().get("job-agent-gone");
    ProdSetup.kill(agentProcesses.get("job-agent-gone"));
    waitUntil(() -> "down".equals(ProdSetup.agent(setup.httpPort, gone).getString("status")), 60_000, () -> "the hub judges it down");
    JsonObject job = awaitEnded(submit(new JsonObject().put("script", "echo here").put("parallel", 2)
        .put("targets", new JsonObject().put("agents", new JsonArray().add(gone).add(agents.get("job-agent-1"))))));
    Map<String, JsonObject> byAgent = new HashMap<>();
    targets(job).forEach(t -> byAgent.put(t.getString("agent"), t));
    assertEquals("UNREACHABLE", byAgent.get(gone).getString("state"), job::encodePrettily);
    assertTrue(byAgent.get(gone).getString("reason").contains("down at dispatch"), byAgent.get(gone).encode());
    assertEquals("SUCCEEDED", byAgent.get(agents.get("job-agent-1")).getString("state"));
    assertEquals("FAILED", job.getString("state"));
  }

  // ---- helpers

  private JsonArray inOrder() {
    JsonArray ids = new JsonArray();
    for (int i = 1; i <= AGENTS; i++) {
      ids.add(agents.get("job-agent-" + i));
    }
    return ids;
  }

  private List<JsonObject> scheduledJobs() {
    HttpResponse<String> response = ProdSetup.get(ports.get(0), "/api/v1/jobs?text=every-minute&limit=100");
    if (response == null || response.statusCode() != 200) {
      return List.of();
    }
    List<JsonObject> jobs = new ArrayList<>();
    new JsonObject(response.body()).getJsonArray("jobs").forEach(j -> jobs.add((JsonObject) j));
    return jobs;
  }

  private static void assertGone(long... pids) throws InterruptedException {
    for (long pid : pids) {
      waitUntil(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), 10_000, () -> "process " + pid + " is gone");
    }
  }

  private static long number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), regex + " in " + text);
    return Long.parseLong(m.group(1));
  }

  private String submit(JsonObject request) {
    HttpResponse<String> response = post("/api/v1/jobs", request);
    assertEquals(201, response.statusCode(), response.body());
    return new JsonObject(response.body()).getString("id");
  }

  private JsonObject job(String id) {
    return job(id, setup.httpPort);
  }

  private static JsonObject job(String id, int port) {
    HttpResponse<String> response = ProdSetup.get(port, "/api/v1/jobs/" + id);
    return response != null && response.statusCode() == 200 ? new JsonObject(response.body()) : new JsonObject();
  }

  private JsonObject awaitEnded(String id) throws InterruptedException {
    return awaitEnded(id, setup.httpPort, 60_000);
  }

  private static JsonObject awaitEnded(String id, int port, long timeoutMs) throws InterruptedException {
    waitUntil(() -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(job(id, port).getString("state", "")), timeoutMs,
        () -> "job " + id + " ended: " + job(id, port).encodePrettily());
    return job(id, port);
  }

  private static List<JsonObject> targets(JsonObject job) {
    List<JsonObject> list = new ArrayList<>();
    job.getJsonArray("targets", new JsonArray()).forEach(t -> list.add((JsonObject) t));
    return list;
  }

  private Map<String, String> agentIds() {
    HttpResponse<String> response = ProdSetup.get(setup.httpPort, "/api/v1/agents");
    Map<String, String> ids = new LinkedHashMap<>();
    if (response == null || response.statusCode() != 200) {
      return ids;
    }
    for (Object agent : new JsonObject(response.body()).getJsonArray("agents")) {
      ids.put(((JsonObject) agent).getString("hostname"), ((JsonObject) agent).getString("id"));
    }
    return ids;
  }

  private static boolean health(int port) {
    HttpResponse<String> response = ProdSetup.get(port, "/api/v1/health");
    return response != null && response.statusCode() == 200;
  }

  private boolean leaseHeld(String lease) {
    return schedOwner(lease) != null;
  }

  private String schedOwner(String lease) {
    for (Object owner : ProdSetup.cluster(setup.httpPort).getJsonArray("owners", new JsonArray())) {
      if (lease.equals(((JsonObject) owner).getString("role"))) {
        return ((JsonObject) owner).getString("node");
      }
    }
    return null;
  }

  /** Which of the two nodes holds the sched lease (by the node id each reports in its health). */
  private int schedOwnerIndex() {
    String node = schedOwner("sched");
    for (int i = 0; i < ports.size(); i++) {
      if (new JsonObject(ProdSetup.get(ports.get(i), "/api/v1/health").body()).getString("node").equals(node)) {
        return i;
      }
    }
    throw new AssertionError("no node owns sched: " + ProdSetup.cluster(setup.httpPort));
  }

  private HttpResponse<String> post(String path, JsonObject body) {
    return send(HttpRequest.newBuilder(URI.create(setup.base() + path)).POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  private HttpResponse<String> put(String path, JsonObject body) {
    return send(HttpRequest.newBuilder(URI.create(setup.base() + path)).PUT(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.header("content-type", "application/json").header("authorization", io.mirador.testing.TestConfig.bearer()).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
