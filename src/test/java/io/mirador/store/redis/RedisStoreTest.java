package io.mirador.store.redis;

import static io.mirador.store.redis.RedisTestSupport.deleteKeys;
import static io.mirador.store.redis.RedisTestSupport.keys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.metrics.Stats;
import io.mirador.model.CheckResult;
import io.mirador.model.Sample;
import io.mirador.store.Admission;
import io.mirador.store.AgentRecord;
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
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every store contract on the real Redis, plus what only Redis has: persistence, TTLs, key layout, bounds. */
class RedisStoreTest extends StoreContractSupport {

  private static Vertx vertx;
  private static RedisAPI admin;

  private final String prefix = RedisTestSupport.uniquePrefix();
  private final List<RedisStore> opened = new ArrayList<>();
  private RedisStore store;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
    admin = RedisTestSupport.admin(vertx);
  }

  @AfterAll
  static void stopVertx() {
    admin.close();
    await(vertx.close());
  }

  @Override
  protected Stores newStores() {
    return Stores.redis(open(RedisTestSupport.section(prefix)));
  }

  /** Runs the rest of a test on another store (other settings or clock, or after a restart). */
  private void use(RedisStore other) {
    store = other;
    backend = other;
    ingest = other;
    registry = other;
    seriesStore = other;
    checks = other;
  }

  /** Each contract on this test's key prefix (deleted after it); the contract closes its store. */
  private Stores onRedis() {
    return Stores.redis(new RedisStore(vertx, RedisStoreConfig.from(RedisTestSupport.section(prefix)), System::currentTimeMillis));
  }

  @Nested
  class Ingest extends IngestContractTest {
    @Override
    protected Stores newStores() {
      return onRedis();
    }
  }

  @Nested
  class Registry extends AgentRegistryContractTest {
    @Override
    protected Stores newStores() {
      return onRedis();
    }
  }

  @Nested
  class Jobs extends io.mirador.store.JobStoreContractTest {
    @Override
    protected Stores newStores() {
      return onRedis();
    }
  }

  @Nested
  class Enrollment extends io.mirador.store.AgentKeysContractTest {
    @Override
    protected Stores newStores() {
      return onRedis();
    }
  }

  @Nested
  class Alerts extends io.mirador.store.AlertStoreContractTest {
    @Override
    protected Stores newStores() {
      return onRedis();
    }
  }

  @Nested
  class Checks extends CheckStoreContractTest {
    @Override
    protected Stores newStores() {
      return onRedis();
    }
  }

  @Nested
  class Security extends io.mirador.store.SecurityStoreContractTest {
    @Override
    protected io.mirador.hub.security.AuditStore cappedAudit(int max) {
      return new RedisAuditStore(((RedisStore) stores.backend()).client(), prefix, max);
    }

    @Override
    protected Stores newStores() {
      return onRedis();
    }
  }

  @Nested
  class Nodes extends NodeStoreContractTest {
    @Override
    protected Stores newStores() {
      return onRedis();
    }
  }

  private RedisStore open(JsonObject section) {
    return open(RedisStoreConfig.from(section), System::currentTimeMillis);
  }

  private RedisStore open(RedisStoreConfig config, java.util.function.LongSupplier clock) {
    RedisStore redisStore = new RedisStore(vertx, config, clock);
    opened.add(redisStore);
    if (store == null) {
      store = redisStore;
    }
    return redisStore;
  }

  @AfterEach
  void cleanUp() {
    for (RedisStore each : opened) {
      if (each != backend) {
        await(each.close());
      }
    }
    deleteKeys(admin, prefix);
  }

  private List<SeriesData.Point> pointsOf(String metric) {
    List<SeriesData> found = series(metric, Map.of(), 0, Long.MAX_VALUE, 0);
    return found.isEmpty() ? List.of() : found.get(0).points();
  }

  @Test
  void theLayoutIsTheDocumentedOne() {
    long bucket = base / 600_000;
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false))
        .samples(List.of(Sample.of("cpu.usage", Map.of("cpu", "0"), 12.5, base)))
        .checkResult(new CheckResult("disk_root", 0, "DISK OK", List.of(), 12, base)));

    assertEquals("zset", await(admin.type(prefix + "agents")).toString());
    assertEquals(base, await(admin.zscore(prefix + "agents", AGENT)).toLong());
    assertEquals("web-1", await(admin.hget(prefix + "agent:" + AGENT, "hostname")).toString());
    assertEquals(base + " 12.5", await(admin.hget(prefix + "latest:" + AGENT, "cpu.usage{cpu=0}")).toString(),
        "timestamp and value of the newest point");
    assertEquals("hashtable", await(admin.object(List.of("ENCODING", prefix + "latest:" + AGENT))).toString(),
        "the '#' field keeps the latest hash out of the listpack encoding, whose lookups scan");
    assertTrue(await(admin.hget(prefix + "results:" + AGENT, "disk_root")).toString().startsWith(base + " {"));
    String points = prefix + "pts:" + AGENT + ":" + bucket;
    long offset = base - bucket * 600_000;
    String cpu = SeriesCodec.id("cpu.usage{cpu=0}");
    assertEquals(offset + ":" + cpu + ",12.5;|", await(admin.get(points)).toString());
    long ttl = await(admin.pttl(points)).toLong();
    assertTrue(ttl > 0 && ttl <= 600_000 + 3_600_000, "a bucket expires a retention after its end, ttl " + ttl);

    writeSamples(AGENT, 2, Sample.of("cpu.usage", Map.of("cpu", "0"), 13, base + 5_000), Sample.of("mem.used", 7, base + 5_000),
        Sample.of("cpu.usage", Map.of("cpu", "0"), 14, base + 6_000));
    assertEquals(offset + ":" + cpu + ",12.5;|" + (offset + 5_000) + ":" + cpu + ",13;" + SeriesCodec.id("mem.used") + ",7;|"
        + (offset + 6_000) + ":" + cpu + ",14;|", await(admin.get(points)).toString(), "one group per timestamp per batch");
  }

  @Test
  void dataSurvivesANewStoreOnTheSamePrefix() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)));
    writeSamples(AGENT, 3, Sample.of("cpu.load", 1.5, base), Sample.of("cpu.load", 2.5, base + 5_000));
    await(store.close());

    use(open(RedisTestSupport.section(prefix))); // the hub restarted
    AgentRecord agent = agent(AGENT);
    assertEquals("web-1", agent.hostname());
    assertEquals(new IngestCounters(2, 0, 1, 3), agent.ingest());
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 2.5, base + 5_000)), await(store.latest(AGENT)));
    assertEquals(List.of(new SeriesData.Point(base, 1.5), new SeriesData.Point(base + 5_000, 2.5)), pointsOf("cpu.load"));
    assertEquals(Admission.DUPLICATE, writeSamples(AGENT, 3, Sample.of("cpu.load", 9, base)), "dedup carries over too");
    assertEquals(Admission.ACCEPTED, writeSamples(AGENT, 2, Sample.of("cpu.load", 9, base + 1)), "and so do the gaps");
  }

  @Test
  void pointsLeaveTheWindowAndExpiredSeriesAreForgotten() {
    AtomicLong now = new AtomicLong(System.currentTimeMillis());
    long t = now.get();
    use(open(RedisStoreConfig.from(RedisTestSupport.section(prefix).put("retentionSeconds", 60).put("bucketSeconds", 10)),
        now::get));

    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, t - 70_000), Sample.of("cpu.load", 2, t - 30_000), Sample.of("cpu.load", 3, t),
        Sample.of("mem.used", 9, t - 50_000), Sample.of("clock.skewed", 1, t + 61_000));
    assertEquals(points(t - 30_000, 2, t, 3), pointsOf("cpu.load"), "a sample already past the retention is not stored");
    assertEquals(1L, store.stats().get("points_expired"));
    assertEquals(1L, store.stats().get("points_future"), "nor one further ahead than the retention");
    for (String key : keys(admin, prefix + "pts:")) {
      long ttl = await(admin.pttl(key)).toLong();
      assertTrue(ttl > 0 && ttl <= 10_000 + 60_000, key + " ttl " + ttl);
    }

    now.set(t + 31_000);
    assertEquals(points(t, 3), pointsOf("cpu.load"), "the window moves with the clock");
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 3, t)), await(store.latest(AGENT)), "mem.used left it");

    now.set(t + 61_000);
    assertEquals(List.of(), await(store.latest(AGENT)));
    assertEquals(List.of(), pointsOf("cpu.load"));
    long deadline = System.currentTimeMillis() + 5_000;
    while (await(admin.hlen(prefix + "latest:" + AGENT)).toLong() > 1 && System.currentTimeMillis() < deadline) {
      await(Future.future(done -> vertx.setTimer(20, id -> done.complete())));
    }
    assertEquals("#", await(admin.hkeys(prefix + "latest:" + AGENT)).get(0).toString(),
        "reading latest forgets the expired series; the encoding mark stays");
    assertEquals(1L, await(admin.hlen(prefix + "latest:" + AGENT)).toLong());
  }

  @Test
  void aNewSeriesPastMaxSeriesPerAgentIsRefusedAndCounted() {
    AtomicLong now = new AtomicLong(System.currentTimeMillis());
    use(open(RedisStoreConfig.from(RedisTestSupport.section(prefix).put("maxSeriesPerAgent", 2)), now::get));

    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base), Sample.of("mem.used", 1, base), Sample.of("disk.used", 1, base));
    writeSamples(AGENT, 2, Sample.of("cpu.load", 2, base + 1), Sample.of("disk.used", 2, base + 1));

    assertEquals(2L, store.stats().get("series_rejected"));
    assertEquals(List.of(), pointsOf("disk.used"));
    assertEquals(points(base, 1, base + 1, 2), pointsOf("cpu.load"), "existing series keep working");
    assertEquals(2, await(store.latest(AGENT)).size());

    writeSamples("agent-2", 1, Sample.of("disk.used", 3, base));
    assertEquals(List.of(new LatestValue("disk.used", Map.of(), 3, base)), await(store.latest("agent-2")),
        "the bound is per agent");

    now.addAndGet(3_600_000 - (now.get() - base) + 1_000); // cpu.load and mem.used have left the window
    writeSamples(AGENT, 3, Sample.of("disk.used", 4, now.get()));
    assertEquals(List.of(new LatestValue("disk.used", Map.of(), 4, now.get())), await(store.latest(AGENT)),
        "series that left the window free their place");
    assertEquals(2L, store.stats().get("series_rejected"));
  }

  @Test
  void aFullBucketDropsTheNewestPointsAndCountsThem() {
    use(open(RedisTestSupport.section(prefix).put("maxBucketBytes", 64)));
    for (int i = 0; i < 10; i++) {
      writeSamples(AGENT, i + 1, Sample.of("cpu.load", 1000 + i, base + i * 1000L));
    }

    List<SeriesData.Point> kept = pointsOf("cpu.load");
    assertTrue(kept.size() >= 2 && kept.size() < 10, "kept " + kept);
    for (int i = 0; i < kept.size(); i++) {
      assertEquals(new SeriesData.Point(base + i * 1000L, 1000 + i), kept.get(i), "the bucket keeps what came first");
    }
    assertEquals(10L - kept.size(), store.stats().get("points_dropped"));
    assertTrue(await(admin.strlen(prefix + "pts:" + AGENT + ":" + base / 600_000)).toLong() <= 64);
  }

  @Test
  void forgottenGapsStayCountedButCanNoLongerBeFilled() {
    use(open(RedisTestSupport.section(prefix).put("maxGapRanges", 2)));
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
  void keepsTheNewestResultOfEachCheck() {
    RedisStore redisStore = (RedisStore) store;
    CheckResult ok = new CheckResult("disk_root", 0, "DISK OK", List.of(), 12, base + 2000);
    CheckResult olderCritical = new CheckResult("disk_root", 2, "DISK CRITICAL", List.of(), 12, base + 1000);
    CheckResult load = new CheckResult("load", 1, "LOAD WARNING", List.of(Sample.of("load.1", 3.5, base)), 3, base);

    write(AGENT, 1, new WriteBatch(base).checkResult(ok).checkResult(load));
    write(AGENT, 2, new WriteBatch(base).checkResult(olderCritical));

    assertEquals(Map.of("disk_root", ok, "load", load), await(redisStore.latestCheckResults(AGENT)));
    assertEquals(Map.of(), await(redisStore.latestCheckResults("ghost")));
  }

  @Test
  void concurrentWritesFromManyEventLoopsAdmitEverySeqExactlyOnce() {
    int writers = 8;
    int perWriter = 150;
    List<Future<Admission>> all = new ArrayList<>();
    List<Future<Void>> started = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      // each writer on its own event loop context, all sharing one store
      started.add(Future.future(done -> vertx.getOrCreateContext().runOnContext(v -> {
        for (int i = 0; i < perWriter; i++) {
          long seq = (long) i * writers + writer + 1;
          // every seq twice: once must be accepted, once a duplicate
          for (int copy = 0; copy < 2; copy++) {
            synchronized (all) {
              all.add(store.write(AGENT, seq, new WriteBatch(base).samples(
                  List.of(Sample.of("cpu.load", Map.of("w", "" + writer), seq, base + seq)))));
            }
          }
        }
        done.complete();
      })));
    }
    await(Future.all(started));
    await(Future.join(all));

    long n = (long) writers * perWriter;
    assertEquals(n, all.stream().filter(f -> f.result() == Admission.ACCEPTED).count());
    assertEquals(new IngestCounters(n, n, 0, n), agent(AGENT).ingest());
    assertEquals(n, IntStream.range(0, writers)
        .mapToLong(w -> series("cpu.load", Map.of("w", "" + w), 0, Long.MAX_VALUE, 0).get(0).points().size()).sum());
  }

  @Test
  void statsAreLocalCounters() {
    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base), Sample.of("mem.used", 1, base));
    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base));

    Stats stats = store.stats();
    assertEquals(2L, stats.get("writes"));
    assertEquals(1L, stats.get("duplicates"));
    assertEquals(0L, stats.get("failures"));
    assertEquals(2L, stats.get("samples"));
    assertEquals(0L, stats.get("series_rejected"));
    assertEquals(1L, stats.get("redis_up"));
  }

  @Test
  void storesOpensItWhenConfigured() throws Exception {
    Vertx own = Vertx.vertx();
    try {
      Stores shared = Stores.shared(own, new JsonObject().put("store",
          new JsonObject().put("type", "redis").put("redis", RedisTestSupport.section(prefix))));
      assertInstanceOf(RedisStore.class, shared.backend());
      await(shared.backend().ping());
      await(shared.backend().close());
    } finally {
      await(own.close());
    }
  }
}
