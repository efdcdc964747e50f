package io.mirador.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.checks.CheckStore;
import io.mirador.model.AgentInfo;
import io.mirador.model.CheckDefinition;
import io.mirador.model.CheckResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Optional;
import io.mirador.model.Sample;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the store contract tests share: a fresh set of ports per test, written against the ports alone (a store may
 * complete its futures later, on another thread), and helpers. Each port has its contract test extending this class;
 * each implementation runs every contract ({@code MemoryStoreTest}, {@code RedisStoreTest}).
 */
public abstract class StoreContractSupport {

  protected static final String AGENT = "agent-1";

  /** Sample timestamps sit well inside any hot window, on a minute boundary so step buckets are predictable. */
  protected final long base = Math.floorDiv(System.currentTimeMillis() - 20 * 60_000, 60_000) * 60_000;

  protected Stores stores;
  protected StoreBackend backend;
  protected IngestStore ingest;
  protected AgentRegistry registry;
  protected SeriesStore seriesStore;
  protected CheckStore checks;

  /** A fresh, empty set of ports of the implementation under test. */
  protected abstract Stores newStores();

  @BeforeEach
  void openStore() {
    stores = newStores();
    backend = stores.backend();
    ingest = stores.ingest();
    registry = stores.registry();
    seriesStore = stores.series();
    checks = stores.checks();
  }

  @AfterEach
  void closeStore() {
    await(backend.close());
  }

  protected static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("store call did not succeed: " + e, e);
    }
  }

  protected static AgentInfo info(String id, String hostname, boolean busy) {
    return new AgentInfo(id, hostname, List.of("10.0.0.7", "fe80::1"), "Linux 6.1", "0.1.0", busy, 1_000, 10,
        Map.of("spool_evicted", 3L), List.of("all", "web"));
  }

  protected Admission write(String agentId, long seq, WriteBatch batch) {
    return await(ingest.write(agentId, seq, batch));
  }

  protected Admission writeSamples(String agentId, long seq, Sample... samples) {
    return write(agentId, seq, new WriteBatch(base).samples(List.of(samples)));
  }

  protected AgentRecord agent(String agentId) {
    return await(registry.agent(agentId)).orElseThrow(() -> new AssertionError("no agent " + agentId));
  }

  protected List<SeriesData> series(String metric, Map<String, String> tags, long from, long to, long step) {
    return await(seriesStore.series(new SeriesQuery(AGENT, metric, tags, from, to, step)));
  }

  protected static List<SeriesData.Point> points(long... tsValuePairs) {
    SeriesData.Point[] points = new SeriesData.Point[tsValuePairs.length / 2];
    for (int i = 0; i < points.length; i++) {
      points[i] = new SeriesData.Point(tsValuePairs[2 * i], tsValuePairs[2 * i + 1]);
    }
    return List.of(points);
  }

}
