package io.mirador.e2e.prod;

import io.mirador.Addresses;
import io.mirador.Mirador;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real agent (channel, spool, RabbitMQ transport) with its collectors off, sending every {@code everyMs} one sample
 * of {@link #METRIC} at the level the test sets: the condition of a threshold rule, driven from the test. Runs in the
 * test's JVM; the hubs it talks to are child processes.
 */
final class LevelAgent {

  static final String METRIC = "test.level";

  private final Mirador mirador;
  private volatile double level;
  private long lastTs;
  private final AtomicLong sent = new AtomicLong();

  private LevelAgent(Mirador mirador, double level) {
    this.mirador = mirador;
    this.level = level;
  }

  static Future<LevelAgent> start(Path conf, double level, long everyMs) {
    return Mirador.start(Mirador.Mode.AGENT, conf, Map.of(), new JsonObject()).map(mirador -> {
      LevelAgent agent = new LevelAgent(mirador, level);
      mirador.vertx().setPeriodic(everyMs, id -> agent.send());
      return agent;
    });
  }

  String agentId() {
    return mirador.agentId();
  }

  void level(double value) {
    level = value;
  }

  /** Samples handed to the agent's outbox so far. */
  long sent() {
    return sent.get();
  }

  Future<Void> close() {
    return mirador.close();
  }

  private void send() {
    long ts = Math.max(System.currentTimeMillis(), lastTs + 1);
    lastTs = ts;
    String id = mirador.agentId();
    mirador.vertx().eventBus().send(Addresses.agentOutbox(id),
        Envelope.of(EventType.METRICS, id, 0, ts, new MetricsBatch(List.of(new Sample(METRIC, Map.of(), level, ts)))));
    sent.incrementAndGet();
  }
}
