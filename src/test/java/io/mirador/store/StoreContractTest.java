package io.mirador.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * What every {@link Store} promises, written against the port alone: a store may complete its futures later, on
 * another thread. An implementation's test extends this class and supplies a fresh, empty store per test.
 */
public abstract class StoreContractTest {

  protected static final String AGENT = "agent-1";

  /** Sample timestamps sit well inside any hot window, on a minute boundary so step buckets are predictable. */
  protected final long base = Math.floorDiv(System.currentTimeMillis() - 20 * 60_000, 60_000) * 60_000;

  protected Store store;

  protected abstract Store newStore();

  @BeforeEach
  void openStore() {
    store = newStore();
  }

  @AfterEach
  void closeStore() {
    await(store.close());
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
    return await(store.write(agentId, seq, batch));
  }

  protected Admission writeSamples(String agentId, long seq, Sample... samples) {
    return write(agentId, seq, new WriteBatch(base).samples(List.of(samples)));
  }

  protected AgentRecord agent(String agentId) {
    return await(store.agent(agentId)).orElseThrow(() -> new AssertionError("no agent " + agentId));
  }

  protected List<SeriesData> series(String metric, Map<String, String> tags, long from, long to, long step) {
    return await(store.series(new SeriesQuery(AGENT, metric, tags, from, to, step)));
  }

  protected static List<SeriesData.Point> points(long... tsValuePairs) {
    SeriesData.Point[] points = new SeriesData.Point[tsValuePairs.length / 2];
    for (int i = 0; i < points.length; i++) {
      points[i] = new SeriesData.Point(tsValuePairs[2 * i], tsValuePairs[2 * i + 1]);
    }
    return List.of(points);
  }

  @Test
  void pingSucceeds() {
    await(store.ping());
  }

  @Test
  void registerCreatesAgentWithItsFields() {
    assertEquals(Admission.ACCEPTED, write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false))));

    AgentRecord agent = agent(AGENT);
    assertEquals(AGENT, agent.id());
    assertEquals("web-1", agent.hostname());
    assertEquals(List.of("10.0.0.7", "fe80::1"), agent.ips());
    assertEquals("Linux 6.1", agent.os());
    assertEquals("0.1.0", agent.version());
    assertFalse(agent.busy());
    assertEquals(1_000, agent.startedAt());
    assertEquals(10, agent.interval());
    assertEquals(base, agent.registeredAt());
    assertEquals(base, agent.lastSeen());
    assertEquals(AgentStatus.UP, agent.status());
    assertEquals(base, agent.statusSince());
    assertEquals(new IngestCounters(1, 0, 0, 1), agent.ingest());
    assertEquals(Map.of("spool_evicted", 3L), agent.agentCounters());
    assertEquals(List.of("all", "web"), agent.subscriptions());
    assertEquals(List.of(AGENT), await(store.agents()).stream().map(AgentRecord::id).toList());
  }

  @Test
  void heartbeatRefreshesTheRegistryButNotRegisteredAt() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)));
    write(AGENT, 2, new WriteBatch(base + 10_000).agentInfo(info(AGENT, "web-1b", true)));

    AgentRecord agent = agent(AGENT);
    assertEquals("web-1b", agent.hostname());
    assertTrue(agent.busy());
    assertEquals(base, agent.registeredAt());
    assertEquals(base + 10_000, agent.lastSeen());
    assertEquals(new IngestCounters(2, 0, 0, 2), agent.ingest());
  }

  @Test
  void sameSeqTwiceIsADuplicate() {
    assertEquals(Admission.ACCEPTED, writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base)));
    assertEquals(Admission.DUPLICATE, writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base)));
    assertEquals(Admission.DUPLICATE, writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base)));

    assertEquals(new IngestCounters(1, 2, 0, 1), agent(AGENT).ingest());
  }

  @Test
  void gapsAreCountedAndFilledByLateArrivals() {
    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base));
    assertEquals(Admission.ACCEPTED, writeSamples(AGENT, 5, Sample.of("cpu.load", 5, base + 5)));
    assertEquals(new IngestCounters(2, 0, 3, 5), agent(AGENT).ingest());

    assertEquals(Admission.ACCEPTED, writeSamples(AGENT, 3, Sample.of("cpu.load", 3, base + 3)));
    assertEquals(new IngestCounters(3, 0, 2, 5), agent(AGENT).ingest());

    assertEquals(Admission.DUPLICATE, writeSamples(AGENT, 3, Sample.of("cpu.load", 3, base + 3)));
    assertEquals(Admission.DUPLICATE, writeSamples(AGENT, 5, Sample.of("cpu.load", 5, base + 5)));
    assertEquals(Admission.ACCEPTED, writeSamples(AGENT, 2, Sample.of("cpu.load", 2, base + 2)));
    assertEquals(Admission.ACCEPTED, writeSamples(AGENT, 4, Sample.of("cpu.load", 4, base + 4)));
    assertEquals(new IngestCounters(5, 2, 0, 5), agent(AGENT).ingest());
    assertEquals(List.of(new SeriesData("cpu.load", Map.of(), points(base, 1, base + 2, 2, base + 3, 3, base + 4, 4, base + 5, 5))),
        series("cpu.load", Map.of(), base, base + 60_000, 0));
  }

  @Test
  void aNewAgentFirstSeenAtSeqNHasNMinusOneGaps() {
    writeSamples(AGENT, 1000, Sample.of("cpu.load", 1, base));
    assertEquals(new IngestCounters(1, 0, 999, 1000), agent(AGENT).ingest());

    assertEquals(Admission.ACCEPTED, writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base - 1)));
    assertEquals(new IngestCounters(2, 0, 998, 1000), agent(AGENT).ingest());
  }

  @Test
  void aDuplicateChangesNoData() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)).samples(List.of(Sample.of("cpu.load", 1, base))));

    assertEquals(Admission.DUPLICATE, write(AGENT, 1, new WriteBatch(base + 50_000)
        .agentInfo(info(AGENT, "impostor", true))
        .samples(List.of(Sample.of("cpu.load", 99, base + 1), Sample.of("mem.used", 7, base + 1)))));

    AgentRecord agent = agent(AGENT);
    assertEquals("web-1", agent.hostname());
    assertFalse(agent.busy());
    assertEquals(base, agent.lastSeen());
    assertEquals(new IngestCounters(1, 1, 0, 1), agent.ingest());
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 1, base)), await(store.latest(AGENT)));
    assertEquals(List.of(new SeriesData("cpu.load", Map.of(), points(base, 1))), series(null, Map.of(), base, base + 60_000, 0));
  }

  @Test
  void samplesShowInLatestAndSeries() {
    writeSamples(AGENT, 1,
        Sample.of("cpu.usage", Map.of("cpu", "0"), 10, base),
        Sample.of("cpu.usage", Map.of("cpu", "1"), 20, base),
        Sample.of("cpu.load", 0.5, base),
        Sample.of("mem.used", 100, base));
    writeSamples(AGENT, 2,
        Sample.of("cpu.usage", Map.of("cpu", "0"), 11, base + 10_000),
        Sample.of("cpu.usage", Map.of("cpu", "1"), 21, base + 10_000),
        Sample.of("mem.used", 101, base + 10_000));
    writeSamples(AGENT, 3, Sample.of("cpu.usage", Map.of("cpu", "1"), 22, base + 20_000));

    List<LatestValue> latest = await(store.latest(AGENT));
    assertEquals(4, latest.size());
    assertTrue(latest.contains(new LatestValue("cpu.usage", Map.of("cpu", "0"), 11, base + 10_000)));
    assertTrue(latest.contains(new LatestValue("cpu.usage", Map.of("cpu", "1"), 22, base + 20_000)));
    assertTrue(latest.contains(new LatestValue("cpu.load", Map.of(), 0.5, base)));
    assertTrue(latest.contains(new LatestValue("mem.used", Map.of(), 101, base + 10_000)));

    assertEquals(List.of(new SeriesData("cpu.usage", Map.of("cpu", "1"), points(base, 20, base + 10_000, 21, base + 20_000, 22))),
        series("cpu.usage", Map.of("cpu", "1"), base, base + 60_000, 0));

    List<SeriesData> cpu = series("cpu.*", Map.of(), base, base + 60_000, 0);
    assertEquals(List.of("cpu.load", "cpu.usage", "cpu.usage"), cpu.stream().map(SeriesData::metric).toList(),
        "a prefix matches every metric under it, sorted by metric then tags");
    assertEquals(new SeriesData("cpu.load", Map.of(), List.of(new SeriesData.Point(base, 0.5))), cpu.get(0));
    assertEquals(Map.of("cpu", "0"), cpu.get(1).tags());
    assertEquals(Map.of("cpu", "1"), cpu.get(2).tags());

    assertEquals(List.of(
            new SeriesData("cpu.usage", Map.of("cpu", "0"), points(base + 10_000, 11)),
            new SeriesData("cpu.usage", Map.of("cpu", "1"), points(base + 10_000, 21, base + 20_000, 22))),
        series("cpu.usage", Map.of(), base + 10_000, base + 20_000, 0), "from and to are inclusive, points outside left out");

    assertEquals(List.of(), series("disk.used", Map.of(), base, base + 60_000, 0));
    assertEquals(List.of(), series("cpu.usage", Map.of("cpu", "7"), base, base + 60_000, 0));
    assertEquals(List.of(), await(store.series(new SeriesQuery("someone-else", "cpu.usage", Map.of(), base, base + 60_000, 0))));
  }

  @Test
  void stepAveragesIntoAlignedBucketsAndSkipsEmptyOnes() {
    writeSamples(AGENT, 1,
        Sample.of("net.rx", 1, base),
        Sample.of("net.rx", 2, base + 20_000),
        Sample.of("net.rx", 6, base + 40_000),
        Sample.of("net.rx", 10, base + 60_000),
        Sample.of("net.rx", 20, base + 90_000),
        Sample.of("net.rx", 7, base + 180_000),
        Sample.of("net.rx", 1000, base + 300_000));

    assertEquals(List.of(new SeriesData("net.rx", Map.of(), List.of(
            new SeriesData.Point(base, 3.0),
            new SeriesData.Point(base + 60_000, 15.0),
            new SeriesData.Point(base + 180_000, 7.0)))),
        series("net.rx", Map.of(), base, base + 240_000, 60_000));

    assertEquals(List.of(new SeriesData("net.rx", Map.of(), List.of(
            new SeriesData.Point(base, 4.0),
            new SeriesData.Point(base + 60_000, 10.0)))),
        series("net.rx", Map.of(), base + 20_000, base + 60_000, 60_000), "only points within [from, to] are averaged");
  }

  @Test
  void removeAgentForgetsRegistryCountersAndSeries() {
    write(AGENT, 5, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)).samples(List.of(Sample.of("cpu.load", 1, base))));
    write(AGENT, 5, new WriteBatch(base));

    assertTrue(await(store.removeAgent(AGENT)));

    assertTrue(await(store.agent(AGENT)).isEmpty());
    assertTrue(await(store.agents()).isEmpty());
    assertEquals(List.of(), await(store.latest(AGENT)));
    assertEquals(List.of(), series("cpu.load", Map.of(), base, base + 60_000, 0));
    assertFalse(await(store.removeAgent(AGENT)));

    assertEquals(Admission.ACCEPTED, writeSamples(AGENT, 1, Sample.of("cpu.load", 2, base + 1)));
    assertEquals(new IngestCounters(1, 0, 0, 1), agent(AGENT).ingest());
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 2, base + 1)), await(store.latest(AGENT)));
  }

  @Test
  void removeAgentLeavesOtherAgentsAlone() {
    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base));
    writeSamples("agent-2", 1, Sample.of("cpu.load", 2, base));

    await(store.removeAgent(AGENT));

    assertEquals(List.of("agent-2"), await(store.agents()).stream().map(AgentRecord::id).toList());
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 2, base)), await(store.latest("agent-2")));
  }

  @Test
  void setStatusRecordsStatusAndSince() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)));

    await(store.setStatus(AGENT, AgentStatus.DOWN, base + 30_000));

    AgentRecord agent = agent(AGENT);
    assertEquals(AgentStatus.DOWN, agent.status());
    assertEquals(base + 30_000, agent.statusSince());
    assertEquals(base, agent.lastSeen());
  }

  @Test
  void setStatusOfAnUnknownAgentCreatesNothing() {
    await(store.setStatus("ghost", AgentStatus.STALE, base));

    assertTrue(await(store.agent("ghost")).isEmpty());
    assertTrue(await(store.agents()).isEmpty());
  }

  @Test
  void samplesOfAnUnknownAgentCreateItsRegistryEntry() {
    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base));

    AgentRecord agent = agent(AGENT);
    assertEquals(AGENT, agent.hostname());
    assertEquals(AgentStatus.UP, agent.status());
    assertEquals(base, agent.lastSeen());
    assertEquals(base, agent.registeredAt());
    assertEquals(new IngestCounters(1, 0, 0, 1), agent.ingest());

    write(AGENT, 2, new WriteBatch(base + 5_000).agentInfo(info(AGENT, "web-1", false)));
    assertEquals("web-1", agent(AGENT).hostname());
    assertEquals(base, agent(AGENT).registeredAt());
  }

  // --- checks: definitions, latest results, history, flapping

  private static CheckDefinition definition(String name, String command, int interval) {
    return CheckDefinition.parse(name, new JsonObject().put("command", command).put("interval", interval)
        .put("subscriptions", new JsonArray().add("web")).put("env", new JsonObject().put("A", "1")));
  }

  @Test
  void checkDefinitionsAreCreatedReplacedAndRemovedWithARevision() {
    assertEquals(0L, await(store.checkDefinitionsRevision()));
    assertEquals(List.of(), await(store.checkDefinitions()));

    assertEquals(new DefinitionChange(false, 1), await(store.putCheckDefinition(definition("load", "check_load", 60))));
    assertEquals(new DefinitionChange(false, 2), await(store.putCheckDefinition(definition("disk", "check_disk", 30))));
    CheckDefinition changed = definition("load", "check_load -w 5", 10);
    assertEquals(new DefinitionChange(true, 3), await(store.putCheckDefinition(changed)));

    assertEquals(List.of("disk", "load"), await(store.checkDefinitions()).stream().map(CheckDefinition::name).toList());
    assertEquals(Optional.of(changed), await(store.checkDefinition("load")));
    assertEquals(Optional.empty(), await(store.checkDefinition("nope")));
    assertEquals(3L, await(store.checkDefinitionsRevision()));

    assertEquals(new DefinitionChange(true, 4), await(store.removeCheckDefinition("disk")));
    assertEquals(new DefinitionChange(false, 4), await(store.removeCheckDefinition("disk")));
    assertEquals(List.of(changed), await(store.checkDefinitions()));
    assertEquals(4L, await(store.checkDefinitionsRevision()));
  }

  @Test
  void latestCheckResultIsTheNewestByExecutionTime() {
    CheckResult ok = new CheckResult("disk_root", 0, "DISK OK", List.of(Sample.of("disk.free", Map.of(), 12.5, base)), 12, base + 2_000);
    CheckResult older = new CheckResult("disk_root", 2, "DISK CRITICAL", List.of(), 3, base + 1_000);
    write(AGENT, 1, new WriteBatch(base).checkResult(ok));
    write(AGENT, 2, new WriteBatch(base).checkResult(older));
    assertEquals(Map.of("disk_root", ok), await(store.latestCheckResults(AGENT)));
    assertEquals(Map.of(), await(store.latestCheckResults("ghost")));
  }

  @Test
  void checkHistoryKeepsTheLast21StatusesOldestFirst() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)));
    List<Integer> expected = new ArrayList<>();
    List<Integer> last = List.of();
    for (int i = 0; i < 25; i++) {
      int status = i % 4;
      expected.add(status);
      last = await(store.appendCheckStatus(AGENT, "load", status));
    }
    List<Integer> newest21 = expected.subList(4, 25);
    assertEquals(newest21, last);
    await(store.appendCheckStatus(AGENT, "disk", 2));
    await(store.setCheckFlapping(AGENT, "load", true));

    Map<String, CheckHistory> histories = await(store.checkHistories(AGENT));
    assertEquals(new CheckHistory(newest21, true), histories.get("load"));
    assertEquals(new CheckHistory(List.of(2), false), histories.get("disk"));

    await(store.setCheckFlapping(AGENT, "load", false));
    assertFalse(await(store.checkHistories(AGENT)).get("load").flapping());
  }

  @Test
  void removingAnAgentForgetsItsCheckResultsAndHistory() {
    write(AGENT, 1, new WriteBatch(base).checkResult(new CheckResult("load", 1, "LOAD WARNING", List.of(), 3, base)));
    await(store.appendCheckStatus(AGENT, "load", 1));
    await(store.setCheckFlapping(AGENT, "load", true));
    assertTrue(await(store.removeAgent(AGENT)));
    assertEquals(Map.of(), await(store.latestCheckResults(AGENT)));
    assertEquals(Map.of(), await(store.checkHistories(AGENT)));
  }
}
