package io.mirador.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mirador.config.TlsSettings;
import io.mirador.metrics.Stats;
import io.mirador.model.AgentInfo;
import io.mirador.model.CheckDefinition;
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
import io.mirador.store.AgentRegistry;
import io.mirador.store.IngestStore;
import io.mirador.store.SeriesStore;
import io.mirador.store.StoreBackend;
import io.mirador.hub.checks.CheckHistory;
import io.mirador.hub.checks.CheckStore;
import io.mirador.hub.checks.DefinitionChange;
import io.mirador.hub.cluster.Fence;
import io.mirador.store.WriteBatch;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
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
 * happen inside Redis in one atomic step and one round trip. Points go to time buckets, one string per agent per
 * {@code bucketSeconds} that each batch appends its points to (built here, compact) and that expires as a whole:
 * a batch costs Redis one HSET of latest values and one APPEND whatever its size, and trimming the hot window costs
 * nothing per write.
 *
 * <p>Calls use the Vert.x Redis client's connection pool, which opens connections on demand: nothing is connected
 * when the store is made (that is why {@link io.mirador.store.Stores} can make it synchronously), the first call
 * connects, and after Redis comes back the next call reconnects. While Redis is away calls fail fast — within
 * {@code connectTimeoutMs} or {@code commandTimeoutMs}, and at once during a {@link ReconnectGate reconnect pause}
 * — so the hub requeues instead of piling up. With {@code store.redis.sentinel} the client finds the master through
 * the sentinels and follows it through a failover ({@link #useSentinels}). Safe to call from any thread or event loop.
 */
public final class RedisStore implements StoreBackend, IngestStore, AgentRegistry, SeriesStore, CheckStore {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);

  /** Seqs and timestamps travel through Lua numbers (doubles), which are exact up to 2^53. */
  static final long MAX_SEQ = 1L << 53;

  /**
   * Replies one pooled connection may await: the client's {@code maxWaitingHandlers}, left at its default. The pool
   * lends a connection to one send or one batch at a time, so only a batch can reach it, and the client refuses a
   * longer batch before sending it, every time ("Redis waiting queue is full"); see docs/REDIS.md, "Batches".
   */
  static final int MAX_WAITING_REPLIES = 2_048;

  /** Commands in one batch, well under {@link #MAX_WAITING_REPLIES}; a longer read is sent as several batches. */
  static final int MAX_BATCH = 1_000;

  private static final LuaScript WRITE = LuaScript.load("write");
  private static final LuaScript REMOVE = LuaScript.load("remove");
  private static final LuaScript STATUS = LuaScript.load("status");
  private static final LuaScript PURGE = LuaScript.load("purge");
  private static final LuaScript HISTORY = LuaScript.load("history");
  private static final LuaScript PUT_CHECK = LuaScript.load("check_put");
  private static final LuaScript REMOVE_CHECK = LuaScript.load("check_remove");

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
  /** Where Redis is, for messages: {@link RedisStoreConfig#where()}, made once. */
  private final String where;

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
    this.where = config.where();
    this.gate = new ReconnectGate(config.reconnectMinMs(), config.reconnectMaxMs(), System::currentTimeMillis);
    RedisOptions options = new RedisOptions()
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(config.maxPoolWaiting())
        .setMaxWaitingHandlers(MAX_WAITING_REPLIES)
        .setPoolName("mirador-store-" + Integer.toHexString(System.identityHashCode(this)))
        // RESP2 replies are plain arrays whatever the command: one way to decode them
        .setPreferredProtocolVersion(ProtocolVersion.RESP2);
    if (config.sentinel().enabled()) {
      useSentinels(options, config);
    } else {
      options.setConnectionString(config.url());
    }
    options.getNetClientOptions().setConnectTimeout(config.connectTimeoutMs()).setTcpNoDelay(true).setTcpKeepAlive(true);
    if (config.usesTls()) { // with Sentinel too: the endpoints are rediss:// then, and the master is reached as they are
      useTls(options.getNetClientOptions(), config.tls(), config.tls().material(vertx));
    }
    this.redis = Redis.createClient(vertx, options);
    this.api = RedisAPI.api(redis);
    warmUp();
  }

  public RedisStoreConfig config() {
    return config;
  }

  /**
   * The master the sentinels name, wherever a failover moves it. Before a call the client asks the first sentinel
   * that answers, in the order given, for the master's address and keeps the answer for a second (the client's
   * {@code topologyCacheTTL}); calls then borrow a pooled connection to that address. So after a failover calls fail
   * like calls to a Redis that is away (refused, reset, or {@code READONLY} from the demoted master) until the
   * sentinels have promoted a replica and the cached address has expired, then go to the new master. The user,
   * password and database are those of {@code store.redis.url}; the client shows the same credentials to the
   * sentinels (a sentinel without a password accepts them). Its {@code autoFailover} stays off: it re-points
   * connections held open, and the store holds none between calls.
   */
  private static void useSentinels(RedisOptions options, RedisStoreConfig config) {
    options.setType(RedisClientType.SENTINEL)
        .setMasterName(config.sentinel().masterName())
        .setRole(RedisRole.MASTER)
        .setUser(config.user())
        .setPassword(config.password());
    // a data node's address inherits the database (and TLS) of the sentinel address it was learnt from
    String database = config.database() == null ? "" : "/" + config.database();
    config.sentinel().endpoints().forEach(sentinel -> options.addConnectionString(sentinel + database));
  }

  /**
   * TLS from the first byte, the server verified against {@code store.redis.tls}, and its host name too unless that
   * is turned off. Set explicitly: Vert.x 5 leaves a client's host name verification unset, and with it unset every
   * rediss:// connection fails ("Missing hostname verification algorithm").
   */
  private static void useTls(NetClientOptions net, TlsSettings tls, TlsSettings.Material material) {
    net.setSsl(true)
        .setTrustOptions(TrustOptions.wrap(material.trust()))
        .setHostnameVerificationAlgorithm(tls.verifyHostname() ? "HTTPS" : "");
    if (material.keys() != null) {
      net.setKeyCertOptions(KeyCertOptions.wrap(material.keys()));
    }
  }

  @Override
  public Future<Admission> write(String agentId, long seq, WriteBatch batch) {
    if (seq <= 0 || seq > MAX_SEQ) {
      return Future.failedFuture(new IllegalArgumentException("seq must be between 1 and 2^53, got " + seq));
    }
    WriteCall call;
    try {
      call = new WriteCall(agentId, seq, batch, clock.getAsLong());
    } catch (RuntimeException e) {
      failures.increment();
      return Future.failedFuture(e);
    }
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
          long rejected = reply.get(1).toLong();
          long dropped = reply.get(2).toLong();
          seriesRejected.add(rejected);
          pointsDropped.add(dropped);
          batch.refusedSamples((int) Math.min(batch.samples().size(), batch.samples().size() - call.samples + rejected + dropped));
          gapTrackingOverflow.add(reply.get(3).toLong());
          return Admission.ACCEPTED;
        })
        .onFailure(failure -> failures.increment());
  }

  /** The registry in batches of {@link #MAX_BATCH} {@code HGETALL}s, one after the other, so writes go on in between. */
  @Override
  public Future<List<AgentRecord>> agents() {
    return call("agents", () -> api.zrange(List.of(keys.agents(), "0", "-1")).compose(ids -> {
      List<String> agentIds = new ArrayList<>(ids.size());
      ids.forEach(id -> agentIds.add(id.toString()));
      List<AgentRecord> records = new ArrayList<>(agentIds.size());
      Future<List<AgentRecord>> read = Future.succeededFuture(records);
      for (int from = 0; from < agentIds.size(); from += MAX_BATCH) {
        List<String> chunk = agentIds.subList(from, Math.min(agentIds.size(), from + MAX_BATCH));
        read = read.compose(sofar -> readAgents(chunk, sofar));
      }
      return read;
    }));
  }

  private Future<List<AgentRecord>> readAgents(List<String> agentIds, List<AgentRecord> into) {
    List<Request> reads = new ArrayList<>(agentIds.size());
    agentIds.forEach(id -> reads.add(Request.cmd(Command.HGETALL).arg(keys.agent(id))));
    return redis.batch(reads).map(hashes -> {
      for (int i = 0; i < hashes.size(); i++) {
        toRecord(agentIds.get(i), hashes.get(i)).ifPresent(into::add);
      }
      return into;
    });
  }

  @Override
  public Future<Optional<AgentRecord>> agent(String agentId) {
    return call("agent", () -> api.hgetall(keys.agent(agentId)).map(hash -> toRecord(agentId, hash)));
  }

  @Override
  public Future<Boolean> removeAgent(String agentId) {
    long now = clock.getAsLong();
    List<String> doomed = new ArrayList<>(agentKeys(agentId));
    doomed.add(keys.history(agentId));
    doomed.add(keys.flapping(agentId));
    long last = Math.floorDiv(now + config.retentionMs(), config.bucketMs());
    for (long bucket = Math.floorDiv(now - config.retentionMs(), config.bucketMs()); bucket <= last; bucket++) {
      doomed.add(keys.points(agentId, bucket));
    }
    return call("removeAgent", () -> REMOVE.run(redis, doomed, List.of(agentId))).map(known -> known.toInteger() == 1);
  }

  @Override
  public Future<Transition> transition(String agentId, AgentStatus from, AgentStatus to, long at, Fence fence) {
    String leaseKey = fence == null ? keys.agent(agentId) : keys.lease(fence.lease());
    String token = fence == null ? "" : Long.toString(fence.token());
    return call("transition", () -> STATUS.run(redis, List.of(keys.agent(agentId), leaseKey),
        List.of(from.wireName(), to.wireName(), Long.toString(at), token)))
        .map(reply -> switch (reply.toString()) {
          case "applied" -> Transition.APPLIED;
          case "conflict" -> Transition.CONFLICT;
          case "fenced" -> Transition.FENCED;
          default -> Transition.UNKNOWN_AGENT;
        });
  }

  /**
   * The client for the other ports kept in the same Redis ({@link io.mirador.store.Stores}): their calls go over this
   * store's connection pool with its timeout ({@code commandTimeoutMs}) and its reconnect pause, so a lease or a
   * node beat fails fast like a write while Redis is away, and closing it closes nothing (the store owns the pool).
   */
  public Redis client() {
    return new Redis() {
      @Override
      public Future<io.vertx.redis.client.RedisConnection> connect() {
        return redis.connect();
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }

      @Override
      public Future<Response> send(Request request) {
        return call(request.command().toString(), () -> redis.send(request));
      }

      @Override
      public Future<List<Response>> batch(List<Request> requests) {
        return call("batch", () -> redis.batch(requests));
      }
    };
  }

  /** The key prefix of everything this store keeps. */
  public String prefix() {
    return keys.prefix();
  }

  @Override
  public Future<List<LatestValue>> latest(String agentId) {
    long cutoff = clock.getAsLong() - config.retentionMs();
    return call("latest", () -> api.hgetall(keys.latest(agentId))).map(hash -> {
      List<LatestValue> latest = new ArrayList<>();
      boolean expired = false;
      for (Map.Entry<String, String> entry : series(hash).entrySet()) {
        Latest newest = Latest.parse(entry.getValue());
        if (newest.ts < cutoff) {
          expired = true;
          continue;
        }
        SeriesCodec.Series series = SeriesCodec.parse(entry.getKey());
        latest.add(new LatestValue(series.metric(), series.tags(), newest.value, newest.ts));
      }
      if (expired) {
        forgetExpiredSeries(agentId, cutoff);
      }
      latest.sort(LATEST_ORDER);
      return latest;
    });
  }

  /**
   * Matching series with no point in [from, to] are left out of the result. Two round trips: the index, then the
   * agent's buckets over the range, read whole and filtered here by series id.
   */
  @Override
  public Future<List<SeriesData>> series(SeriesQuery query) {
    if (query.agent() == null) {
      return Future.succeededFuture(List.of());
    }
    long cutoff = clock.getAsLong() - config.retentionMs();
    long from = Math.max(query.from(), cutoff);
    return call("series", () -> api.hgetall(keys.latest(query.agent())).compose(hash -> {
      Map<String, Found> wanted = new HashMap<>();
      long newestOfAll = Long.MIN_VALUE;
      for (Map.Entry<String, String> entry : series(hash).entrySet()) {
        Latest newest = Latest.parse(entry.getValue());
        if (newest.ts < from || query.to() < from) {
          continue; // every point of a series is at or before its newest one
        }
        SeriesCodec.Series series = SeriesCodec.parse(entry.getKey());
        if (query.matchesMetric(series.metric()) && (query.tags() == null || query.matchesTags(series.tags()))) {
          Found clash = wanted.put(SeriesCodec.id(entry.getKey()), new Found(series));
          if (clash != null) {
            LOG.warn("series {} and {} of agent {} share a point id: their points are mixed", clash.series, series, query.agent());
          }
          newestOfAll = Math.max(newestOfAll, newest.ts);
        }
      }
      if (wanted.isEmpty()) {
        return Future.succeededFuture(List.of());
      }
      long firstBucket = Math.floorDiv(from, config.bucketMs());
      long lastBucket = Math.floorDiv(Math.min(query.to(), newestOfAll), config.bucketMs());
      List<String> bucketKeys = new ArrayList<>();
      for (long bucket = firstBucket; bucket <= lastBucket; bucket++) {
        bucketKeys.add(keys.points(query.agent(), bucket));
      }
      return api.mget(bucketKeys).map(payloads -> {
        for (int i = 0; i < payloads.size(); i++) {
          Response payload = payloads.get(i);
          if (payload != null) {
            // read in append order: a later point with the same timestamp replaces the earlier one
            SeriesCodec.forEachPoint(payload.toString(), (firstBucket + i) * config.bucketMs(), id -> {
              Found found = wanted.get(id);
              return found == null ? null : found.points::put;
            });
          }
        }
        List<SeriesData> result = new ArrayList<>();
        for (Found found : wanted.values()) {
          List<SeriesData.Point> selected = select(found.points.subMap(from, true, query.to(), true), query.step());
          if (!selected.isEmpty()) {
            result.add(new SeriesData(found.series.metric(), found.series.tags(), selected));
          }
        }
        result.sort(SERIES_ORDER);
        return result;
      });
    }));
  }

  @Override
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

  @Override
  public Future<List<Integer>> appendCheckStatus(String agentId, String check, int status) {
    if (status < 0 || status > 3) {
      return Future.failedFuture(new IllegalArgumentException("status must be 0..3, got " + status));
    }
    return call("appendCheckStatus", () -> HISTORY.run(redis, List.of(keys.history(agentId)),
        List.of(check, Integer.toString(status), Integer.toString(CHECK_HISTORY)))).map(reply -> statuses(reply.toString()));
  }

  @Override
  public Future<Void> setCheckFlapping(String agentId, String check, boolean flapping) {
    return call("setCheckFlapping", () -> flapping
        ? api.sadd(List.of(keys.flapping(agentId), check))
        : api.srem(List.of(keys.flapping(agentId), check))).mapEmpty();
  }

  @Override
  public Future<Map<String, CheckHistory>> checkHistories(String agentId) {
    return call("checkHistories", () -> redis.batch(List.of(
        Request.cmd(Command.HGETALL).arg(keys.history(agentId)),
        Request.cmd(Command.SMEMBERS).arg(keys.flapping(agentId))))).map(replies -> {
          java.util.Set<String> flapping = new java.util.HashSet<>();
          replies.get(1).forEach(name -> flapping.add(name.toString()));
          Map<String, CheckHistory> histories = new TreeMap<>();
          pairs(replies.get(0)).forEach((check, digits) -> histories.put(check, new CheckHistory(statuses(digits), flapping.contains(check))));
          return Collections.unmodifiableMap(histories);
        });
  }

  @Override
  public Future<List<CheckDefinition>> checkDefinitions() {
    return call("checkDefinitions", () -> api.hgetall(keys.checks())).map(hash -> {
      List<CheckDefinition> definitions = new ArrayList<>();
      new TreeMap<>(pairs(hash)).forEach((name, json) -> definition(name, json).ifPresent(definitions::add));
      return List.copyOf(definitions);
    });
  }

  @Override
  public Future<Optional<CheckDefinition>> checkDefinition(String name) {
    return call("checkDefinition", () -> api.hget(keys.checks(), name))
        .map(json -> json == null ? Optional.<CheckDefinition>empty() : definition(name, json.toString()));
  }

  @Override
  public Future<Long> checkDefinitionsRevision() {
    return call("checkDefinitionsRevision", () -> api.get(keys.checksRevision())).map(n -> n == null ? 0L : n.toLong());
  }

  @Override
  public Future<DefinitionChange> putCheckDefinition(CheckDefinition definition) {
    return call("putCheckDefinition", () -> PUT_CHECK.run(redis, List.of(keys.checks(), keys.checksRevision()),
        List.of(definition.name(), definition.toJson().encode())))
        .map(reply -> new DefinitionChange(reply.get(0).toInteger() == 1, reply.get(1).toLong()));
  }

  @Override
  public Future<DefinitionChange> removeCheckDefinition(String name) {
    return call("removeCheckDefinition", () -> REMOVE_CHECK.run(redis, List.of(keys.checks(), keys.checksRevision()), List.of(name)))
        .map(reply -> new DefinitionChange(reply.get(0).toInteger() == 1, reply.get(1).toLong()));
  }

  private static List<Integer> statuses(String digits) {
    List<Integer> statuses = new ArrayList<>(digits.length());
    for (int i = 0; i < digits.length(); i++) {
      statuses.add(digits.charAt(i) - '0');
    }
    return List.copyOf(statuses);
  }

  private static Optional<CheckDefinition> definition(String name, String json) {
    try {
      return Optional.of(CheckDefinition.fromJson(new JsonObject(json)));
    } catch (RuntimeException e) {
      LOG.warn("unreadable check definition {} in Redis, left out: {}", name, e.getMessage());
      return Optional.empty();
    }
  }

  /** A real PING, whatever the reconnect pause says; its success ends the pause. */
  @Override
  public Future<Void> ping() {
    return timed("ping", api.ping(List.of())).mapEmpty();
  }

  /** Local counters only: this is called synchronously (by /metrics) and never talks to Redis. */
  @Override
  public Stats stats() {
    return new Stats()
        .counter("writes", "Event writes Redis accepted, duplicates included", writes.sum())
        .counter("duplicates", "Event writes Redis answered as already stored (same agent and seq)", duplicates.sum())
        .counter("failures", "Event writes that failed: Redis away or hung, refused during a reconnect pause, or an error reply",
            failures.sum())
        .counter("samples", "Metric samples sent to Redis in accepted writes, before the series and bucket limits", samples.sum())
        .counter("series_rejected", "Samples of new series refused because the agent had maxSeriesPerAgent series",
            seriesRejected.sum())
        .counter("points_expired", "Samples not written because they were older than retentionSeconds", pointsExpired.sum())
        .counter("points_future", "Samples not written because they were further ahead than retentionSeconds",
            pointsFuture.sum())
        .counter("points_dropped", "Samples dropped because their bucket of the agent had reached maxBucketBytes",
            pointsDropped.sum())
        .counter("gap_tracking_overflow", "Ranges of missing seqs forgotten because an agent had maxGapRanges of them",
            gapTrackingOverflow.sum())
        .gauge("redis_up", "1 when calls go to Redis, 0 during a reconnect pause", gate.isOpen() ? 1L : 0L);
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
        if (!config.usesTls()) {
          LOG.info("Redis store on {} (prefix '{}') is up", where, config.prefix());
        } else if (config.tls().verifyHostname()) {
          LOG.info("Redis store on {} (prefix '{}', {}) is up", where, config.prefix(), config.tls().summary());
        } else {
          LOG.warn("Redis store on {} (prefix '{}', {}) is up", where, config.prefix(), config.tls().summary());
        }
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
      return Future.failedFuture(new RedisStoreException("Redis store " + what + " on " + where + ": " + refusal));
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
      String tlsProblem = config.usesTls() ? config.tls().explain(cause) : null;
      String reason = tlsProblem != null ? tlsProblem : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      if (isConnectionTrouble(cause)) {
        gate.failed(reason);
      }
      return Future.failedFuture(new RedisStoreException("Redis store " + what + " on " + where + " failed: " + reason, cause));
    });
  }

  /** Anything but an error reply from Redis itself or a full pool wait queue means Redis could not be reached in time. */
  private static boolean isConnectionTrouble(Throwable cause) {
    return !(cause instanceof Response) && !(cause instanceof ConnectionPoolTooBusyException);
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
        Collections.unmodifiableMap(agentCounters),
        subscriptions(fields.get("subscriptions"))));
  }

  private static List<String> subscriptions(String json) {
    List<String> names = new ArrayList<>();
    if (json != null) {
      new JsonArray(json).forEach(name -> names.add((String) name));
    }
    return Collections.unmodifiableList(names);
  }

  /** A RESP2 hash reply (flat field, value array) as a map. */
  private static Map<String, String> pairs(Response hash) {
    Map<String, String> map = new HashMap<>(hash.size());
    for (int i = 0; i + 1 < hash.size(); i += 2) {
      map.put(hash.get(i).toString(), hash.get(i + 1).toString());
    }
    return map;
  }

  /** The series of a latest hash: every field but the {@link RedisKeys#ENCODING_MARK}. */
  private static Map<String, String> series(Response latestHash) {
    Map<String, String> series = pairs(latestHash);
    series.remove(RedisKeys.ENCODING_MARK);
    return series;
  }

  private static long number(Map<String, String> fields, String name) {
    String value = fields.get(name);
    return value == null || value.isEmpty() ? 0 : Long.parseLong(value);
  }

  private static String emptyAsNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  /** A latest entry, {@code "ts value"}. */
  private record Latest(long ts, double value) {

    static Latest parse(String entry) {
      int space = entry.indexOf(' ');
      return new Latest(Long.parseLong(entry, 0, space, 10), Double.parseDouble(entry.substring(space + 1)));
    }
  }

  /** A series a query wants, and its points as they are read. */
  private static final class Found {
    final SeriesCodec.Series series;
    final TreeMap<Long, Double> points = new TreeMap<>();

    Found(SeriesCodec.Series series) {
      this.series = series;
    }
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

    final List<String> keys = new ArrayList<>(8);
    final List<String> args;
    int samples;
    int expired;
    int future;

    WriteCall(String agentId, long seq, WriteBatch batch, long now) {
      int samplesIn = batch.samples().size();
      args = new ArrayList<>(32 + 2 * samplesIn + 3 * batch.checkResults().size()); // sized once: no regrowth
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

      Map<String, Newest> series = new LinkedHashMap<>(Math.max(16, samplesIn * 4 / 3 + 1));
      Map<Long, BucketWrite> buckets = new LinkedHashMap<>(4);
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
        String field = SeriesCodec.field(sample.name(), sample.tags());
        Newest newest = series.get(field);
        if (newest == null) {
          newest = new Newest(SeriesCodec.id(field));
          series.put(field, newest);
        }
        String value = SeriesCodec.value(sample.value()); // once: formatting a double is not cheap
        if (sample.ts() >= newest.ts) {
          newest.ts = sample.ts();
          newest.value = value;
        }
        long bucket = Math.floorDiv(sample.ts(), config.bucketMs());
        buckets.computeIfAbsent(bucket, b -> new BucketWrite()).add(sample.ts() - bucket * config.bucketMs(), newest.id, value);
      }
      args.add(Integer.toString(series.size()));
      long lastTs = Long.MIN_VALUE;
      String tsText = null;
      for (Map.Entry<String, Newest> entry : series.entrySet()) {
        Newest newest = entry.getValue();
        if (newest.ts != lastTs) { // a batch has one timestamp as a rule: its text is made once
          lastTs = newest.ts;
          tsText = newest.ts + " ";
        }
        args.add(entry.getKey());
        args.add(tsText.concat(newest.value));
      }
      // the ids in one argument, 8 characters each: the script needs them only for a late event or a full agent
      StringBuilder ids = new StringBuilder(8 * series.size());
      series.forEach((field, newest) -> ids.append(newest.id));
      args.add(ids.toString());
      args.add(Integer.toString(buckets.size()));
      buckets.forEach((bucket, write) -> {
        keys.add(RedisStore.this.keys.points(agentId, bucket));
        // a bucket lives a retention past its end; one in the future no longer than that past the current one
        long end = (bucket + 1) * config.bucketMs();
        args.add(Long.toString(Math.min(end, now + config.bucketMs()) + config.retentionMs()));
        args.add(write.payload());
      });
    }

    private void addInfo(String agentId, AgentInfo info) {
      if (info == null) {
        args.add("0");
        return;
      }
      args.add("9");
      Collections.addAll(args,
          "hostname", info.hostname() == null ? agentId : info.hostname(),
          "ips", new JsonArray(new ArrayList<>(info.ips())).encode(),
          "os", info.os() == null ? "" : info.os(),
          "version", info.version() == null ? "" : info.version(),
          "busy", info.busy() ? "1" : "0",
          "startedAt", Long.toString(info.startedAt()),
          "interval", Integer.toString(info.interval()),
          "counters", new JsonObject(new LinkedHashMap<>(info.counters())).encode(),
          "subscriptions", new JsonArray(new ArrayList<>(info.subscriptions())).encode());
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

  /** The newest point of one series in one batch, and the series' id in point buckets. */
  private static final class Newest {
    final String id;
    long ts = Long.MIN_VALUE;
    String value;

    Newest(String id) {
      this.id = id;
    }
  }

  /** What one batch appends to one bucket: a group of {@code id,value;} entries per timestamp. */
  private static final class BucketWrite {
    /** Offset in the bucket → entries; a batch has one timestamp as a rule. */
    final Map<Long, StringBuilder> groups = new LinkedHashMap<>(2);

    void add(long offset, String id, String value) {
      SeriesCodec.appendEntry(groups.computeIfAbsent(offset, o -> new StringBuilder(1024)), id, value);
    }

    String payload() {
      StringBuilder payload = new StringBuilder(groups.size() == 1 ? groups.values().iterator().next().length() + 10 : 1024);
      groups.forEach((offset, entries) -> payload.append(offset).append(':').append(entries).append('|'));
      return payload.toString();
    }
  }
}
