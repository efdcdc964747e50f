package io.mirador.e2e.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.Mirador;
import io.mirador.testing.RedisServer;
import io.mirador.transport.rabbitmq.RabbitBroker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One production setup for a test: a RabbitMQ vhost of its own on the shared broker, a Redis server of its own
 * (append-only), config files for a hub and a ticking agent, and ways to run each in this JVM or as a child
 * process (SIGKILL-able), plus the REST reads the exact counts are made from.
 */
final class ProdSetup implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

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
    JsonObject conf = new JsonObject()
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", httpPort))
        .put("store", new JsonObject().put("type", "redis").put("redis", new JsonObject()
            .put("url", redis.url()).put("reconnectMaxMs", 1_000).put("connectTimeoutMs", 1_000).put("commandTimeoutMs", 2_000)))
        .put("hub", new JsonObject().put("ingest", new JsonObject().put("storeTimeoutMs", 5_000)))
        .put("transport", transport());
    return write("hub.json", conf);
  }

  Path agentConf(String name) {
    JsonObject collectors = new JsonObject();
    for (String collector : List.of("cpu", "memory", "load", "filesystem", "diskio", "network", "processes", "uptime")) {
      collectors.put(collector, new JsonObject().put("enabled", false));
    }
    JsonObject conf = new JsonObject()
        .put("transport", transport())
        .put("agent", new JsonObject().put("dataDir", dir.resolve(name).toString()).put("hostname", name)
            .put("heartbeatSeconds", 3600).put("collectors", collectors)
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

  Process agentProcess(String name, String log, long everyMs) {
    return java(log, TickingAgent.class.getName(), agentConf(name).toString(), String.valueOf(everyMs));
  }

  /** A child JVM on this test's classpath, output appended to {@code <dir>/<log>}; killed at {@link #close}. */
  Process java(String log, String main, String... args) {
    return java(List.of(), log, main, args);
  }

  /** The same with JVM options of the caller's ({@code -Dname=value}). */
  Process java(List<String> jvmOptions, String log, String main, String... args) {
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

  String base() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** GET: status and body; status 0 when nothing answers. */
  HttpResponse<String> get(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10)).build(),
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
    HttpResponse<String> response = get("/api/v1/agents/" + id);
    return response != null && response.statusCode() == 200 ? new JsonObject(response.body()) : new JsonObject();
  }

  long received(String id) {
    return agent(id).getLong("received", 0L);
  }

  /** Points of the agent's tick series over the last hour, through the REST API. */
  long tickPoints(String id) {
    HttpResponse<String> response = get("/api/v1/series?agent=" + id + "&metric=" + TickingAgent.METRIC + "&from=-1h");
    assertEquals(200, response.statusCode(), response::body);
    JsonArray series = new JsonObject(response.body()).getJsonArray("series");
    return series.isEmpty() ? 0 : series.getJsonObject(0).getJsonArray("points").size();
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
