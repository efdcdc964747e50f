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
import java.util.concurrent.TimeUnit;

/**
 * The real agent (every agent verticle, the real channel, spool and transport) with its collectors off and a
 * load source instead: every {@code everyMs} one {@code metrics} event with one sample of {@link #METRIC}, at a
 * timestamp of its own, goes to the agent's outbox exactly as a collector's result does. So every numbered event
 * but the one {@code register} per start is one point of that series, and a test can count them.
 *
 * <p>Runs in the test's JVM ({@link #start}) or as a process of its own ({@link #main}: {@code <conf> <everyMs>}),
 * which stops ticking when the file {@code <dataDir>/stop-ticking} appears and says so with {@code <dataDir>/stopped-ticking}.
 */
public final class TickingAgent {

  static final String METRIC = "test.tick";
  static final String STOP_FILE = "stop-ticking";
  /** Written by the process once it has stopped ticking: every tick it made is in the agent's outbox. */
  static final String STOPPED_FILE = "stopped-ticking";

  private final Mirador mirador;
  private long timer = -1;
  private long ticks;
  private long lastTs;

  private TickingAgent(Mirador mirador) {
    this.mirador = mirador;
  }

  static Future<TickingAgent> start(Path conf, long everyMs) {
    return Mirador.start(Mirador.Mode.AGENT, conf, Map.of(), new JsonObject()).map(mirador -> {
      TickingAgent agent = new TickingAgent(mirador);
      agent.timer = mirador.vertx().setPeriodic(everyMs, id -> agent.tick());
      return agent;
    });
  }

  public static void main(String[] args) throws Exception {
    Path conf = Path.of(args[0]);
    TickingAgent agent = start(conf, Long.parseLong(args[1])).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    String dataDir = new JsonObject(java.nio.file.Files.readString(conf)).getJsonObject("agent").getString("dataDir");
    String stopFile = Path.of(dataDir, STOP_FILE).toString();
    String stoppedFile = Path.of(dataDir, STOPPED_FILE).toString();
    agent.mirador.vertx().setPeriodic(200, id -> agent.mirador.vertx().fileSystem().exists(stopFile).onSuccess(stop -> {
      if (stop) {
        agent.stopTicking();
        agent.mirador.vertx().cancelTimer(id);
        agent.mirador.vertx().fileSystem().createFile(stoppedFile);
      }
    }));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        agent.mirador.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // exiting anyway
      }
    }));
  }

  String agentId() {
    return mirador.agentId();
  }

  /** Stops the load; the agent goes on sending what it holds. */
  void stopTicking() {
    mirador.vertx().cancelTimer(timer);
  }

  Future<Void> close() {
    return mirador.close();
  }

  private void tick() {
    ticks++;
    long ts = Math.max(System.currentTimeMillis(), lastTs + 1); // one point per event, never two at one timestamp
    lastTs = ts;
    String id = mirador.agentId();
    mirador.vertx().eventBus().send(Addresses.agentOutbox(id),
        Envelope.of(EventType.METRICS, id, 0, ts, new MetricsBatch(List.of(new Sample(METRIC, Map.of(), ticks, ts)))));
  }
}
