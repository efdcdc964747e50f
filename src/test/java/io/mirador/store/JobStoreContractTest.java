package io.mirador.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.cluster.Fence;
import io.mirador.hub.sched.JobPlan;
import io.mirador.hub.sched.JobSpec;
import io.mirador.hub.sched.JobStore;
import io.mirador.hub.sched.Target;
import io.mirador.hub.sched.TargetState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link JobStore} promises: jobs as created and saved, saves only under a fence that holds, templates versioned. */
public abstract class JobStoreContractTest extends StoreContractSupport {

  private JobStore jobs;
  private Fence fence;

  @BeforeEach
  void holdTheLease() {
    jobs = stores.jobs();
    fence = await(stores.leases().acquire("sched-test", "owner-a", 60_000)).orElseThrow().fence();
  }

  private static JobPlan plan(String id, long now, String... agents) {
    Map<String, String> targets = new LinkedHashMap<>();
    for (String agent : agents) {
      targets.put(agent, agent + ".example");
    }
    JobSpec spec = JobSpec.fromJson(new JsonObject().put("script", "echo hi").put("parallel", 1)
        .put("targets", new JsonObject().put("agents", new JsonArray(List.of(agents)))));
    return JobPlan.create(id, spec, targets, now, new JsonObject().put("template", "t"));
  }

  @Test
  void aJobIsCreatedSavedAndReadBackWithItsTargetsInOrder() {
    JobPlan plan = plan("j-1", base, "b", "a", "c");
    JobPlan.Changes created = plan.drain();
    await(jobs.create(plan.header(), created.targets()));
    assertEquals(List.of("j-1"), await(jobs.unfinished()));
    assertEquals(List.of("b", "a", "c"), await(jobs.targets("j-1")).stream().map(Target::agent).toList());

    plan.dispatch(base + 1, 1_000);
    assertTrue(plan.result("b", TargetState.SUCCEEDED, 0, "hi\n", "", base + 2, base + 3, base + 3));
    JobPlan.Changes changes = plan.drain();
    assertTrue(await(jobs.save("j-1", plan.header(), changes.targets(), fence)));

    JobPlan back = JobPlan.restore(await(jobs.header("j-1")).orElseThrow(), await(jobs.targets("j-1")));
    assertEquals(plan.header(), back.header());
    assertEquals(plan.targets(), back.targets());
    assertEquals("hi\n", back.target("b").stdout());
  }

  @Test
  void anEndedJobLeavesTheUnfinishedAndItsCancelRequest() {
    JobPlan plan = plan("j-2", base, "a");
    await(jobs.create(plan.header(), plan.drain().targets()));
    assertTrue(await(jobs.requestCancel("j-2")));
    assertFalse(await(jobs.requestCancel("no-such-job")));
    assertEquals(List.of("j-2"), await(jobs.cancelRequests()));
    plan.cancel(base + 1);
    JobPlan.Changes changes = plan.drain();
    assertTrue(await(jobs.save("j-2", plan.header(), changes.targets(), fence)));
    assertEquals(List.of(), await(jobs.unfinished()));
    assertEquals(List.of(), await(jobs.cancelRequests()));
    assertEquals("CANCELLED", await(jobs.header("j-2")).orElseThrow().getString("state"));
  }

  @Test
  void savesAreRefusedUnderAFenceThatNoLongerHolds() {
    JobPlan plan = plan("j-3", base, "a");
    await(jobs.create(plan.header(), plan.drain().targets()));
    plan.dispatch(base + 1, 1_000);
    JobPlan.Changes changes = plan.drain();
    await(stores.leases().release("sched-test", "owner-a", fence.token()));
    Fence newer = await(stores.leases().acquire("sched-test", "owner-b", 60_000)).orElseThrow().fence();
    assertFalse(await(jobs.save("j-3", plan.header(), changes.targets(), fence)), "the old owner writes nothing");
    assertEquals(TargetState.WAITING, await(jobs.targets("j-3")).get(0).state());
    assertTrue(await(jobs.save("j-3", plan.header(), changes.targets(), newer)));
    assertEquals(TargetState.RUNNING, await(jobs.targets("j-3")).get(0).state());
  }

  @Test
  void headersListNewestFirst() {
    for (int i = 1; i <= 3; i++) {
      JobPlan plan = plan("j-list-" + i, base + i, "a");
      await(jobs.create(plan.header(), plan.drain().targets()));
    }
    assertEquals(List.of("j-list-3", "j-list-2"), await(jobs.headers(2)).stream().map(h -> h.getString("id")).toList());
  }

  @Test
  void templatesGetANewVersionEachTime() {
    assertEquals(1, await(jobs.putTemplate("restart", new JsonObject().put("script", "echo 1"))));
    assertEquals(2, await(jobs.putTemplate("restart", new JsonObject().put("script", "echo 2"))));
    assertEquals("echo 2", await(jobs.template("restart", 0)).orElseThrow().getString("script"));
    assertEquals("echo 1", await(jobs.template("restart", 1)).orElseThrow().getString("script"));
    assertEquals(Optional.empty(), await(jobs.template("restart", 3)));
    assertEquals(Optional.empty(), await(jobs.template("nope", 0)));
    List<JsonObject> all = await(jobs.templates());
    assertEquals(1, all.size());
    assertEquals(2, all.get(0).getInteger("version"));
  }

  @Test
  void aScheduleTickIsMarkedOnceForwardOnlyAndUnderTheFence() {
    assertEquals(0L, await(jobs.lastTick("nightly")));
    assertTrue(await(jobs.markTick("nightly", base, fence)));
    assertFalse(await(jobs.markTick("nightly", base, fence)), "the same tick twice");
    assertFalse(await(jobs.markTick("nightly", base - 60_000, fence)), "an earlier tick");
    assertEquals(base, await(jobs.lastTick("nightly")));
    await(stores.leases().release("sched-test", "owner-a", fence.token()));
    Fence newer = await(stores.leases().acquire("sched-test", "owner-b", 60_000)).orElseThrow().fence();
    assertFalse(await(jobs.markTick("nightly", base + 60_000, fence)), "the old owner marks nothing");
    assertTrue(await(jobs.markTick("nightly", base + 60_000, newer)));
  }
}
