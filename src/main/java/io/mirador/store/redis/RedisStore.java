package io.mirador.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mirador.model.AgentInfo;
import io.mirador.model.CheckResult;
import io.mirador.model.Sample;
import io.mirador.model.Wire;
import io.mirador.store.Admission;
import io.mirador.store.AgentRecord;
import io.mirador.store.AgentStatus;
import io.mirador.store.IngestCounters;
import io.mirador.store.LatestValue;
import io.mirador.store.SeriesData;
import io.mirador.store.SeriesQuery;
import io.mirador.store.Store;
import io.mirador.store.WriteBatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production store: everything in Redis, so a hub restart or a failover loses nothing. Layout, costs and
 * bounds are in docs/REDIS.md.
 *
 * <p>A {@link #write} is one {@code EVALSHA} of {@code write.lua}: the seq admission and every write of the batch
 * happen inside Redis in one atomic step and one round trip. Points go to time buckets, one string per series per
 * {@code bucketSeconds}, appended to and expired as a whole, so trimming the hot window costs nothing per write.
 *
 * <p>Calls use the Vert.x Redis client's connection pool, which opens connections on demand: nothing is connected
 * when the store is made (that is why {@link io.mirador.store.Stores} can make it synchronously), the first call
 * connects, and after Redis comes back the next call reconnects. While Redis is away calls fail fast — within
 * {@code connectTimeoutMs} or {@code commandTimeoutMs}, and at once during a {@link ReconnectGate reconnect pause}
 * — so the hub requeues instead of piling up. Safe to call from any thread or event loop.
 */
public final class RedisStore implements Store {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);

  /** Seqs and timestamps travel through Lua numbers (doubles), which are exact up to 2^53. */
  static final long MAX_SEQ = 1L << 53;

  private static final LuaScript WRITE = LuaScript.load("write");
  private static final LuaScript REMOVE = LuaScript.load("remove");
  private static final LuaScript STATUS = LuaScript.load("status");
  private static final LuaScript PURGE = LuaScript.load("purge");

  private static final Comparator<SeriesData> SERIES_ORDER =
      Comparator.comparing(SeriesData::metric).thenComparing(s -> new TreeMap<>(s.tags()).toString());
  private static final Comparator<LatestValue> LATEST_ORDER =
      Comparator.comparing(LatestValue::metric).thenComparing(l -> new TreeMap<>(l.tags()).toString());

  private final Vertx vertx;
  private final RedisStoreConfig config;
  private final RedisKeys keys;
  private final LongSupplier clock;
  private final Redis redis;
  private final RedisAPI api;
  private final ReconnectGate gate;

  private final LongAdder writes = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder samples = new LongAdder();
  private final LongAdder seriesRejected = new LongAdder();
  private final LongAdder pointsExpired = new LongAdder();
  private final LongAdder pointsFuture = new LongAdder();
  private final LongAdder pointsDropped = new LongAdder();
  private final LongAdder gapTrackingOverflow = new LongAdder();

  /** Reads the {@code store.redis} section (null = all defaults). */
  public RedisStore(Vertx vertx, JsonObject redisSection) {
    this(vertx, RedisStoreConfig.from(redisSection), System::currentTimeMillis);
  }

  /** For tests: a clock they drive (it decides the hot window; Redis TTLs still run on Redis's own clock). */
  RedisStore(Vertx vertx, RedisStoreConfig config, LongSupplier clock) {
    this.vertx = vertx;
    this.config = config;
    this.keys = new RedisKeys(config.prefix());
    this.clock = clock;
    this.gate = new ReconnectGate(config.reconnectMinMs(), config.reconnectMaxMs(), System::currentTimeMillis);
    RedisOptions options = new RedisOptions()
        .setConnectionString(config.url())
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(config.maxPoolWaiting())
        .setPoolName("mirador-store-" + Integer.toHexString(System.identityHashCode(this)))
        // RESP2 replies are plain arrays whatever the command: one way to decode them
        .setPreferredProtocolVersion(ProtocolVersion.RESP2);
    options.getNetClientOptions().setConnectTimeout(config.connectTimeoutMs()).setTcpNoDelay(true).setTcpKeepAlive(true);
    this.redis = Redis.createClient(vertx, options);
    this.api = RedisAPI.api(redis);
    warmUp();
  }

  public RedisStoreConfig config() {
    return config;
  }

  @Override
  public Future<Admission> write(String agentId, long seq, WriteBatch batch) {
    if (seq <= 0 || seq > MAX_SEQ) {
      return Future.failedFuture(new IllegalArgumentException("seq must be between 1 and 2^53, got " + seq));
    }
    WriteCall call = new WriteCall(agentId, seq, batch, clock.getAsLong());
    return call("write", () -> WRITE.run(redis, call.keys, call.args))
        .map(reply -> {
          writes.increment();
          if (reply.get(0).toInteger() == 0) {
            duplicates.increment();
            return Admission.DUPLICATE;
          }
          samples.add(call.samples);
          pointsExpired.add(call.expired);
          pointsFuture.add(call.future);
          seriesRejected.add(reply.get(1).toLong());
          pointsDropped.add(reply.get(2).toLong());
          gapTrackingOverflow.add(reply.get(3).toLong());
          return Admission.ACCEPTED;
        })
        .onFailure(failure -> failures.increment());
  }

  @Override
  public Future<List<AgentRecord>> agents() {
    return call("agents", () -> api.zrange(List.of(keys.agents(), "0", "-1")).compose(ids -> {
      if (ids.size() == 0) {
        return Future.succeededFuture(List.of());
      }
      List<String> agentIds = new ArrayList<>(ids.size());
      List<Request> reads = new ArrayList<>(ids.size());
      for (Response id : ids) {
        agentIds.add(id.toString());
        reads.add(Request.cmd(Command.HGETALL).arg(keys.agent(id.toString())));
      }
      return redis.batch(reads).map(hashes -> {
        List<AgentRecord> records = new ArrayList<>(hashes.size());
        for (int i = 0; i < hashes.size(); i++) {
          toRecord(agentIds.get(i), hashes.get(i)).ifPresent(records::add);
        }
        return records;
      });
    }));
  }

  @Override
  public Future<Optional<AgentRecord>> agent(String agentId) {
    return call("agent", () -> api.hgetall(keys.agent(agentId)).map(hash -> toRecord(agentId, hash)));
  }

  @Override
  public Future<Boolean> removeAgent(String agentId) {
    long now = clock.getAsLong();
    List<String> args = List.of(agentId, keys.pointsOf(agentId),
        Long.toString(Math.floorDiv(now - config.retentionMs(), config.bucketMs())),
        Long.toString(Math.floorDiv(now + config.retentionMs(), config.bucketMs())));
    return call("removeAgent", () -> REMOVE.run(redis, agentKeys(agentId), args)).map(known -> known.toInteger() == 1);
  }

  @Override
  public Future<Void> setStatus(String agentId, AgentStatus status, long since) {
    return call("setStatus", () -> STATUS.run(redis, List.of(keys.agent(agentId)), List.of(status.wireName(), Long.toString(since))))
        .mapEmpty();
  }

  @Override
  public Future<List<LatestValue>> latest(String agentId) {
    long cutoff = clock.getAsLong() - config.retentionMs();
    return call("latest", () -> api.hgetall(keys.latest(agentId))).map(hash -> {
      List<LatestValue> latest = new ArrayList<>();
      boolean expired = false;
      for (Map.Entry<String, String> entry : pairs(hash).entrySet()) {
        long ts = latestTs(entry.getValue());
        if (ts < cutoff) {
          expired = true;
          continue;
        }
        SeriesCodec.Series series = SeriesCodec.parse(entry.getKey());
        latest.add(new LatestValue(series.metric(), series.tags(), latestValue(entry.getValue()), ts));
      }
      if (expired) {
        forgetExpiredSeries(agentId, cutoff);
      }
      latest.sort(LATEST_ORDER);
      return latest;
    });
  }

  /** Matching series with no point in [from, to] are left out of the result. Two round trips: index, then points. */
  @Override
  public Future<List<SeriesData>> series(SeriesQuery query) {
    if (query.agent() == null) {
      return Future.succeededFuture(List.of());
    }
    long cutoff = clock.getAsLong() - config.retentionMs();
    long from = Math.max(query.from(), cutoff);
    return call("series", () -> api.hgetall(keys.latest(query.agent())).compose(hash -> {
      List<SeriesCodec.Series> matching = new ArrayList<>();
      List<String> bucketKeys = new ArrayList<>();
      List<long[]> bucketRanges = new ArrayList<>();
      for (Map.Entry<String, String> entry : pairs(hash).entrySet()) {
        long newest = latestTs(entry.getValue());
        if (newest < from || query.to() < from) {
          continue; // every point of a series is at or before its newest one
        }
        SeriesCodec.Series series = SeriesCodec.parse(entry.getKey());
        if (!query.matchesMetric(series.metric()) || (query.tags() != null && !query.matchesTags(series.tags()))) {
          continue;
        }
        long firstBucket = Math.floorDiv(from, config.bucketMs());
        long lastBucket = Math.floorDiv(Math.min(query.to(), newest), config.bucketMs());
        matching.add(series);
        bucketRanges.add(new long[] {firstBucket, lastBucket});
        for (long bucket = firstBucket; bucket <= lastBucket; bucket++) {
          bucketKeys.add(keys.points(query.agent(), bucket, entry.getKey()));
        }
      }
      if (matching.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      return api.mget(bucketKeys).map(payloads -> {
        List<SeriesData> result = new ArrayList<>();
        int at = 0;
        for (int s = 0; s < matching.size(); s++) {
          TreeMap<Long, Double> points = new TreeMap<>();
          for (long bucket = bucketRanges.get(s)[0]; bucket <= bucketRanges.get(s)[1]; bucket++) {
            Response payload = payloads.get(at++);
            if (payload != null) {
              // appended in arrival order: a later point with the same timestamp replaces the earlier one
              SeriesCodec.forEachPoint(payload.toString(), bucket * config.bucketMs(), points::put);
            }
          }
          List<SeriesData.Point> selected = select(points.subMap(from, true, query.to(), true), query.step());
          if (!selected.isEmpty()) {
            result.add(new SeriesData(matching.get(s).metric(), matching.get(s).tags(), selected));
          }
        }
        result.sort(SERIES_ORDER);
        return result;
      });
    }));
  }

  /** The newest result of each check of one agent, by check name; empty for an unknown agent. Not on the port yet. */
  public Future<Map<String, CheckResult>> latestCheckResults(String agentId) {
    return call("latestCheckResults", () -> api.hgetall(keys.results(agentId))).map(hash -> {
      Map<String, CheckResult> results = new TreeMap<>();
      for (Map.Entry<String, String> entry : pairs(hash).entrySet()) {
        String value = entry.getValue();
        try {
          results.put(entry.getKey(), Wire.MAPPER.readValue(value.substring(value.indexOf(' ') + 1), CheckResult.class));
        } catch (JsonProcessingException e) {
          LOG.warn("unreadable check result {} of agent {} in Redis: {}", entry.getKey(), agentId, e.getOriginalMessage());
        }
      }
      return Collections.unmodifiableMap(results);
    });
  }

  /** A real PING, whatever the reconnect pause says; its success ends the pause. */
  @Override
  public Future<Void> ping() {
    return timed("ping", api.ping(List.of())).mapEmpty();
  }

  /** Local counters only: this is called synchronously (by /metrics) and never talks to Redis. */
  @Override
  public Map<String, Long> stats() {
    Map<String, Long> stats = new LinkedHashMap<>();
    stats.put("writes", writes.sum());
    stats.put("duplicates", duplicates.sum());
    stats.put("failures", failures.sum());
    stats.put("samples", samples.sum());
    stats.put("series_rejected", seriesRejected.sum());
    stats.put("points_expired", pointsExpired.sum());
    stats.put("points_future", pointsFuture.sum());
    stats.put("points_dropped", pointsDropped.sum());
    stats.put("gap_tracking_overflow", gapTrackingOverflow.sum());
    stats.put("redis_up", gate.isOpen() ? 1L : 0L);
    return stats;
  }

  @Override
  public Future<Void> close() {
    return redis.close();
  }

  /** Caches the scripts in Redis and says in the log whether Redis answers; nothing waits for it. */
  private void warmUp() {
    List<Future<Response>> loads = new ArrayList<>();
    for (LuaScript script : List.of(WRITE, REMOVE, STATUS, PURGE)) {
      loads.add(api.script(List.of("LOAD", script.source())));
    }
    timed("connect", Future.all(loads)).onComplete(loaded -> {
      if (loaded.succeeded()) {
        LOG.info("Redis store on {} (prefix '{}') is up", config.safeUrl(), config.prefix());
      } else {
        LOG.warn("Redis not reachable yet, store calls fail until it is: {}", loaded.cause().getMessage());
      }
    });
  }

  private void forgetExpiredSeries(String agentId, long cutoff) {
    call("purge", () -> PURGE.run(redis, List.of(keys.latest(agentId)), List.of(Long.toString(cutoff))))
        .onFailure(failure -> LOG.debug("purging expired series of {} failed: {}", agentId, failure.getMessage()));
  }

  private List<String> agentKeys(String agentId) {
    return List.of(keys.agents(), keys.agent(agentId), keys.seq(agentId), keys.latest(agentId), keys.results(agentId));
  }

  /** Runs one call unless the reconnect pause is on; either way the outcome is bounded in time. */
  private <T> Future<T> call(String what, Supplier<Future<T>> operation) {
    String refusal = gate.refusal();
    if (refusal != null) {
      return Future.failedFuture(new RedisStoreException("Redis store " + what + " on " + config.safeUrl() + ": " + refusal));
    }
    Future<T> started;
    try {
      started = operation.get();
    } catch (RuntimeException e) {
      started = Future.failedFuture(e);
    }
    return timed(what, started);
  }

  private <T> Future<T> timed(String what, Future<T> operation) {
    Promise<T> outcome = Promise.promise();
    long timer = vertx.setTimer(config.commandTimeoutMs(), id -> outcome.tryFail(new RedisStoreException(
        "no reply within " + config.commandTimeoutMs() + " ms (store.redis.commandTimeoutMs)")));
    operation.onComplete(done -> {
      vertx.cancelTimer(timer);
      if (done.succeeded()) {
        outcome.tryComplete(done.result());
      } else {
        outcome.tryFail(done.cause());
      }
    });
    return outcome.future().transform(done -> {
      if (done.succeeded()) {
        gate.succeeded();
        return Future.succeededFuture(done.result());
      }
      Throwable cause = done.cause();
      String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      if (isConnectionTrouble(cause)) {
        gate.failed(reason);
      }
      return Future.failedFuture(new RedisStoreException("Redis store " + what + " on " + config.safeUrl() + " failed: " + reason, cause));
    });
  }

  /** Anything but an error reply from Redis itself or a full wait queue means Redis could not be reached in time. */
  private static boolean isConnectionTrouble(Throwable cause) {
    if (cause instanceof Response) {
      return false;
    }
    String message = cause.getMessage();
    return message == null || !message.contains("wait queue");
  }

  private Optional<AgentRecord> toRecord(String agentId, Response hash) {
    Map<String, String> fields = pairs(hash);
    if (!fields.containsKey("registeredAt")) {
      return Optional.empty();
    }
    IngestCounters ingest = new IngestCounters(number(fields, "received"), number(fields, "duplicates"),
        number(fields, "gaps"), number(fields, "lastSeq"));
    Map<String, Long> agentCounters = new LinkedHashMap<>();
    new JsonObject(fields.getOrDefault("counters", "{}")).forEach(counter ->
        agentCounters.put(counter.getKey(), ((Number) counter.getValue()).longValue()));
    List<String> ips = new ArrayList<>();
    new JsonArray(fields.getOrDefault("ips", "[]")).forEach(ip -> ips.add((String) ip));
    return Optional.of(new AgentRecord(
        agentId,
        fields.getOrDefault("hostname", agentId),
        Collections.unmodifiableList(ips),
        emptyAsNull(fields.get("os")),
        emptyAsNull(fields.get("version")),
        "1".equals(fields.get("busy")),
        number(fields, "startedAt"),
        (int) number(fields, "interval"),
        number(fields, "registeredAt"),
        number(fields, "lastSeen"),
        AgentStatus.valueOf(fields.getOrDefault("status", "up").toUpperCase(Locale.ROOT)),
        number(fields, "statusSince"),
        ingest,
        Collections.unmodifiableMap(agentCounters)));
  }

  /** A RESP2 hash reply (flat field, value array) as a map. */
  private static Map<String, String> pairs(Response hash) {
    Map<String, String> map = new HashMap<>(hash.size());
    for (int i = 0; i + 1 < hash.size(); i += 2) {
      map.put(hash.get(i).toString(), hash.get(i + 1).toString());
    }
    return map;
  }

  private static long number(Map<String, String> fields, String name) {
    String value = fields.get(name);
    return value == null || value.isEmpty() ? 0 : Long.parseLong(value);
  }

  private static String emptyAsNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  private static long latestTs(String latest) {
    return Long.parseLong(latest, 0, latest.indexOf(' '), 10);
  }

  private static double latestValue(String latest) {
    return Double.parseDouble(latest.substring(latest.indexOf(' ') + 1));
  }

  private static List<SeriesData.Point> select(Map<Long, Double> points, long step) {
    List<SeriesData.Point> selected = new ArrayList<>(step > 0 ? 16 : points.size());
    if (step <= 0) {
      points.forEach((ts, value) -> selected.add(new SeriesData.Point(ts, value)));
      return selected;
    }
    // one point per non-empty bucket [k·step, (k+1)·step), stamped with the bucket's start
    long start = Long.MIN_VALUE;
    double sum = 0;
    int count = 0;
    for (Map.Entry<Long, Double> point : points.entrySet()) {
      long bucket = Math.floorDiv(point.getKey(), step) * step;
      if (bucket != start) {
        if (count > 0) {
          selected.add(new SeriesData.Point(start, sum / count));
        }
        start = bucket;
        sum = 0;
        count = 0;
      }
      sum += point.getValue();
      count++;
    }
    if (count > 0) {
      selected.add(new SeriesData.Point(start, sum / count));
    }
    return selected;
  }

  /** One event's keys and arguments for write.lua, in the order the script reads them. */
  private final class WriteCall {

    final List<String> keys = new ArrayList<>();
    final List<String> args = new ArrayList<>();
    int samples;
    int expired;
    int future;

    WriteCall(String agentId, long seq, WriteBatch batch, long now) {
      long cutoff = now - config.retentionMs();
      long horizon = now + config.retentionMs();
      keys.addAll(agentKeys(agentId));
      args.add(agentId);
      args.add(Long.toString(seq));
      args.add(Long.toString(batch.receivedAt()));
      args.add(Long.toString(cutoff));
      args.add(Integer.toString(config.maxSeriesPerAgent()));
      args.add(Integer.toString(config.maxGapRanges()));
      args.add(Integer.toString(config.maxBucketBytes()));
      addInfo(agentId, batch.agentInfo());
      addResults(batch.checkResults());

      Map<String, SeriesWrite> series = new LinkedHashMap<>();
      for (Sample sample : batch.samples()) {
        if (sample.ts() < cutoff) {
          expired++;
          continue;
        }
        if (sample.ts() > horizon) {
          future++;
          continue;
        }
        samples++;
        series.computeIfAbsent(SeriesCodec.field(sample.name(), sample.tags()), field -> new SeriesWrite()).add(sample);
      }
      args.add(Integer.toString(series.size()));
      series.forEach((field, write) -> {
        args.add(field);
        args.add(Long.toString(write.latestTs));
        args.add(write.latestTs + " " + SeriesCodec.value(write.latestValue));
        args.add(Integer.toString(write.buckets.size()));
        for (BucketWrite bucket : write.buckets) {
          keys.add(RedisStore.this.keys.points(agentId, bucket.bucket, field));
          // a bucket's points live a retention past the bucket's end; a bucket in the future no longer than that
          long end = (bucket.bucket + 1) * config.bucketMs();
          args.add(Long.toString(Math.min(end, now + config.bucketMs()) + config.retentionMs()));
          args.add(bucket.payload.toString());
          args.add(Integer.toString(bucket.points));
        }
      });
    }

    private void addInfo(String agentId, AgentInfo info) {
      if (info == null) {
        args.add("0");
        return;
      }
      args.add("8");
      Collections.addAll(args,
          "hostname", info.hostname() == null ? agentId : info.hostname(),
          "ips", new JsonArray(new ArrayList<>(info.ips())).encode(),
          "os", info.os() == null ? "" : info.os(),
          "version", info.version() == null ? "" : info.version(),
          "busy", info.busy() ? "1" : "0",
          "startedAt", Long.toString(info.startedAt()),
          "interval", Integer.toString(info.interval()),
          "counters", new JsonObject(new LinkedHashMap<>(info.counters())).encode());
    }

    private void addResults(List<CheckResult> results) {
      args.add(Integer.toString(results.size()));
      for (CheckResult result : results) {
        args.add(result.check());
        args.add(Long.toString(result.executed()));
        try {
          args.add(Wire.MAPPER.writeValueAsString(result));
        } catch (JsonProcessingException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  /** The points of one series in one batch, per bucket, and its newest point. */
  private final class SeriesWrite {
    final List<BucketWrite> buckets = new ArrayList<>(1);
    long latestTs = Long.MIN_VALUE;
    double latestValue;

    void add(Sample sample) {
      if (sample.ts() >= latestTs) {
        latestTs = sample.ts();
        latestValue = sample.value();
      }
      long bucket = Math.floorDiv(sample.ts(), config.bucketMs());
      BucketWrite into = null;
      for (BucketWrite candidate : buckets) {
        if (candidate.bucket == bucket) {
          into = candidate;
          break;
        }
      }
      if (into == null) {
        into = new BucketWrite(bucket);
        buckets.add(into);
      }
      SeriesCodec.appendPoint(into.payload, sample.ts() - bucket * config.bucketMs(), sample.value());
      into.points++;
    }
  }

  private static final class BucketWrite {
    final long bucket;
    final StringBuilder payload = new StringBuilder(16);
    int points;

    BucketWrite(long bucket) {
      this.bucket = bucket;
    }
  }
}
