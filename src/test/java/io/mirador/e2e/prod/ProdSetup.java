package io.mirador.e2e.prod;

import io.mirador.testing.TestConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.testing.RedisServer;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One production setup for a test: a RabbitMQ vhost of its own on the shared broker, a Redis server of its own
 * (append-only), config files for a hub (or for the nodes of a hub cluster) and a ticking agent, and ways to run each
 * in this JVM or as a child process (SIGKILL-, SIGSTOP-able), plus the REST reads the exact counts are made from, from
 * the one hub's port or from any node's.
 */
final class ProdSetup implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * Hazelcast's master waits 5 s (by default) for more joiners before it lets one in; 1 s here spares that wait to the
   * tests, which wait for every node they start or restart. Only how soon a node joins changes: the cluster.xml and
   * everything the tests assert are production's.
   */
  private static final String CLUSTER_JOIN = "-Dhazelcast.wait.seconds.before.join=1";

  /** The hub's bootstrap enrollment token, which every agent of these tests enrolls with (as MIRADOR_ENROLL_TOKEN would). */
  static final String ENROLL_TOKEN = "prod-setup-bootstrap-token";

  final Path dir;
  final String vhost;
  final RedisServer redis;
  final int httpPort = RedisServer.freePort();
  private String amqpUser = "guest";
  private String amqpPassword = "guest";
  private final List<Process> processes = new ArrayList<>();

  ProdSetup(Path dir, String purpose, String redisPassword) {
    this.dir = dir;
    this.vhost = RabbitBroker.createVhost(purpose);
    Path redisDir = dir.resolve("redis");
    try {
      Files.createDirectories(redisDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.redis = RedisServer.start(redisDir, redisPassword);
  }

  /** A broker user of this test's own, with a password (deleted at close); guest otherwise. */
  void amqpUser(String user, String password) {
    RabbitBroker.ctl("add_user", user, password);
    RabbitBroker.ctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*");
    amqpUser = user;
    amqpPassword = password;
  }

  String amqpUrl() {
    return "amqp://" + amqpUser + ":" + amqpPassword + "@127.0.0.1:5672/" + java.net.URLEncoder.encode(vhost, java.nio.charset.StandardCharsets.UTF_8);
  }

  private JsonObject transport() {
    return RabbitBroker.config(amqpUrl()).getJsonObject("transport");
  }

  Path hubConf() {
    return write("hub.json", hubConfJson(httpPort));
  }

  private JsonObject hubConfJson(int port) {
    return new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", port))
        .put("auth", new JsonObject().put("adminToken", TestConfig.ADMIN_TOKEN))
        .put("store", new JsonObject().put("type", "redis").put("redis", new JsonObject()
            .put("url", redis.url()).put("reconnectMaxMs", 1_000).put("connectTimeoutMs", 1_000).put("commandTimeoutMs", 2_000)))
        .put("hub", new JsonObject().put("ingest", new JsonObject().put("storeTimeoutMs", 5_000))
            .put("enroll", new JsonObject().put("token", ENROLL_TOKEN)))
        .put("transport", transport());
  }

  /**
   * The conf of one node of a hub cluster: its own HTTP port, this setup's Redis and vhost, the cluster section (its
   * name and first Hazelcast port, so it neither joins nor is joined by another test's cluster) and the hub section.
   * The node is started with {@code --cluster} ({@link #clusterNodeProcess}).
   */
  Path clusterNodeConf(String node, int port, JsonObject cluster, JsonObject hub) {
    JsonObject conf = hubConfJson(port).put("cluster", cluster.copy());
    conf.getJsonObject("hub").mergeIn(hub.copy(), true);
    return write(node + ".json", conf);
  }

  Path agentConf(String name) {
    return agentConf(name, 3600);
  }

  /**
   * An agent that says it sends a heartbeat every {@code heartbeatSeconds}: the hub judges it stale after two of them
   * without any stored event, down after five. Heartbeats are numbered events too (not points).
   */
  Path agentConf(String name, int heartbeatSeconds) {
    JsonObject collectors = new JsonObject();
    for (String collector : List.of("cpu", "memory", "load", "filesystem", "diskio", "network", "processes", "uptime")) {
      collectors.put(collector, new JsonObject().put("enabled", false));
    }
    JsonObject conf = new JsonObject()
        .put("transport", transport())
        .put("agent", new JsonObject().put("dataDir", dir.resolve(name).toString()).put("hostname", name)
            .put("enroll", new JsonObject().put("token", ENROLL_TOKEN))
            .put("heartbeatSeconds", heartbeatSeconds).put("collectors", collectors)
            // one event per tick, unmerged: the exact count matches seqs to points
            .put("batch", new JsonObject().put("lingerMs", 0)));
    return write(name + ".json", conf);
  }

  Path dataDir(String name) {
    return dir.resolve(name);
  }

  Mirador hubInProcess() throws Exception {
    return Mirador.start(Mirador.Mode.HUB, hubConf(), Map.of(), new JsonObject()).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  /** {@code java -cp <this test's classpath> io.mirador.Main hub --conf <hub.json>}, output to {@code <log>}. */
  Process hubProcess(String log) {
    return java(log, "io.mirador.Main", "hub", "--conf", hubConf().toString());
  }

  /** {@code java ... io.mirador.Main hub --cluster --conf <conf>}, output appended to {@code <log>}. */
  Process clusterNodeProcess(Path conf, String log) {
    return java(log, List.of(CLUSTER_JOIN), "io.mirador.Main", "hub", "--cluster", "--conf", conf.toString());
  }

  Process agentProcess(String name, String log, long everyMs) {
    return java(log, TickingAgent.class.getName(), agentConf(name).toString(), String.valueOf(everyMs));
  }

  /** A ticking agent process that sends heartbeats every {@code heartbeatSeconds} (see {@link #agentConf(String, int)}). */
  Process agentProcess(String name, String log, long everyMs, int heartbeatSeconds) {
    return java(log, TickingAgent.class.getName(), agentConf(name, heartbeatSeconds).toString(), String.valueOf(everyMs));
  }

  /** A child JVM on this test's classpath, output appended to {@code <dir>/<log>}; killed at {@link #close}. */
  Process java(String log, String main, String... args) {
    return java(log, List.of(), main, args);
  }

  /** The same with JVM options of the caller's ({@code -Dname=value}). */
  Process java(List<String> jvmOptions, String log, String main, String... args) {
    return java(log, jvmOptions, main, args);
  }

  private Process java(String log, List<String> jvmOptions, String main, String... args) {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log).toFile()));
    builder.environment().keySet().removeIf(key -> key.startsWith("MIRADOR_"));
    try {
      Process process = builder.start();
      processes.add(process);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL, and waits for the process to be gone. */
  static void kill(Process process) throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
  }

  /** SIGSTOP ({@code STOP}), SIGCONT ({@code CONT}), SIGTERM ({@code TERM}) ... to the process; waits for kill(1). */
  static void signal(Process process, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + new String(kill.getInputStream().readAllBytes()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String base() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** GET: status and body; null when nothing answers. */
  HttpResponse<String> get(String path) {
    return get(httpPort, path);
  }

  /** GET from the hub (or cluster node) listening on {@code port}; null when nothing answers. */
  static HttpResponse<String> get(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("authorization", TestConfig.bearer()).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The agent as the hub's REST API shows it; empty when not (yet) known or the hub does not answer. */
  JsonObject agent(String id) {
    return agent(httpPort, id);
  }

  /** The agent as the REST API of the node on {@code port} shows it; empty when not (yet) known or nothing answers. */
  static JsonObject agent(int port, String id) {
    HttpResponse<String> response = get(port, "/api/v1/agents/" + id);
    return response != null && response.statusCode() == 200 ? new JsonObject(response.body()) : new JsonObject();
  }

  /** DELETE on the node listening on {@code port}: the status, 0 when nothing answers. */
  static int delete(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("authorization", TestConfig.bearer()).DELETE().timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The first of {@code count} consecutive free loopback ports, below the ephemeral range (so connections being made
   * meanwhile do not take them): a Hazelcast port range of a test's own.
   */
  static int freePortBlock(int count) {
    Random random = new Random();
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = 20_000 + random.nextInt(12_000 - count);
      boolean free = true;
      for (int port = base; port < base + count && free; port++) {
        try (ServerSocket socket = new ServerSocket()) {
          socket.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no " + count + " free consecutive ports");
  }

  /** GET /api/v1/cluster from the node on {@code port}; empty when it does not answer 200. */
  static JsonObject cluster(int port) {
    HttpResponse<String> response = get(port, "/api/v1/cluster");
    return response != null && response.statusCode() == 200 ? new JsonObject(response.body()) : new JsonObject();
  }

  /** /metrics of the node on {@code port}; empty when it does not answer. */
  static String metrics(int port) {
    HttpResponse<String> response = get(port, "/metrics");
    return response != null && response.statusCode() == 200 ? response.body() : "";
  }

  /** The value of one sample in Prometheus text, e.g. {@code metric(text, "mirador_lease_held{lease=\"heartbeat\"}")}; 0 when absent. */
  static double metric(String text, String sample) {
    for (String line : text.split("\n")) {
      if (line.startsWith(sample + " ")) {
        return Double.parseDouble(line.substring(sample.length() + 1).trim());
      }
    }
    return 0;
  }

  long received(String id) {
    return agent(id).getLong("received", 0L);
  }

  /** Points of the agent's tick series over the last hour, through the REST API. */
  long tickPoints(String id) {
    return tickSeries(httpPort, id).size();
  }

  /** The points [ts, value] of the agent's tick series over the last hour, through the REST API of the node on {@code port}. */
  static JsonArray tickSeries(int port, String id) {
    HttpResponse<String> response = get(port, "/api/v1/series?agent=" + id + "&metric=" + TickingAgent.METRIC + "&from=-1h");
    assertEquals(200, response == null ? 0 : response.statusCode(), () -> response == null ? "no answer" : response.body());
    JsonArray series = new JsonObject(response.body()).getJsonArray("series");
    return series.isEmpty() ? new JsonArray() : series.getJsonObject(0).getJsonArray("points");
  }

  /** The last seq the agent handed out, from its data directory. */
  long agentLastSeq(String name) throws IOException {
    return Long.parseLong(Files.readString(dataDir(name).resolve("seq")).trim());
  }

  /**
   * The exact count: once the hub has everything the agent numbered ({@code lastSeq} from the agent's own data
   * directory), every seq 1..N is stored exactly once — received == lastSeq == N, no gaps — and the tick series
   * has one point per metrics event (N minus one register per agent start). Returns the agent's counters.
   */
  JsonObject assertEverySeqStoredOnce(String name, String id, int starts) throws Exception {
    Thread.sleep(500); // a tick already under way when the load stopped is numbered too
    long[] last = new long[1];
    waitUntil(() -> {
      try {
        last[0] = agentLastSeq(name); // the agent may still be numbering what its outbox held
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      JsonObject agent = agent(id);
      return agent.getLong("lastSeq", 0L) == last[0] && agent.getLong("received", 0L) == last[0];
    }, 90_000, () -> "the hub has seq 1.." + last[0] + " of " + name + ": " + agent(id).copy().put("counters", "…"));
    long n = last[0];
    assertEquals(n, agentLastSeq(name), "the agent numbered nothing more");
    JsonObject agent = agent(id);
    assertEquals(n, agent.getLong("lastSeq"), "lastSeq");
    assertEquals(n, agent.getLong("received"), "received == lastSeq: every seq stored once");
    assertEquals(0L, agent.getLong("gaps"), "no gaps");
    assertEquals(n - starts, tickPoints(id), "one point per metrics event (N minus " + starts + " register)");
    return agent;
  }

  /**
   * The exact count, read from the node on {@code port}, for an agent process started once, told to stop ticking
   * ({@link TickingAgent#STOP_FILE}), that also sends heartbeats (numbered events that are no points, still sent after
   * the ticking stopped): at an instant when the agent's own last seq N is the same before and after reading the hub,
   * the hub has received == lastSeq == N and no gaps, so every seq 1..N is stored exactly once; and the tick series
   * holds each tick 1..T exactly once (a tick's value is its number), with T at most N minus the one register.
   * Returns the agent's counters.
   */
  JsonObject assertEverySeqStoredOnce(int port, String name, String id) throws Exception {
    Path stopped = dataDir(name).resolve(TickingAgent.STOPPED_FILE);
    waitUntil(() -> Files.exists(stopped), 30_000, () -> "agent process " + name + " stopped ticking");
    long[] last = new long[1];
    JsonObject[] seen = {new JsonObject()};
    waitUntil(() -> {
      try {
        long before = agentLastSeq(name);
        seen[0] = agent(port, id);
        last[0] = agentLastSeq(name); // a heartbeat may be numbered meanwhile: then this instant does not count
        return before == last[0] && seen[0].getLong("lastSeq", 0L) == last[0] && seen[0].getLong("received", 0L) == last[0];
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, 90_000, () -> "the hub on port " + port + " has seq 1.." + last[0] + " of " + name + ": " + agent(port, id).copy().put("counters", "…"));
    long n = last[0];
    JsonObject agent = seen[0];
    assertEquals(n, agent.getLong("lastSeq"), "lastSeq");
    assertEquals(n, agent.getLong("received"), "received == lastSeq: every seq stored once");
    assertEquals(0L, agent.getLong("gaps"), "no gaps");
    JsonArray points = tickSeries(port, id);
    long[] ticks = points.stream().mapToLong(point -> ((JsonArray) point).getNumber(1).longValue()).sorted().toArray();
    for (int i = 0; i < ticks.length; i++) {
      assertEquals(i + 1, ticks[i], "the tick series holds each tick 1.." + ticks.length + " once");
    }
    assertTrue(ticks.length > 0 && ticks.length <= n - 1, ticks.length + " ticks stored of " + n + " events");
    return agent;
  }

  static void waitUntil(BooleanSupplier condition, long timeoutMs, java.util.function.Supplier<String> what) throws InterruptedException {
    io.mirador.testing.Await.condition(java.time.Duration.ofMillis(timeoutMs), java.time.Duration.ofMillis(100), condition, what);
  }

  Path write(String name, JsonObject conf) {
    try {
      return Files.writeString(dir.resolve(name), conf.encodePrettily());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The processes' logs, for looking for what must not be there. */
  String logs() throws IOException {
    StringBuilder all = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path log : files.filter(path -> path.toString().endsWith(".log")).toList()) {
        all.append(Files.readString(log));
      }
    }
    return all.toString();
  }

  @Override
  public void close() throws Exception {
    for (Process process : processes) {
      if (process.isAlive()) {
        kill(process);
      }
    }
    redis.close();
    RabbitBroker.deleteVhost(vhost);
    if (!"guest".equals(amqpUser)) {
      RabbitBroker.ctl("delete_user", amqpUser);
    }
  }
}
