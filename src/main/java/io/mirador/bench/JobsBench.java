package io.mirador.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.mirador.model.Command;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.JobResult;
import io.mirador.model.Wire;
import io.mirador.transport.rabbitmq.Topology;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The jobs benchmark's simulated fleet: {@code N} agents on one AMQP connection that register with the hub, consume
 * their own command queues, and run each job's script for real as a child process ({@code /bin/sh -c}), sending the
 * result back as an agent does. Then it submits one job to all of them through the REST API and measures the time
 * from the POST to the job having ended (every target's result stored by the sched owner).
 *
 * <pre>java -cp mirador.jar io.mirador.bench.JobsBench AMQP_URL HUB_URL AGENTS PARALLEL [SCRIPT [--no-process]]</pre>
 * With {@code --no-process} the agents answer at once without starting a process: the hub's share alone.
 */
public final class JobsBench {

  private JobsBench() {
  }

  public static void main(String[] args) throws Exception {
    String amqp = args[0];
    String hub = args[1];
    int agents = Integer.parseInt(args[2]);
    int parallel = Integer.parseInt(args[3]);
    String script = args.length > 4 ? args[4] : "echo hello";
    // the hub's share alone: the simulated agents answer at once with the output echo would give, starting no process
    boolean noProcess = args.length > 5 && args[5].equals("--no-process");
    String prefix = "bench-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(amqp);
    ExecutorService runners = Executors.newFixedThreadPool(Math.min(parallel, 200));
    AtomicLong ran = new AtomicLong();
    try (Connection connection = factory.newConnection("mirador-jobs-bench")) {
      Channel setup = connection.createChannel();
      setup.exchangeDeclare(Topology.INGEST_EXCHANGE, "topic", true);
      setup.exchangeDeclare(Topology.AGENTS_EXCHANGE, "direct", true);
      Channel publish = connection.createChannel();
      List<Channel> consumers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        consumers.add(connection.createChannel());
      }
      long now = System.currentTimeMillis();
      for (int i = 0; i < agents; i++) {
        String agent = prefix + i;
        String queue = Topology.agentQueue(agent);
        setup.queueDeclare(queue, true, false, false, Map.of("x-message-ttl", 3_600_000L));
        setup.queueBind(queue, Topology.AGENTS_EXCHANGE, agent);
        synchronized (publish) {
          publish.basicPublish(Topology.INGEST_EXCHANGE, "register." + agent, properties(agent, "register"),
              EventEncoder.register(agent, 1, now, 3600));
        }
        Channel channel = consumers.get(i % consumers.size());
        AtomicLong seq = new AtomicLong(1);
        channel.basicConsume(queue, true, (tag, delivery) -> {
          Envelope command = Wire.standard().decode(delivery.getBody());
          if (command.type() != EventType.JOB) {
            return;
          }
          Command job = command.body(Command.class);
          String text = job.payload().get("script").asText();
          runners.execute(() -> {
            long started = System.currentTimeMillis();
            JobResult result;
            try {
              if (noProcess) {
                throw new NoProcess();
              }
              Process process = new ProcessBuilder("/bin/sh", "-c", text).redirectErrorStream(true).start();
              String out = read(process.getInputStream());
              int code = process.waitFor();
              result = new JobResult(job.id(), code == 0 ? "succeeded" : "failed", code, out, started, System.currentTimeMillis(), "");
            } catch (NoProcess none) {
              result = new JobResult(job.id(), "succeeded", 0, "hello\n", started, System.currentTimeMillis(), "");
            } catch (Exception e) {
              result = new JobResult(job.id(), "failed", null, "", started, System.currentTimeMillis(), e.toString());
            }
            ran.incrementAndGet();
            byte[] body = Wire.standard().encode(Envelope.of(EventType.RESULT, agent, seq.incrementAndGet(), System.currentTimeMillis(), result));
            try {
              synchronized (publish) {
                publish.basicPublish(Topology.INGEST_EXCHANGE, "result." + agent, properties(agent, "result"), body);
              }
            } catch (Exception e) {
              System.err.println("result of " + agent + " not published: " + e);
            }
          });
        }, tag -> { });
      }
      HttpClient http = HttpClient.newHttpClient();
      waitFor(() -> agentCount(http, hub, prefix) >= agents, 120_000);
      JsonObject request = new JsonObject().put("script", script).put("parallel", parallel).put("timeout", 60)
          .put("targets", new JsonObject().put("hostname", prefix + "*"));
      long posted = System.nanoTime();
      HttpResponse<String> submitted = http.send(HubClient.authorized(HttpRequest.newBuilder(URI.create(hub + "/api/v1/jobs")))
          .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(request.encode())).build(),
          HttpResponse.BodyHandlers.ofString());
      if (submitted.statusCode() != 201) {
        throw new IllegalStateException("job not submitted: " + submitted.statusCode() + " " + submitted.body());
      }
      String id = new JsonObject(submitted.body()).getString("id");
      JsonObject[] job = new JsonObject[1];
      waitFor(() -> {
        job[0] = get(http, hub + "/api/v1/jobs/" + id);
        return List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(job[0].getString("state", ""));
      }, 600_000);
      double seconds = (System.nanoTime() - posted) / 1e9;
      System.out.printf("mirador%s: %d targets, parallel %d, '%s': %s in %.2f s (POST to every result stored), counts %s, scripts run %d%n",
          noProcess ? " (agents answer without a process)" : "", agents, parallel, script, job[0].getString("state"), seconds, job[0].getJsonObject("counts").encode(), ran.get());
      Map<String, Integer> reasons = new java.util.TreeMap<>();
      job[0].getJsonArray("targets").forEach(t -> {
        JsonObject target = (JsonObject) t;
        if (!"SUCCEEDED".equals(target.getString("state"))) {
          reasons.merge(target.getString("state") + ": " + target.getString("reason"), 1, Integer::sum);
        }
      });
      reasons.forEach((reason, n) -> System.out.printf("  %d x %s%n", n, reason));
    } finally {
      runners.shutdownNow();
      runners.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static final class NoProcess extends Exception {
    NoProcess() {
      super(null, null, false, false);
    }
  }

  private static String read(InputStream in) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int agentCount(HttpClient http, String hub, String prefix) {
    JsonObject agents = get(http, hub + "/api/v1/agents");
    return (int) agents.getJsonArray("agents", new io.vertx.core.json.JsonArray()).stream()
        .filter(a -> ((JsonObject) a).getString("id").startsWith(prefix)).count();
  }

  private static JsonObject get(HttpClient http, String url) {
    try {
      HttpResponse<String> response = http.send(HubClient.authorized(HttpRequest.newBuilder(URI.create(url))).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? new JsonObject(response.body()) : new JsonObject();
    } catch (Exception e) {
      return new JsonObject();
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("timed out");
      }
      Thread.sleep(20); // poll interval
    }
  }

  private static AMQP.BasicProperties properties(String agent, String type) {
    return new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).type(type).appId(agent).build();
  }
}
