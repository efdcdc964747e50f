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

/** What every {@link IngestStore} promises (with the {@link SeriesStore} reads of what it wrote). */
public abstract class IngestContractTest extends StoreContractSupport {

  @Test
  void pingSucceeds() {
    await(backend.ping());
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
    assertEquals(List.of(AGENT), await(registry.agents()).stream().map(AgentRecord::id).toList());
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
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 1, base)), await(seriesStore.latest(AGENT)));
    assertEquals(List.of(new SeriesData("cpu.load", Map.of(), points(base, 1))), series(null, Map.of(), base, base + 60_000, 0));
  }

  @Test
  void theBatchTellsHowManySamplesTheStoreRefused() {
    WriteBatch batch = new WriteBatch(base).samples(List.of(
        Sample.of("cpu.usage", 10, base),
        Sample.of("cpu.usage", 11, 1), // 1970: older than any retention
        Sample.of("mem.used", 100, base)));
    assertEquals(Admission.ACCEPTED, await(ingest.write(AGENT, 1, batch)));
    assertEquals(1, batch.refusedSamples());
    assertEquals(2, batch.storedSamples());
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

    List<LatestValue> latest = await(seriesStore.latest(AGENT));
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
    assertEquals(List.of(), await(seriesStore.series(new SeriesQuery("someone-else", "cpu.usage", Map.of(), base, base + 60_000, 0))));
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

}
