package io.mirador.agent.collect;

import static io.mirador.agent.collect.SampleLookup.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.model.MetricsBatch;
import io.mirador.model.Sample;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import oshi.SystemInfo;

/**
 * Every collector registered with {@link ServiceLoader}, run against the real OSHI of this host: one round, then rounds
 * every {@link #POLL_MS} ms until the CPU collector has ticks to compare (so the rate collectors have a delta too),
 * within {@link #BOUND_NANOS}. Runs on worker threads, as the agent runs collectors.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class BuiltInCollectorsOnThisHostTest {

  private static final long POLL_MS = 100;
  private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final Pattern NAME = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)*");
  private static final Map<String, String> CPU_TOTAL = Map.of("cpu", "total");

  private final SystemInfo systemInfo = new SystemInfo();

  @Test
  void everyRegisteredCollectorReportsSaneValues(Vertx vertx, VertxTestContext test) {
    List<Collector> collectors = ServiceLoader.load(Collector.class).stream().map(ServiceLoader.Provider::get).toList();
    long deadline = System.nanoTime() + BOUND_NANOS;

    vertx.executeBlocking(() -> {
          for (Collector collector : collectors) {
            collector.init(new CollectorContext(systemInfo, new JsonObject()));
          }
          return collectAll(collectors);
        })
        .compose(first -> roundWithCpuDelta(vertx, collectors, deadline).map(second -> List.of(first, second)))
        .onComplete(test.succeeding(rounds -> test.verify(() -> {
          assertRegistered(collectors);
          assertFirstRoundHasNoRates(rounds.get(0));
          rounds.forEach(BuiltInCollectorsOnThisHostTest::assertValid);
          assertSane(rounds.get(1));
          test.completeNow();
        })));
  }

  /** Collects again, right away and then every {@link #POLL_MS} ms, until {@code cpu.usage} shows up or time is up. */
  private Future<List<Sample>> roundWithCpuDelta(Vertx vertx, List<Collector> collectors, long deadline) {
    return vertx.executeBlocking(() -> collectAll(collectors)).compose(samples -> {
      if (samples.stream().anyMatch(s -> s.name().equals("cpu.usage") && s.tags().equals(CPU_TOTAL))) {
        return Future.succeededFuture(samples);
      }
      if (System.nanoTime() - deadline > 0) {
        return Future.failedFuture("no cpu.usage within " + TimeUnit.NANOSECONDS.toSeconds(BOUND_NANOS) + " s: " + samples);
      }
      Promise<List<Sample>> next = Promise.promise();
      vertx.setTimer(POLL_MS, id -> roundWithCpuDelta(vertx, collectors, deadline).onComplete(next));
      return next.future();
    });
  }

  private static List<Sample> collectAll(List<Collector> collectors) throws Exception {
    List<Sample> samples = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (Collector collector : collectors) {
      samples.addAll(collector.collect(now));
    }
    return samples;
  }

  private static void assertRegistered(List<Collector> collectors) {
    assertEquals(List.of("cpu", "memory", "load", "filesystem", "diskio", "network", "processes", "uptime"),
        collectors.stream().map(Collector::name).toList());
    assertTrue(collectors.stream().allMatch(c -> c.defaultIntervalSeconds() > 0));
  }

  private static void assertFirstRoundHasNoRates(List<Sample> first) {
    assertTrue(first.stream().noneMatch(s -> s.name().startsWith("cpu.") || s.name().startsWith("disk.")
        || s.name().startsWith("net.")), () -> "first round reported rates: " + first);
  }

  private static void assertValid(List<Sample> round) {
    for (Sample sample : round) {
      assertTrue(NAME.matcher(sample.name()).matches(), sample::toString);
      assertTrue(Double.isFinite(sample.value()), sample::toString);
    }
    new MetricsBatch(round).validate();
  }

  private void assertSane(List<Sample> samples) {
    Set<String> names = samples.stream().map(Sample::name).collect(Collectors.toSet());

    double cpuUsage = value(samples, "cpu.usage", CPU_TOTAL);
    assertTrue(cpuUsage >= 0 && cpuUsage <= 100, "cpu.usage " + cpuUsage);
    int cores = systemInfo.getHardware().getProcessor().getLogicalProcessorCount();
    samples.stream().filter(s -> s.name().equals("cpu.usage") && !s.tags().equals(CPU_TOTAL))
        .forEach(s -> assertTrue(Integer.parseInt(s.tags().get("cpu")) < cores, s::toString));

    assertEquals(systemInfo.getHardware().getMemory().getTotal(), value(samples, "memory.total"));
    assertTrue(value(samples, "memory.total") > 0);
    assertTrue(value(samples, "memory.available") <= value(samples, "memory.total"));

    assertTrue(samples.stream().anyMatch(s -> s.name().startsWith("fs.") && "/".equals(s.tags().get("mount"))),
        "no fs.* sample for /");
    assertFalse(samples.stream().anyMatch(s -> "tmpfs".equals(s.tags().get("type"))), "tmpfs reported");

    assertTrue(value(samples, "load.1") >= 0);
    assertTrue(value(samples, "system.uptime") > 0);
    assertTrue(value(samples, "processes.count") > 0);
    assertTrue(value(samples, "threads.count") >= value(samples, "processes.count"));

    for (Sample sample : samples) {
      if (sample.name().endsWith("_pct") || sample.name().startsWith("cpu.")) {
        assertTrue(sample.value() >= 0 && sample.value() <= 100, sample::toString);
      }
      if (sample.name().startsWith("disk.") || sample.name().startsWith("net.")) {
        assertTrue(sample.value() >= 0, sample::toString);
      }
      assertFalse("lo".equals(sample.tags().get("iface")), "loopback reported");
    }
    assertTrue(names.containsAll(Set.of("memory.used", "memory.used_pct", "swap.total", "swap.used_pct", "load.5",
        "load.15", "cpu.user", "cpu.system", "cpu.iowait", "cpu.steal")), names::toString);
  }
}
