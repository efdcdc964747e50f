package io.mirador.agent;

import io.mirador.Addresses;
import io.mirador.agent.collect.Collector;
import io.mirador.agent.collect.CollectorContext;
import io.mirador.config.Settings;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;

/**
 * Runs the agent's collectors, each on its own interval, and hands their samples to the agent's channel
 * as {@code metrics} events. Probes run on a small worker pool, never on the event loop, and a collector
 * never overlaps itself: the next run is scheduled when the previous one ends.
 */
public final class AgentMonitorVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentMonitorVerticle.class);

  private static final long PRIMING_DELAY_MS = 1_000;

  private final List<Long> timers = new ArrayList<>();
  private WorkerExecutor probes;
  private String agentId;
  private volatile boolean stopped;

  @Override
  public Future<?> start() {
    AgentConfig agent = AgentConfig.of(config());
    agentId = agent.id();
    probes = vertx.createSharedWorkerExecutor("mirador-probes-" + agentId, 2);
    return probes.executeBlocking(() -> loadCollectors(agent)).onSuccess(collectors -> {
      for (Scheduled scheduled : collectors) {
        // a short deterministic splay from the name, so collectors of one agent do not all fire together
        long firstDelay = 50 + Math.floorMod(scheduled.collector.name().hashCode(), 500);
        schedule(scheduled, firstDelay);
      }
      LOG.info("agent {} collects {}", agentId, collectors.stream().map(s -> s.collector.name() + "/" + s.intervalMs / 1000 + "s").toList());
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    timers.forEach(vertx::cancelTimer);
    return probes.close();
  }

  private List<Scheduled> loadCollectors(AgentConfig agent) {
    SystemInfo systemInfo = new SystemInfo();
    List<Scheduled> scheduled = new ArrayList<>();
    for (Collector collector : ServiceLoader.load(Collector.class, getClass().getClassLoader())) {
      JsonObject section = agent.collector(collector.name());
      if (!section.getBoolean("enabled", true)) {
        continue;
      }
      int interval = Settings.positiveInt(section, "intervalSeconds", collector.defaultIntervalSeconds());
      try {
        collector.init(new CollectorContext(systemInfo, section));
        scheduled.add(new Scheduled(collector, interval * 1000L));
      } catch (Exception e) {
        LOG.warn("collector {} disabled: it failed to start: {}", collector.name(), e.toString());
      }
    }
    return scheduled;
  }

  private void schedule(Scheduled scheduled, long delayMs) {
    if (stopped) {
      return;
    }
    timers.add(vertx.setTimer(delayMs, id -> {
      timers.remove(id);
      run(scheduled);
    }));
  }

  private void run(Scheduled scheduled) {
    long startedAt = System.currentTimeMillis();
    probes.executeBlocking(() -> scheduled.collector.collect(startedAt), false)
        .onSuccess(this::emit)
        .onFailure(e -> LOG.warn("collector {} failed: {}", scheduled.collector.name(), e.toString()))
        .onComplete(done -> {
          long elapsed = System.currentTimeMillis() - startedAt;
          long next = scheduled.intervalMs - elapsed;
          if (!scheduled.primed) {
            scheduled.primed = true;
            if (done.succeeded() && done.result().isEmpty()) {
              // rate collectors need two readings: take the second soon, not a whole interval later
              next = Math.min(next, PRIMING_DELAY_MS);
            }
          }
          schedule(scheduled, Math.max(1, next));
        });
  }

  private void emit(List<Sample> samples) {
    for (int from = 0; from < samples.size(); from += MetricsBatch.MAX_SAMPLES) {
      List<Sample> part = List.copyOf(samples.subList(from, Math.min(samples.size(), from + MetricsBatch.MAX_SAMPLES)));
      // seq 0: the channel numbers events as it takes them
      Envelope event = new Envelope(Envelope.VERSION, EventType.METRICS, agentId, 0, System.currentTimeMillis(), new MetricsBatch(part));
      vertx.eventBus().send(Addresses.agentOutbox(agentId), event);
    }
  }

  private static final class Scheduled {
    final Collector collector;
    final long intervalMs;
    boolean primed;

    Scheduled(Collector collector, long intervalMs) {
      this.collector = collector;
      this.intervalMs = intervalMs;
    }
  }
}
