package io.mirador.store.redis;

import static io.mirador.store.redis.RedisTestSupport.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mirador.model.Sample;
import io.mirador.store.WriteBatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Throughput probe, not a test: writes {@code agents × rounds} batches of {@code samples} samples with
 * {@code inflight} writes under way, through the real store and through bare point-layout scripts that were
 * candidates for the hot window, and prints samples/s and Redis memory per point. Skipped unless asked for:
 *
 * <pre>mvn -q test -Dtest=RedisWriteBench -Dmirador.bench=true [-Dbench.agents=1000 -Dbench.samples=100
 *   -Dbench.rounds=10 -Dbench.inflight=64 -Dbench.pool=8 -Dbench.layouts=false (the store only)]</pre>
 *
 * Figures measured with it are in docs/REDIS.md.
 */
@Tag("bench")
class RedisWriteBench {

  private static final int AGENTS = Integer.getInteger("bench.agents", 1000);
  private static final int SAMPLES = Integer.getInteger("bench.samples", 100);
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 10);
  private static final int INFLIGHT = Integer.getInteger("bench.inflight", 64);
  private static final int POOL = Integer.getInteger("bench.pool", 8);
  private static final long INTERVAL_MS = 5_000;

  /** Candidate A: one zset per series, member "ts:value" scored by ts; trimmed by score on every write. */
  private static final LuaScript ZSET_PER_SERIES = LuaScript.of("A", """
      local cutoff = ARGV[1]
      local at = 2
      for k = 1, #KEYS do
        local ts = ARGV[at]
        redis.call('ZREMRANGEBYSCORE', KEYS[k], ts, ts)
        redis.call('ZADD', KEYS[k], ts, ts .. ':' .. ARGV[at + 1])
        redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', '(' .. cutoff)
        redis.call('PEXPIRE', KEYS[k], 3600000)
        at = at + 2
      end
      return 1
      """);

  /** Candidate B: one string per series per 10-minute bucket, appended to, expired as a whole. */
  private static final LuaScript BUCKET_STRINGS = LuaScript.of("B", """
      for k = 1, #KEYS do
        local payload = ARGV[2 * k]
        if redis.call('APPEND', KEYS[k], payload) == #payload then
          redis.call('PEXPIREAT', KEYS[k], ARGV[2 * k - 1])
        end
      end
      return 1
      """);

  /** Candidate C: one hash per agent per minute, field "series|ts", the whole batch in one HSET. */
  private static final LuaScript AGENT_MINUTE_HASH = LuaScript.of("C", """
      local n = redis.call('HSET', KEYS[1], unpack(ARGV, 2))
      if redis.call('PTTL', KEYS[1]) < 0 then
        redis.call('PEXPIREAT', KEYS[1], ARGV[1])
      end
      return n
      """);

  /** Candidate D (chosen): one string per agent per 10-minute bucket, "offset:id,value;id,value;|" per batch. */
  private static final LuaScript AGENT_BUCKET_STRING = LuaScript.of("D", """
      if redis.call('APPEND', KEYS[1], ARGV[2]) == #ARGV[2] then
        redis.call('PEXPIREAT', KEYS[1], ARGV[1])
      end
      return 1
      """);

  @Test
  void writeThroughput() {
    assumeTrue(Boolean.getBoolean("mirador.bench"), "a benchmark: run with -Dmirador.bench=true");
    Vertx vertx = Vertx.vertx();
    String prefix = "mirador-bench:" + System.nanoTime() + ":";
    Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(RedisTestSupport.URL)
        .setMaxPoolSize(POOL).setMaxPoolWaiting(INFLIGHT * 2));
    RedisAPI api = RedisAPI.api(redis);
    try {
      System.out.printf(Locale.ROOT, "%d agents x %d samples x %d rounds, %d in flight, pool %d, %d cores%n",
          AGENTS, SAMPLES, ROUNDS, INFLIGHT, POOL, Runtime.getRuntime().availableProcessors());
      long now = System.currentTimeMillis();
      List<List<Sample>> batches = batches(now);

      List<String> layouts = Boolean.parseBoolean(System.getProperty("bench.layouts", "true"))
          ? List.of("A zset per series", "B string per series-bucket", "C hash per agent-minute", "D string per agent-bucket")
          : List.of();
      for (String layout : layouts) {
        measure(vertx, redis, api, prefix, layout, i -> rawWrite(redis, prefix, layout.charAt(0), batches.get(i), i % AGENTS, now));
      }

      RedisStore store = new RedisStore(vertx, RedisStoreConfig.from(RedisTestSupport.section(prefix)
          .put("poolSize", POOL).put("maxPoolWaiting", INFLIGHT * 2)), System::currentTimeMillis);
      for (int repeat = 0; repeat < Integer.getInteger("bench.repeat", 2); repeat++) {
        long[] seq = new long[AGENTS];
        String agentPrefix = "agent-" + repeat + "-";
        measure(vertx, redis, api, prefix, "RedisStore.write (D + admission, latest)", i -> {
          int agent = i % AGENTS;
          return store.write(agentPrefix + agent, ++seq[agent], new WriteBatch(now).samples(batches.get(i)));
        });
      }
      System.out.println("store stats: " + store.stats());
      await(store.close());
    } finally {
      RedisTestSupport.deleteKeys(api, prefix);
      redis.close();
      await(vertx.close());
    }
  }

  /** Round r of agent a is batch r·AGENTS + a: every agent sends SAMPLES series every INTERVAL_MS. */
  private static List<List<Sample>> batches(long now) {
    List<List<Sample>> batches = new ArrayList<>(AGENTS * ROUNDS);
    for (int round = 0; round < ROUNDS; round++) {
      long ts = now - (ROUNDS - round) * INTERVAL_MS;
      for (int agent = 0; agent < AGENTS; agent++) {
        List<Sample> samples = new ArrayList<>(SAMPLES);
        for (int s = 0; s < SAMPLES; s++) {
          samples.add(Sample.of("bench.metric" + (s / 10), Map.of("core", Integer.toString(s % 10)),
              Math.round(Math.random() * 10_000) / 100.0, ts));
        }
        batches.add(samples);
      }
    }
    return batches;
  }

  private static Future<?> rawWrite(Redis redis, String prefix, char layout, List<Sample> samples, int agent, long now) {
    List<String> keys = new ArrayList<>();
    List<String> args = new ArrayList<>();
    String pointsOf = prefix + layout + ":" + agent + ":";
    switch (layout) {
      case 'A' -> {
        args.add(Long.toString(now - 3_600_000));
        for (Sample sample : samples) {
          keys.add(pointsOf + SeriesCodec.field(sample.name(), sample.tags()));
          args.add(Long.toString(sample.ts()));
          args.add(SeriesCodec.value(sample.value()));
        }
        return ZSET_PER_SERIES.run(redis, keys, args);
      }
      case 'B' -> {
        for (Sample sample : samples) {
          keys.add(pointsOf + sample.ts() / 600_000 + ":" + SeriesCodec.field(sample.name(), sample.tags()));
          args.add(Long.toString((sample.ts() / 600_000 + 1) * 600_000 + 3_600_000));
          args.add(sample.ts() % 600_000 + "," + SeriesCodec.value(sample.value()) + ";");
        }
        return BUCKET_STRINGS.run(redis, keys, args);
      }
      case 'D' -> {
        long bucket = samples.get(0).ts() / 600_000;
        StringBuilder payload = new StringBuilder(samples.size() * 16).append(samples.get(0).ts() % 600_000).append(':');
        for (Sample sample : samples) {
          SeriesCodec.appendEntry(payload, SeriesCodec.id(SeriesCodec.field(sample.name(), sample.tags())), sample.value());
        }
        payload.append('|');
        keys.add(pointsOf + bucket);
        args.add(Long.toString((bucket + 1) * 600_000 + 3_600_000));
        args.add(payload.toString());
        return AGENT_BUCKET_STRING.run(redis, keys, args);
      }
      default -> {
        long minute = samples.get(0).ts() / 60_000;
        keys.add(pointsOf + minute);
        args.add(Long.toString((minute + 1) * 60_000 + 3_600_000));
        for (Sample sample : samples) {
          args.add(SeriesCodec.field(sample.name(), sample.tags()) + "|" + sample.ts());
          args.add(SeriesCodec.value(sample.value()));
        }
        return AGENT_MINUTE_HASH.run(redis, keys, args);
      }
    }
  }

  private static void measure(Vertx vertx, Redis redis, RedisAPI api, String prefix, String name, IntFunction<Future<?>> write) {
    double redisCpuBefore = redisCpu(api);
    long[] scriptsBefore = scriptStats(api);
    long jvmCpuBefore = jvmCpuNanos();
    int total = AGENTS * ROUNDS;
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    AtomicInteger finished = new AtomicInteger();
    long start = System.nanoTime();
    vertx.runOnContext(v -> {
      for (int k = 0; k < INFLIGHT; k++) {
        issue(write, next, total, failed, finished, done);
      }
    });
    try {
      done.future().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new AssertionError(name + " did not finish", e);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long points = (long) total * SAMPLES;
    long memory = memoryOf(redis, api, prefix);
    double redisCpu = (redisCpu(api) - redisCpuBefore) / seconds;
    double jvmCpu = (jvmCpuNanos() - jvmCpuBefore) / 1e9 / seconds;
    long[] scripts = scriptStats(api);
    long calls = Math.max(1, scripts[0] - scriptsBefore[0]);
    // CPU time is steadier than wall time on a shared machine: it is what a write costs Redis
    double redisCpuUsPerWrite = redisCpu * seconds * 1e6 / calls;
    System.out.printf(Locale.ROOT,
        "%-44s %8.0f samples/s %6.0f writes/s | per write in Redis: %5.0f us cpu, %5.0f us wall | %5.1f B/point | cpu redis %3.0f%% jvm %3.0f%%%s%n",
        name, points / seconds, total / seconds, redisCpuUsPerWrite, (double) (scripts[1] - scriptsBefore[1]) / calls,
        (double) memory / points, redisCpu * 100, jvmCpu * 100, failed.get() > 0 ? " FAILED " + failed.get() : "");
    RedisTestSupport.deleteKeys(api, prefix);
  }

  private static void issue(IntFunction<Future<?>> write, AtomicInteger next, int total, AtomicInteger failed,
      AtomicInteger finished, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= total) {
      return;
    }
    write.apply(i).onComplete(result -> {
      if (result.failed() && failed.getAndIncrement() == 0) {
        System.out.println("first failure: " + result.cause());
      }
      if (finished.incrementAndGet() == total) {
        done.complete();
      } else {
        issue(write, next, total, failed, finished, done);
      }
    });
  }

  /** Bytes Redis holds for the keys under the prefix, by MEMORY USAGE (all elements counted). */
  private static long memoryOf(Redis redis, RedisAPI api, String prefix) {
    List<String> keys = RedisTestSupport.keys(api, prefix);
    long bytes = 0;
    for (int i = 0; i < keys.size(); i += 1000) {
      List<Request> usages = new ArrayList<>();
      for (String key : keys.subList(i, Math.min(keys.size(), i + 1000))) {
        usages.add(Request.cmd(Command.MEMORY).arg("USAGE").arg(key).arg("SAMPLES").arg(0));
      }
      for (var usage : await(redis.batch(usages))) {
        bytes += usage == null ? 0 : usage.toLong();
      }
    }
    return bytes;
  }

  /** Seconds of CPU the Redis server has used, user and system. */
  private static double redisCpu(RedisAPI api) {
    return info(api, "cpu", "used_cpu_user") + info(api, "cpu", "used_cpu_sys");
  }

  private static double info(RedisAPI api, String section, String field) {
    String info = await(api.info(List.of(section))).toString();
    for (String line : info.split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return Double.parseDouble(line.substring(field.length() + 1).trim());
      }
    }
    return 0;
  }

  /** Calls and microseconds spent in EVALSHA and EVAL so far, from INFO commandstats. */
  private static long[] scriptStats(RedisAPI api) {
    long[] stats = new long[2];
    for (String line : await(api.info(List.of("commandstats"))).toString().split("\r\n")) {
      if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
        for (String part : line.substring(line.indexOf(':') + 1).split(",")) {
          if (part.startsWith("calls=")) {
            stats[0] += Long.parseLong(part.substring(6));
          } else if (part.startsWith("usec=")) {
            stats[1] += Long.parseLong(part.substring(5));
          }
        }
      }
    }
    return stats;
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
