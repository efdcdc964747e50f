package io.mirador.e2e.prod;

import io.mirador.testing.TestConfig;
import io.mirador.testing.RedisServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hub child processes of one {@link ProdSetup} for alerting tests: node {@code i} has an HTTP port of its own and the
 * same {@code hub.alert} settings as the others, and with {@code clustered} all nodes form a Hazelcast cluster of their
 * own (a name and a port range of this test), so a sample stored on one node reaches the alert owner on another. Every
 * process is SIGKILLed at the setup's close.
 */
final class AlertHubs {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final ProdSetup setup;
  private final JsonObject alert;
  private final String clusterName;
  private final int clusterPort;
  private final int[] httpPorts;
  private final Process[] processes;
  private final String[] logs;
  private int starts;
  /** When the last kill was sent, for failure messages. */
  volatile long killedAt;

  AlertHubs(ProdSetup setup, JsonObject alert, int nodes, boolean clustered) {
    this.setup = setup;
    this.alert = alert;
    this.clusterName = clustered ? "mirador-alert-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) : null;
    this.clusterPort = clustered ? freeRange(4) : 0;
    this.httpPorts = new int[nodes];
    this.processes = new Process[nodes];
    this.logs = new String[nodes];
    for (int i = 0; i < nodes; i++) {
      httpPorts[i] = RedisServer.freePort();
    }
  }

  /** Starts node {@code i} (again), logging to a file of this start's own. */
  void start(int i) {
    JsonObject conf;
    try {
      conf = new JsonObject(Files.readString(setup.hubConf()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    conf.getJsonObject("http").put("port", httpPorts[i]);
    conf.getJsonObject("hub").put("alert", alert.copy());
    if (clusterName != null) {
      conf.put("cluster", new JsonObject().put("enabled", true).put("name", clusterName).put("port", clusterPort));
    }
    Path path = setup.write("hub-node" + i + ".json", conf);
    logs[i] = "hub-node" + i + "-start" + (++starts) + ".log";
    // Hazelcast's membership lines ("Members {size:2"), which say when the nodes formed one cluster
    processes[i] = setup.java(List.of("-Dorg.slf4j.simpleLogger.log.com.hazelcast.internal.cluster=info"), logs[i], "io.mirador.Main", "hub",
        "--conf", path.toString());
  }

  /** SIGKILL: no shutdown hook, no lease released, nothing flushed. */
  void kill(int i) throws InterruptedException {
    killedAt = System.currentTimeMillis();
    ProdSetup.kill(processes[i]);
  }

  String log(int i) {
    try {
      return Files.readString(setup.dir.resolve(logs[i]));
    } catch (IOException e) {
      return "";
    }
  }

  /** GET on node {@code i}; null when nothing answers. */
  HttpResponse<String> get(int i, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[i] + path)).header("authorization", TestConfig.bearer()).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  boolean healthy(int i) {
    HttpResponse<String> health = get(i, "/api/v1/health");
    return health != null && health.statusCode() == 200;
  }

  /** The value of one series of node {@code i}'s /metrics whose labels include all of {@code labels}; 0 when absent. */
  double metric(int i, String family, String... labels) {
    HttpResponse<String> metrics = get(i, "/metrics");
    if (metrics == null || metrics.statusCode() != 200) {
      return 0;
    }
    Matcher line = Pattern.compile("(?m)^" + Pattern.quote(family) + "(\\{[^}]*\\})? (\\S+)$").matcher(metrics.body());
    while (line.find()) {
      String set = line.group(1) == null ? "" : line.group(1);
      boolean all = true;
      for (String label : labels) {
        all &= set.contains(label);
      }
      if (all) {
        return Double.parseDouble(line.group(2));
      }
    }
    return 0;
  }

  /**
   * Whether node {@code i} holds the alert lease, as the store says (/api/v1/cluster): after a death, Vert.x HA
   * redeploys the dead node's verticles on a survivor, so a node may run two alert verticles and its
   * {@code mirador_lease_held} gauge shows only one of them.
   */
  boolean holdsAlertLease(int i) {
    return owner() == i;
  }

  /** Flushes of notifier {@code notifier}'s groups on node {@code i} after which dedup found nothing to send. */
  double skips(int i, String notifier) {
    return metric(i, "mirador_alert_flushes_total", "notifier=\"" + notifier + "\"", "decision=\"skip\"");
  }

  JsonArray alerts(int i) {
    HttpResponse<String> alerts = get(i, "/api/v1/alerts");
    return alerts != null && alerts.statusCode() == 200 ? new JsonObject(alerts.body()).getJsonArray("alerts") : new JsonArray();
  }

  /** The live node that holds the alert lease now, or -1. */
  int owner() {
    for (int i = 0; i < httpPorts.length; i++) {
      if (processes[i] == null || !processes[i].isAlive()) {
        continue;
      }
      HttpResponse<String> cluster = get(i, "/api/v1/cluster");
      if (cluster == null || cluster.statusCode() != 200) {
        continue;
      }
      JsonObject body = new JsonObject(cluster.body());
      String node = body.getJsonArray("owners").stream().map(JsonObject.class::cast).filter(o -> "alert".equals(o.getString("role")))
          .map(o -> o.getString("node")).findFirst().orElse(null);
      Integer port = body.getJsonArray("nodes").stream().map(JsonObject.class::cast).filter(n -> n.getString("id").equals(node))
          .map(n -> n.getInteger("httpPort")).findFirst().orElse(null);
      for (int j = 0; j < httpPorts.length; j++) {
        if (port != null && httpPorts[j] == port && processes[j] != null && processes[j].isAlive()) {
          return j;
        }
      }
      return -1;
    }
    return -1;
  }

  /** The first of {@code count} consecutive free ports (Hazelcast takes the first and the next ones). */
  private static int freeRange(int count) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 45_000);
      boolean free = true;
      for (int port = base; port < base + count && free; port++) {
        try (ServerSocket socket = new ServerSocket(port)) {
          socket.setReuseAddress(true);
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no " + count + " consecutive free ports");
  }
}
