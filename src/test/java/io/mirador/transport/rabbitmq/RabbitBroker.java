package io.mirador.transport.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real RabbitMQ on loopback, as tests use it: each test class works in a vhost of its own (so the fixed
 * names of DESIGN.md §3 collide with nobody), created and deleted with rabbitmqctl.
 */
public final class RabbitBroker {

  public static final String HOST = "127.0.0.1";
  public static final int PORT = 5672;

  private RabbitBroker() {
  }

  /** A new vhost the guest user may use; delete it with {@link #deleteVhost}. */
  public static String createVhost(String purpose) {
    String vhost = "mirador-test-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
    ctl("add_vhost", vhost);
    ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
    return vhost;
  }

  public static void deleteVhost(String vhost) {
    ctl("delete_vhost", vhost);
  }

  public static String url(String vhost) {
    return url(HOST, PORT, vhost);
  }

  public static String url(String host, int port, String vhost) {
    return "amqp://guest:guest@" + host + ":" + port + "/" + URLEncoder.encode(vhost, StandardCharsets.UTF_8);
  }

  /** A config tree selecting the RabbitMQ transport at that URL, with short timings for tests. */
  public static JsonObject config(String url) {
    return new JsonObject().put("transport", new JsonObject().put("type", "rabbitmq").put("amqp", new JsonObject()
        .put("url", url)
        .put("reconnectInitialMs", 100)
        .put("reconnectMaxMs", 1_000)
        .put("confirmTimeoutMs", 5_000)
        .put("requeueDelayMs", 200)));
  }

  /** A plain client connection into the vhost, for looking at queues the way an operator would. */
  public static Connection connect(String vhost) throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(url(vhost));
    return factory.newConnection("mirador-test");
  }

  /** Empties the queue if it exists. */
  public static void purge(Connection connection, String queue) throws Exception {
    Channel channel = connection.createChannel();
    try {
      channel.queuePurge(queue);
    } catch (IOException e) {
      // not declared yet
    } finally {
      if (channel.isOpen()) {
        channel.close();
      }
    }
  }

  /**
   * Takes messages off a queue (auto-ack) until {@code n} have come or 10 s have passed; fewer only when the time ran
   * out, so the caller's assertion says what was missing.
   */
  public static List<GetResponse> take(Connection connection, String queue, int n) throws Exception {
    List<GetResponse> taken = new ArrayList<>();
    try (Channel channel = connection.createChannel()) {
      try {
        io.mirador.testing.Await.condition(Duration.ofSeconds(10), Duration.ofMillis(20), () -> {
          try {
            for (GetResponse got = channel.basicGet(queue, true); got != null && taken.size() < n; got = channel.basicGet(queue, true)) {
              taken.add(got);
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return taken.size() >= n;
        }, () -> n + " messages in " + queue);
      } catch (AssertionError timedOut) {
        // fewer than n: the caller's assertion reports it
      }
    }
    return taken;
  }

  /** The {@code x-mirador-reason} headers of the next {@code n} dead-lettered messages (fewer after 10 s). */
  public static List<String> deadReasons(Connection connection, int n) throws Exception {
    List<String> reasons = new ArrayList<>();
    for (GetResponse dead : take(connection, Topology.DEAD_QUEUE, n)) {
      reasons.add(String.valueOf(dead.getProps().getHeaders().get(Topology.REASON_HEADER)));
    }
    return reasons;
  }

  public static long messageCount(Connection connection, String queue) throws Exception {
    Channel channel = connection.createChannel();
    try {
      return channel.queueDeclarePassive(queue).getMessageCount();
    } finally {
      if (channel.isOpen()) {
        channel.close();
      }
    }
  }

  /** How many consumers the queue has: one per hub channel verticle instance consuming it. */
  public static int consumerCount(Connection connection, String queue) throws Exception {
    Channel channel = connection.createChannel();
    try {
      return channel.queueDeclarePassive(queue).getConsumerCount();
    } finally {
      if (channel.isOpen()) {
        channel.close();
      }
    }
  }

  /** Stops the RabbitMQ application (the Erlang node stays up): every connection drops, nothing is accepted. */
  public static void stopApp() {
    ctl("stop_app");
  }

  /** Starts it again and returns once it accepts connections. */
  public static void startApp() {
    ctl("start_app");
    ctl("await_startup");
  }

  /** Runs rabbitmqctl and returns its output; fails on a non-zero exit. Blocking. */
  public static String ctl(String... args) {
    List<String> command = new ArrayList<>();
    command.add("rabbitmqctl");
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!process.waitFor(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " timed out");
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
