package io.mirador.agent;

import io.mirador.Addresses;
import io.mirador.agent.collect.Collector;
import io.mirador.agent.collect.CollectorContext;
import io.mirador.agent.plugin.LoadedPlugin;
import io.mirador.agent.plugin.PluginChanges;
import io.mirador.agent.plugin.PluginConfig;
import io.mirador.agent.plugin.PluginDirectory;
import io.mirador.config.Settings;
import io.mirador.metrics.Meters;
import io.mirador.model.Envelope;
import io.mirador.model.EventType;
import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;

/**
 * Runs the agent's collectors, each on its own interval, and hands their samples to the agent's channel
 * as {@code metrics} events. Probes run on a small worker pool, never on the event loop, and a collector
 * never overlaps itself: the next run is scheduled when the previous one ends. Built-in collectors are found
 * once at start; plugin jars in the plugin folder are picked up, replaced and removed while the agent runs.
 *
 * <p>Runs fall on rounds: every interval from this verticle's start, plus the collector's splay (under
 * {@value #MAX_SPLAY_MS} ms). So the collectors of one agent run together round after round instead of drifting
 * apart, and the channel, which merges the metrics events arriving within {@code agent.batch.lingerMs}, sends
 * about one event per round. Agents started at different times fall on different rounds, so a fleet does not
 * reach the hub all at once.
 */
public final class AgentMonitorVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AgentMonitorVerticle.class);

  private static final long PRIMING_DELAY_MS = 1_000;
  /** Collectors start within this many ms of a round, spread by name so they do not all fire at the same instant. */
  private static final long MAX_SPLAY_MS = 550;

  /** The monotonic origin of the rounds; wall-clock jumps do not move them. */
  private final long originNanos = System.nanoTime();

  private final Map<LoadedPlugin, List<Scheduled>> pluginCollectors = new HashMap<>();
  private final List<Scheduled> builtIns = new ArrayList<>();
  private WorkerExecutor probes;
  private AgentConfig agent;
  private SystemInfo systemInfo;
  private PluginDirectory plugins;
  private long scanTimer = -1;
  private boolean stopped;
  private volatile int running;

  @Override
  public Future<?> start() {
    agent = AgentConfig.of(config());
    probes = vertx.createSharedWorkerExecutor("mirador-probes-" + agent.id(), 2);
    return probes.executeBlocking(this::loadBuiltIns).compose(found -> {
      builtIns.addAll(found);
      builtIns.forEach(this::scheduleFirst);
      countRunning();
      Meters.of(vertx).gauge("mirador_agent_collectors", "Collectors scheduled on an agent, built-in and plugins",
          Map.of("agent", agent.id()), () -> running);
      LOG.info("agent {} collects {}", agent.id(), builtIns.stream().map(Scheduled::describe).toList());
      Set<String> builtInNames = new LinkedHashSet<>();
      ServiceLoader.load(Collector.class, getClass().getClassLoader()).forEach(c -> builtInNames.add(c.name()));
      PluginConfig pluginConfig = PluginConfig.of(agent.section());
      return probes.executeBlocking(() -> PluginDirectory.open(pluginConfig, builtInNames, getClass().getClassLoader()))
          .onSuccess(directory -> {
            plugins = directory;
            scanPlugins(pluginConfig.scanSeconds() * 1000L);
          });
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(scanTimer);
    List<Future<Void>> halted = new ArrayList<>();
    builtIns.forEach(s -> halted.add(s.halt()));
    pluginCollectors.values().forEach(list -> list.forEach(s -> halted.add(s.halt())));
    return Future.join(halted)
        .transform(done -> plugins == null ? Future.succeededFuture() : probes.executeBlocking(() -> {
          plugins.close();
          return null;
        }))
        .transform(done -> probes.close());
  }

  private List<Scheduled> loadBuiltIns() {
    systemInfo = new SystemInfo();
    List<Scheduled> scheduled = new ArrayList<>();
    for (Collector collector : ServiceLoader.load(Collector.class, getClass().getClassLoader())) {
      Scheduled ready = prepare(collector);
      if (ready != null) {
        scheduled.add(ready);
      }
    }
    return scheduled;
  }

  /** Reads the collector's config and runs its init; null when it is disabled or failed to start. Blocking. */
  private Scheduled prepare(Collector collector) {
    JsonObject section = agent.collector(collector.name());
    if (!section.getBoolean("enabled", true)) {
      return null;
    }
    int interval = Settings.positiveInt(section, "intervalSeconds", collector.defaultIntervalSeconds());
    try {
      collector.init(new CollectorContext(systemInfo, section));
      return new Scheduled(collector, interval * 1000L);
    } catch (Exception e) {
      LOG.warn("collector {} disabled: it failed to start: {}", collector.name(), e.toString());
      return null;
    }
  }

  private void scanPlugins(long periodMs) {
    if (stopped) {
      return;
    }
    probes.executeBlocking(plugins::scan, false)
        .compose(this::apply)
        .onFailure(e -> LOG.warn("plugin scan failed: {}", e.toString()))
        .onComplete(done -> {
          if (!stopped) {
            scanTimer = vertx.setTimer(periodMs, id -> scanPlugins(periodMs));
          }
        });
  }

  /** Stops and unloads what went away, then starts what came: a replaced jar never runs twice at once. */
  private Future<Void> apply(PluginChanges changes) {
    List<Future<Void>> unloaded = new ArrayList<>();
    for (LoadedPlugin gone : changes.removed()) {
      List<Scheduled> stopping = pluginCollectors.remove(gone);
      List<Future<Void>> halted = stopping == null ? List.of() : stopping.stream().map(Scheduled::halt).toList();
      unloaded.add(Future.join(halted).transform(done -> probes.executeBlocking(() -> {
        gone.close();
        return null;
      })));
      LOG.info("plugin {} {} unloaded", gone.name(), gone.version());
    }
    countRunning();
    return Future.join(unloaded).transform(done -> {
      List<Future<Void>> started = new ArrayList<>();
      for (LoadedPlugin added : changes.added()) {
        started.add(probes.executeBlocking(() -> added.collectors().stream().map(this::prepare).filter(s -> s != null).toList())
            .map(ready -> {
              pluginCollectors.put(added, ready);
              ready.forEach(this::scheduleFirst);
              countRunning();
              LOG.info("plugin {} {} loaded: {}", added.name(), added.version(), ready.stream().map(Scheduled::describe).toList());
              return null;
            }));
      }
      return Future.join(started).mapEmpty();
    });
  }

  private void countRunning() {
    running = builtIns.size() + pluginCollectors.values().stream().mapToInt(List::size).sum();
  }

  private void scheduleFirst(Scheduled scheduled) {
    schedule(scheduled, scheduled.splayMs);
  }

  /**
   * How long from {@code nowMs} to the collector's next round: the first of {@code splayMs + k * intervalMs} after
   * now and at least half an interval after the run that started at {@code startedMs} (so a plugin's first run,
   * which is not on a round, is not followed by another at once). Rounds missed by a run that overran are skipped.
   * Times in ms since the rounds' origin.
   */
  static long delayToNextRound(long nowMs, long startedMs, long intervalMs, long splayMs) {
    long earliest = Math.max(nowMs, startedMs + intervalMs / 2);
    long round = (Math.floorDiv(earliest - splayMs, intervalMs) + 1) * intervalMs + splayMs;
    return Math.max(1, round - nowMs);
  }

  private long sinceOrigin() {
    return (System.nanoTime() - originNanos) / 1_000_000;
  }

  private void schedule(Scheduled scheduled, long delayMs) {
    if (stopped || scheduled.halted) {
      return;
    }
    scheduled.timer = vertx.setTimer(delayMs, id -> run(scheduled));
  }

  private void run(Scheduled scheduled) {
    long startedAt = System.currentTimeMillis();
    long startedSinceOrigin = sinceOrigin();
    Promise<Void> finished = Promise.promise();
    scheduled.inFlight = finished.future();
    probes.executeBlocking(() -> scheduled.collector.collect(startedAt), false)
        .onSuccess(samples -> emit(scheduled, samples))
        .onFailure(e -> LOG.warn("collector {} failed: {}", scheduled.collector.name(), e.toString()))
        .onComplete(done -> {
          finished.complete();
          long next = delayToNextRound(sinceOrigin(), startedSinceOrigin, scheduled.intervalMs, scheduled.splayMs);
          if (!scheduled.primed) {
            scheduled.primed = true;
            if (done.succeeded() && done.result().isEmpty()) {
              // rate collectors need two readings: take the second soon, not a whole interval later
              next = Math.min(next, PRIMING_DELAY_MS);
            }
          }
          schedule(scheduled, next);
        });
  }

  private void emit(Scheduled scheduled, List<Sample> samples) {
    if (scheduled.halted) {
      return; // its plugin is being unloaded: what it said last is not sent
    }
    for (int from = 0; from < samples.size(); from += MetricsBatch.MAX_SAMPLES) {
      List<Sample> part = List.copyOf(samples.subList(from, Math.min(samples.size(), from + MetricsBatch.MAX_SAMPLES)));
      // seq 0: the channel numbers events as it takes them
      Envelope event = new Envelope(Envelope.VERSION, EventType.METRICS, agent.id(), 0, System.currentTimeMillis(), new MetricsBatch(part));
      vertx.eventBus().send(Addresses.agentOutbox(agent.id()), event);
    }
  }

  /** One collector on its schedule; everything here is touched on the verticle's event loop only. */
  private final class Scheduled {
    final Collector collector;
    final long intervalMs;
    /** Its offset from the rounds, from its name (deterministic, so it stays the same across restarts). */
    final long splayMs;
    boolean primed;
    boolean halted;
    long timer = -1;
    Future<Void> inFlight = Future.succeededFuture();

    Scheduled(Collector collector, long intervalMs) {
      this.collector = collector;
      this.intervalMs = intervalMs;
      this.splayMs = 50 + Math.floorMod(collector.name().hashCode(), MAX_SPLAY_MS - 50);
    }

    /** Stops scheduling; completes once a run in progress has ended. */
    Future<Void> halt() {
      halted = true;
      vertx.cancelTimer(timer);
      return inFlight;
    }

    String describe() {
      return collector.name() + "/" + intervalMs / 1000 + "s";
    }
  }
}
