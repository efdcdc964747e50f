package io.mirador.transport.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.mirador.model.Envelope;
import io.mirador.model.Wire;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, against the real broker in a vhost of its own: agent publish throughput with per-message confirm
 * tracking by window (messages in flight), the same against plain batches of waitForConfirms, and hub consume
 * throughput by prefetch. Not a test; the figures go to docs/RABBITMQ.md. Run:
 *
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) io.mirador.transport.rabbitmq.RabbitBench [quorum|classic]
 * </pre>
 */
public final class RabbitBench {

  private static final int MESSAGES = 20_000;
  private static final int SAMPLES_PER_EVENT = 20;
  /** quorum (default) or classic, from the first argument. */
  private static String queueType = "quorum";

  public static void main(String[] args) throws Exception {
    queueType = args.length > 0 ? args[0] : "quorum";
    String vhost = RabbitBroker.createVhost("bench");
    Vertx vertx = Vertx.vertx();
    try {
      String url = RabbitBroker.url(vhost);
      byte[] body = Wire.standard().encode(RabbitTransportTest.metrics("bench", 1, SAMPLES_PER_EVENT));
      System.out.printf("event size %d bytes, at most %d messages per run (500 x window for small ones), ingest queue %s%n", body.length, MESSAGES, queueType);

      System.out.println("\n== agent publish, confirm tracked per message (RabbitAgentTransport), by window");
      for (int window : new int[] {1, 8, 32, 64, 128, 256, 1024}) {
        purge(vhost);
        double rate = agentPublish(vertx, url, window);
        System.out.printf("window %5d: %8.0f msg/s%n", window, rate);
      }

      System.out.println("\n== plain client, publish a batch then waitForConfirms, by batch");
      for (int batch : new int[] {1, 64, 256}) {
        purge(vhost);
        double rate = batchedWaitForConfirms(vhost, body, batch);
        System.out.printf("batch  %5d: %8.0f msg/s%n", batch, rate);
      }

      System.out.println("\n== hub consume (RabbitHubTransport), decode + ack, by prefetch; store latency 0 and 2 ms");
      for (int prefetch : new int[] {1, 10, 50, 100, 250, 500, 1000}) {
        double immediate = hubConsume(vertx, vhost, url, body, prefetch, 0);
        double delayed = hubConsume(vertx, vhost, url, body, prefetch, 2);
        System.out.printf("prefetch %5d: %8.0f msg/s (0 ms store)  %8.0f msg/s (2 ms store)%n", prefetch, immediate, delayed);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
      RabbitBroker.deleteVhost(vhost);
    }
  }

  private static double agentPublish(Vertx vertx, String url, int window) throws Exception {
    CompletableFuture<Double> result = new CompletableFuture<>();
    vertx.runOnContext(ignored -> {
      RabbitAgentTransport agent = new RabbitAgentTransport(vertx, AmqpSettings.of(config(url)), "bench");
      agent.onCommand(command -> { }).onComplete(started -> {
        int messages = Math.min(MESSAGES, 500 * window);
        long start = System.nanoTime();
        AtomicLong next = new AtomicLong(1);
        AtomicLong done = new AtomicLong();
        Runnable[] pump = new Runnable[1];
        int[] inFlight = {0};
        pump[0] = () -> {
          while (inFlight[0] < window && next.get() <= messages) {
            inFlight[0]++;
            Envelope event = RabbitTransportTest.metrics("bench", next.getAndIncrement(), SAMPLES_PER_EVENT);
            agent.publish(event).onComplete(confirmed -> {
              inFlight[0]--;
              if (confirmed.failed()) {
                result.completeExceptionally(confirmed.cause());
                return;
              }
              if (done.incrementAndGet() == messages) {
                double seconds = (System.nanoTime() - start) / 1e9;
                agent.close().onComplete(closed -> result.complete(messages / seconds));
              } else {
                pump[0].run();
              }
            });
          }
        };
        pump[0].run();
      });
    });
    return result.get(5, TimeUnit.MINUTES);
  }

  private static double batchedWaitForConfirms(String vhost, byte[] body, int batch) throws Exception {
    return batchedWaitForConfirms(vhost, body, batch, Math.min(MESSAGES, 500 * batch));
  }

  private static double batchedWaitForConfirms(String vhost, byte[] body, int batch, int messages) throws Exception {
    try (Connection connection = RabbitBroker.connect(vhost)) {
      Channel channel = connection.createChannel();
      channel.confirmSelect();
      AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).contentType("application/json").build();
      long start = System.nanoTime();
      for (int sent = 0; sent < messages; ) {
        for (int i = 0; i < batch && sent < messages; i++, sent++) {
          channel.basicPublish(Topology.INGEST_EXCHANGE, "metrics.bench", true, persistent, body);
        }
        channel.waitForConfirmsOrDie(30_000);
      }
      return messages / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static double hubConsume(Vertx vertx, String vhost, String url, byte[] body, int prefetch, int storeMs) throws Exception {
    int messages = Math.min(MESSAGES, 500 * prefetch);
    purge(vhost);
    batchedWaitForConfirms(vhost, body, 256, messages);
    JsonObject config = config(url);
    config.getJsonObject("transport").getJsonObject("amqp").put("prefetch", prefetch);
    CompletableFuture<Double> result = new CompletableFuture<>();
    vertx.runOnContext(ignored -> {
      RabbitHubTransport hub = new RabbitHubTransport(vertx, AmqpSettings.of(config));
      AtomicLong acked = new AtomicLong();
      long[] start = {0};
      hub.consume(delivery -> {
        if (start[0] == 0) {
          start[0] = System.nanoTime();
        }
        Wire.standard().decode(delivery.body());
        Future<Void> stored = storeMs == 0 ? Future.succeededFuture() : delay(vertx, storeMs);
        stored.onComplete(done -> {
          delivery.ack();
          if (acked.incrementAndGet() == messages) {
            double seconds = (System.nanoTime() - start[0]) / 1e9;
            hub.close().onComplete(closed -> result.complete(messages / seconds));
          }
        });
      });
    });
    return result.get(5, TimeUnit.MINUTES);
  }

  private static JsonObject config(String url) {
    JsonObject config = RabbitBroker.config(url);
    config.getJsonObject("transport").getJsonObject("amqp").put("ingestQueueType", queueType);
    return config;
  }

  private static Future<Void> delay(Vertx vertx, int ms) {
    Promise<Void> promise = Promise.promise();
    vertx.setTimer(ms, id -> promise.complete());
    return promise.future();
  }

  private static void purge(String vhost) throws Exception {
    try (Connection connection = RabbitBroker.connect(vhost)) {
      Channel channel = connection.createChannel();
      // declared as the transports do, so the first run finds the queue
      Topology.declareShared(connection, AmqpSettings.of(config(RabbitBroker.url(vhost))));
      channel.queuePurge(Topology.INGEST_QUEUE);
    }
  }
}
