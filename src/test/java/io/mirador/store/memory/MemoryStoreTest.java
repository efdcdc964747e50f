package io.mirador.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.metrics.Stats;
import io.mirador.model.CheckResult;
import io.mirador.model.Sample;
import io.mirador.store.Admission;
import io.mirador.store.IngestCounters;
import io.mirador.store.LatestValue;
import io.mirador.store.SeriesData;
import io.mirador.store.AgentRegistryContractTest;
import io.mirador.store.CheckStoreContractTest;
import io.mirador.store.IngestContractTest;
import io.mirador.store.NodeStoreContractTest;
import io.mirador.store.StoreContractSupport;
import io.mirador.store.Stores;
import io.mirador.store.WriteBatch;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every store contract on the memory store, plus what only it has: its bounds, its sweep, its concurrency. */
class MemoryStoreTest extends StoreContractSupport {

  private static final MemoryStore.Limits DEFAULTS = MemoryStore.Limits.from(new JsonObject());

  private MemoryStore store;

  @Override
  protected Stores newStores() {
    Stores stores = Stores.memory(DEFAULTS);
    store = (MemoryStore) stores.backend();
    return stores;
  }

  /** Runs the rest of a test on another memory store (other bounds or clock). */
  private void use(MemoryStore other) {
    store = other;
    backend = other;
    ingest = other;
    registry = other;
    seriesStore = other;
    checks = other;
  }

  @Nested
  class Ingest extends IngestContractTest {
    @Override
    protected Stores newStores() {
      return Stores.memory(DEFAULTS);
    }
  }

  @Nested
  class Registry extends AgentRegistryContractTest {
    @Override
    protected Stores newStores() {
      return Stores.memory(DEFAULTS);
    }
  }

  @Nested
  class Jobs extends io.mirador.store.JobStoreContractTest {
    @Override
    protected Stores newStores() {
      return Stores.memory(DEFAULTS);
    }
  }

  @Nested
  class Enrollment extends io.mirador.store.AgentKeysContractTest {
    @Override
    protected Stores newStores() {
      return Stores.memory(DEFAULTS);
    }
  }

  @Nested
  class Alerts extends io.mirador.store.AlertStoreContractTest {
    @Override
    protected Stores newStores() {
      return Stores.memory(DEFAULTS);
    }
  }

  @Nested
  class Checks extends CheckStoreContractTest {
    @Override
    protected Stores newStores() {
      return Stores.memory(DEFAULTS);
    }
  }

  @Nested
  class Security extends io.mirador.store.SecurityStoreContractTest {
    @Override
    protected io.mirador.hub.security.AuditStore cappedAudit(int max) {
      return new io.mirador.store.memory.MemoryAuditStore(max);
    }

    @Override
    protected Stores newStores() {
      return Stores.memory(DEFAULTS);
    }
  }

  @Nested
  class Nodes extends NodeStoreContractTest {
    @Override
    protected Stores newStores() {
      return Stores.memory(DEFAULTS);
    }
  }

  private List<SeriesData.Point> pointsOf(String metric) {
    List<SeriesData> found = series(metric, Map.of(), 0, Long.MAX_VALUE, 0);
    return found.isEmpty() ? List.of() : found.get(0).points();
  }

  @Test
  void limitsHaveDefaults() {
    assertEquals(new MemoryStore.Limits(3_600_000, 50_000, 720), DEFAULTS);
    assertEquals(new MemoryStore.Limits(60_000, 10, 5),
        MemoryStore.Limits.from(new JsonObject().put("retentionSeconds", 60).put("maxSeries", 10).put("maxPointsPerSeries", 5)));
    assertEquals(DEFAULTS, MemoryStore.Limits.from(null));
  }

  @Test
  void limitsRejectNonPositiveValuesNamingTheKey() {
    for (String key : List.of("retentionSeconds", "maxSeries", "maxPointsPerSeries")) {
      for (Object bad : List.of(0, -5, "ten", 1.5)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> MemoryStore.Limits.from(new JsonObject().put(key, bad)), key + " = " + bad);
        assertTrue(e.getMessage().contains(key), e.getMessage());
      }
    }
    assertThrows(IllegalArgumentException.class, () -> MemoryStore.Limits.from(new JsonObject().put("maxSeries", 3_000_000_000L)));
    assertThrows(IllegalArgumentException.class, () -> new MemoryStore.Limits(0, 1, 1));
  }

  @Test
  void aNewSeriesPastMaxSeriesIsRefusedAndCounted() {
    use(new MemoryStore(new MemoryStore.Limits(3_600_000, 2, 720)));

    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base), Sample.of("mem.used", 1, base), Sample.of("disk.used", 1, base));
    writeSamples(AGENT, 2, Sample.of("cpu.load", 2, base + 1), Sample.of("disk.used", 2, base + 1));

    assertEquals(2L, store.stats().get("series"));
    assertEquals(2L, store.stats().get("series_rejected"));
    assertEquals(List.of(), pointsOf("disk.used"));
    assertEquals(points(base, 1, base + 1, 2), pointsOf("cpu.load"), "existing series keep working");

    await(store.removeAgent(AGENT));
    assertEquals(0L, store.stats().get("series"));
    writeSamples("agent-2", 1, Sample.of("disk.used", 3, base));
    assertEquals(List.of(new LatestValue("disk.used", Map.of(), 3, base)), await(store.latest("agent-2")),
        "removing an agent frees its series budget");
  }

  @Test
  void aFullRingOverwritesItsOldestPointAndCountsIt() {
    use(new MemoryStore(new MemoryStore.Limits(3_600_000, 10, 3)));

    for (int i = 0; i < 5; i++) {
      writeSamples(AGENT, i + 1, Sample.of("cpu.load", i, base + i * 1000L));
    }

    assertEquals(points(base + 2000, 2, base + 3000, 3, base + 4000, 4), pointsOf("cpu.load"));
    assertEquals(2L, store.stats().get("points_evicted"));
    assertEquals(3L, store.stats().get("points"));
  }

  @Test
  void aLateSampleIsInsertedInTimeOrderAndASameTimestampReplaces() {
    use(new MemoryStore(new MemoryStore.Limits(3_600_000, 10, 3)));
    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base + 1000), Sample.of("cpu.load", 3, base + 3000));

    writeSamples(AGENT, 2, Sample.of("cpu.load", 2, base + 2000));
    assertEquals(points(base + 1000, 1, base + 2000, 2, base + 3000, 3), pointsOf("cpu.load"));

    writeSamples(AGENT, 3, Sample.of("cpu.load", 20, base + 2000));
    assertEquals(points(base + 1000, 1, base + 2000, 20, base + 3000, 3), pointsOf("cpu.load"));

    writeSamples(AGENT, 4, Sample.of("cpu.load", 0, base));
    assertEquals(points(base + 1000, 1, base + 2000, 20, base + 3000, 3), pointsOf("cpu.load"),
        "older than all points of a full ring: it would be the one evicted");
    writeSamples(AGENT, 5, Sample.of("cpu.load", 15, base + 1500));
    assertEquals(points(base + 1500, 15, base + 2000, 20, base + 3000, 3), pointsOf("cpu.load"));
    assertEquals(2L, store.stats().get("points_evicted"));
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 3, base + 3000)), await(store.latest(AGENT)));
  }

  @Test
  void pointsOlderThanTheRetentionAreTrimmedAndEmptySeriesForgotten() {
    AtomicLong now = new AtomicLong(System.currentTimeMillis());
    long t = now.get();
    use(new MemoryStore(new MemoryStore.Limits(1_000, 10, 720), MemoryStore.MAX_GAP_RANGES, now::get));

    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, t - 5_000), Sample.of("cpu.load", 2, t - 500), Sample.of("cpu.load", 3, t),
        Sample.of("mem.used", 9, t - 900));
    assertEquals(points(t - 500, 2, t, 3), pointsOf("cpu.load"), "a sample already past the retention is not stored");
    assertEquals(1L, store.stats().get("points_expired"));

    now.set(t + 600);
    assertEquals(points(t, 3), pointsOf("cpu.load"));
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 3, t)), await(store.latest(AGENT)));
    assertEquals(1L, store.stats().get("series"), "mem.used had no point left and was forgotten");
    assertEquals(1L, store.stats().get("points"));

    now.set(t + 5_000);
    writeSamples("agent-2", 1, Sample.of("cpu.load", 1, t + 5_000));
    assertEquals(1L, store.stats().get("series"), "a write sweeps the series nobody reads any more");
    assertEquals(1L, store.stats().get("points"));
  }

  @Test
  void forgottenGapsStayCountedButCanNoLongerBeFilled() {
    use(new MemoryStore(DEFAULTS, 2, System::currentTimeMillis));
    for (long seq : new long[] {1, 3, 5, 7}) {
      writeSamples(AGENT, seq, Sample.of("cpu.load", seq, base + seq));
    }

    assertEquals(1L, store.stats().get("gap_tracking_overflow"));
    assertEquals(new IngestCounters(4, 0, 3, 7), agent(AGENT).ingest());
    assertEquals(Admission.DUPLICATE, writeSamples(AGENT, 2, Sample.of("cpu.load", 2, base + 2)));
    assertEquals(Admission.ACCEPTED, writeSamples(AGENT, 4, Sample.of("cpu.load", 4, base + 4)));
    assertEquals(new IngestCounters(5, 1, 2, 7), agent(AGENT).ingest());
  }

  @Test
  void statsNameSizesAndCounters() {
    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base), Sample.of("mem.used", 1, base));
    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base));

    Stats stats = store.stats();
    assertEquals(1L, stats.get("agents"));
    assertEquals(2L, stats.get("series"));
    assertEquals(2L, stats.get("points"));
    assertEquals(1L, stats.get("received"));
    assertEquals(1L, stats.get("duplicates"));
    assertEquals(0L, stats.get("series_rejected"));
    assertEquals(0L, stats.get("points_evicted"));
    assertEquals(0L, stats.get("gap_tracking_overflow"));
  }

  @Test
  void keepsTheNewestResultOfEachCheck() {
    MemoryStore memory = new MemoryStore(DEFAULTS);
    use(memory);
    CheckResult ok = new CheckResult("disk_root", 0, "DISK OK", List.of(), 12, base + 2000);
    CheckResult olderCritical = new CheckResult("disk_root", 2, "DISK CRITICAL", List.of(), 12, base + 1000);
    CheckResult load = new CheckResult("load", 1, "LOAD WARNING", List.of(), 3, base);

    write(AGENT, 1, new WriteBatch(base).checkResult(ok).checkResult(load));
    write(AGENT, 2, new WriteBatch(base).checkResult(olderCritical));

    assertEquals(Map.of("disk_root", ok, "load", load), await(memory.latestCheckResults(AGENT)));
    assertEquals(Map.of(), await(memory.latestCheckResults("ghost")));
  }

  @Test
  void concurrentWritesOfOneAgentAdmitEverySeqExactlyOnce() throws Exception {
    int threads = 8;
    int perThread = 5_000;
    use(new MemoryStore(new MemoryStore.Limits(3_600_000, 100, perThread)));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> accepted = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int offset = t;
        accepted.add(pool.submit(() -> {
          start.await();
          int count = 0;
          for (int i = 0; i < perThread; i++) {
            // each thread owns a block of seqs: out-of-order arrival stays within the gap-range bound
            // however the threads are scheduled (interleaved seqs would make that depend on the machine's load)
            long seq = (long) offset * perThread + i + 1;
            if (writeSamples(AGENT, seq, Sample.of("cpu.load", Map.of("t", "" + offset), seq, base + seq)) == Admission.ACCEPTED) {
              count++;
            }
          }
          return count;
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : accepted) {
        total += f.get(60, TimeUnit.SECONDS);
      }

      long n = (long) threads * perThread;
      assertEquals(n, total);
      assertEquals(new IngestCounters(n, 0, 0, n), agent(AGENT).ingest());
      assertEquals(n, store.stats().get("points"));
    } finally {
      pool.shutdownNow();
    }
  }
}
