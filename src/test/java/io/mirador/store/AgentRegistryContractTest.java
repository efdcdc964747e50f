package io.mirador.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.checks.CheckStore;
import io.mirador.hub.cluster.Fence;
import io.mirador.hub.cluster.Lease;
import io.mirador.store.AgentRegistry.Transition;
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

/** What every {@link AgentRegistry} promises. */
public abstract class AgentRegistryContractTest extends StoreContractSupport {

  @Test
  void removeAgentForgetsRegistryCountersAndSeries() {
    write(AGENT, 5, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)).samples(List.of(Sample.of("cpu.load", 1, base))));
    write(AGENT, 5, new WriteBatch(base));

    assertTrue(await(registry.removeAgent(AGENT)));

    assertTrue(await(registry.agent(AGENT)).isEmpty());
    assertTrue(await(registry.agents()).isEmpty());
    assertEquals(List.of(), await(seriesStore.latest(AGENT)));
    assertEquals(List.of(), series("cpu.load", Map.of(), base, base + 60_000, 0));
    assertFalse(await(registry.removeAgent(AGENT)));

    assertEquals(Admission.ACCEPTED, writeSamples(AGENT, 1, Sample.of("cpu.load", 2, base + 1)));
    assertEquals(new IngestCounters(1, 0, 0, 1), agent(AGENT).ingest());
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 2, base + 1)), await(seriesStore.latest(AGENT)));
  }

  @Test
  void removeAgentLeavesOtherAgentsAlone() {
    writeSamples(AGENT, 1, Sample.of("cpu.load", 1, base));
    writeSamples("agent-2", 1, Sample.of("cpu.load", 2, base));

    await(registry.removeAgent(AGENT));

    assertEquals(List.of("agent-2"), await(registry.agents()).stream().map(AgentRecord::id).toList());
    assertEquals(List.of(new LatestValue("cpu.load", Map.of(), 2, base)), await(seriesStore.latest("agent-2")));
  }

  @Test
  void aTransitionFromTheStatusSeenIsAppliedWithItsTime() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)));

    assertEquals(Transition.APPLIED, await(registry.transition(AGENT, AgentStatus.UP, AgentStatus.DOWN, base + 30_000, null)));

    AgentRecord agent = agent(AGENT);
    assertEquals(AgentStatus.DOWN, agent.status());
    assertEquals(base + 30_000, agent.statusSince());
    assertEquals(base, agent.lastSeen());
  }

  @Test
  void aTransitionFromAStatusTheAgentNoLongerHasChangesNothing() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)));
    assertEquals(Transition.APPLIED, await(registry.transition(AGENT, AgentStatus.UP, AgentStatus.STALE, base + 20_000, null)));

    // a second sweeper that read the agent before the first one changed it
    assertEquals(Transition.CONFLICT, await(registry.transition(AGENT, AgentStatus.UP, AgentStatus.STALE, base + 21_000, null)));
    assertEquals(Transition.CONFLICT, await(registry.transition(AGENT, AgentStatus.UP, AgentStatus.DOWN, base + 22_000, null)));

    AgentRecord agent = agent(AGENT);
    assertEquals(AgentStatus.STALE, agent.status());
    assertEquals(base + 20_000, agent.statusSince());
  }

  @Test
  void ofManyConcurrentIdenticalTransitionsExactlyOneApplies() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)));
    List<Future<Transition>> racing = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      racing.add(registry.transition(AGENT, AgentStatus.UP, AgentStatus.DOWN, base + i, null));
    }
    List<Transition> outcomes = racing.stream().map(StoreContractSupport::await).toList();
    assertEquals(1, outcomes.stream().filter(o -> o == Transition.APPLIED).count(), outcomes::toString);
    assertEquals(19, outcomes.stream().filter(o -> o == Transition.CONFLICT).count(), outcomes::toString);
  }

  @Test
  void aTransitionOfAnUnknownAgentCreatesNothing() {
    assertEquals(Transition.UNKNOWN_AGENT, await(registry.transition("ghost", AgentStatus.UP, AgentStatus.STALE, base, null)));

    assertTrue(await(registry.agent("ghost")).isEmpty());
    assertTrue(await(registry.agents()).isEmpty());
  }

  @Test
  void aTransitionUnderALeaseIsRefusedOnceTheLeaseHasAnotherToken() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)));
    Lease first = await(stores.leases().acquire("sweep", "node-a", 60_000)).orElseThrow();
    Fence fence = new Fence("sweep", first.token());
    assertEquals(Transition.APPLIED, await(registry.transition(AGENT, AgentStatus.UP, AgentStatus.STALE, base + 1, fence)));

    // the owner lets go (or lapses) and another takes over with a greater token
    await(stores.leases().release("sweep", "node-a", first.token()));
    Lease second = await(stores.leases().acquire("sweep", "node-b", 60_000)).orElseThrow();
    assertTrue(second.token() > first.token());

    assertEquals(Transition.FENCED, await(registry.transition(AGENT, AgentStatus.STALE, AgentStatus.DOWN, base + 2, fence)));
    assertEquals(AgentStatus.STALE, agent(AGENT).status(), "the stale owner changed nothing");
    assertEquals(Transition.APPLIED,
        await(registry.transition(AGENT, AgentStatus.STALE, AgentStatus.DOWN, base + 3, new Fence("sweep", second.token()))));
    assertEquals(AgentStatus.DOWN, agent(AGENT).status());
  }

  @Test
  void aTransitionUnderALeaseNobodyHoldsIsRefused() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)));
    assertEquals(Transition.FENCED, await(registry.transition(AGENT, AgentStatus.UP, AgentStatus.DOWN, base, new Fence("nobody", 1))));
    assertEquals(AgentStatus.UP, agent(AGENT).status());
  }
}
