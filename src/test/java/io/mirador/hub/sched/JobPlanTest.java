package io.mirador.hub.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job state machine on a clock of the test's own: window, thresholds, idempotent results, deadlines, cancel. */
class JobPlanTest {

  private static final long GRACE = 5_000;
  private long now = 1_000_000;

  private JobPlan plan(int targets, JsonObject options) {
    Map<String, String> resolved = new LinkedHashMap<>();
    JsonArray ids = new JsonArray();
    for (int i = 1; i <= targets; i++) {
      resolved.put("a" + i, "host" + i);
      ids.add("a" + i);
    }
    JsonObject request = new JsonObject().put("script", "true").put("timeout", 10).put("targets", new JsonObject().put("agents", ids))
        .mergeIn(options);
    return JobPlan.create("j", JobSpec.fromJson(request), resolved, now, null);
  }

  private static List<String> agents(List<Target> targets) {
    return targets.stream().map(Target::agent).toList();
  }

  private boolean succeed(JobPlan plan, String agent) {
    return plan.result(agent, TargetState.SUCCEEDED, 0, "ok", "", now, ++now, now);
  }

  private boolean fail(JobPlan plan, String agent) {
    return plan.result(agent, TargetState.FAILED, 1, "", "no", now, ++now, now);
  }

  @Test
  void theWindowSlidesAndNeverHoldsMoreThanParallel() {
    JobPlan plan = plan(5, new JsonObject().put("parallel", 2));
    assertEquals(List.of("a1", "a2"), agents(plan.dispatch(now, GRACE)));
    assertEquals(JobState.RUNNING, plan.state());
    assertEquals(List.of(), plan.dispatch(now, GRACE), "the window is full");
    assertTrue(succeed(plan, "a2"));
    assertEquals(List.of("a3"), agents(plan.dispatch(now, GRACE)));
    assertTrue(succeed(plan, "a1"));
    assertTrue(succeed(plan, "a3"));
    assertEquals(List.of("a4", "a5"), agents(plan.dispatch(now, GRACE)));
    succeed(plan, "a4");
    succeed(plan, "a5");
    assertEquals(JobState.SUCCEEDED, plan.state());
    assertEquals(5, plan.counts().get(TargetState.SUCCEEDED));
  }

  @Test
  void failuresBeyondFailCountStopTheJobAndSkipTheRest() {
    JobPlan plan = plan(5, new JsonObject().put("parallel", 1).put("failCount", 1));
    plan.dispatch(now, GRACE);
    succeed(plan, "a1");
    plan.dispatch(now, GRACE);
    fail(plan, "a2");
    assertEquals(List.of("a3"), agents(plan.dispatch(now, GRACE)), "one failure is within failCount 1");
    fail(plan, "a3");
    assertEquals(List.of(), plan.dispatch(now, GRACE));
    assertEquals(JobState.FAILED, plan.state());
    assertTrue(plan.reason().contains("failCount 1"), plan.reason());
    assertEquals(TargetState.SKIPPED, plan.target("a4").state());
    assertEquals(TargetState.SKIPPED, plan.target("a5").state());
  }

  @Test
  void failRateIsAPercentageOfAllTargets() {
    JobPlan plan = plan(5, new JsonObject().put("parallel", 1).put("failRate", 20));
    plan.dispatch(now, GRACE);
    fail(plan, "a1"); // 20 %: not more than 20
    assertEquals(List.of("a2"), agents(plan.dispatch(now, GRACE)));
    fail(plan, "a2"); // 40 %
    assertEquals(JobState.FAILED, plan.state());
    assertTrue(plan.reason().contains("failRate 20%"), plan.reason());
    assertEquals(3, plan.counts().get(TargetState.SKIPPED));
  }

  @Test
  void thresholdsAreDecidedOnResultsWhileOthersStillRun() {
    JobPlan plan = plan(4, new JsonObject().put("parallel", 2).put("failCount", 0));
    plan.dispatch(now, GRACE);
    fail(plan, "a1");
    assertEquals(JobState.RUNNING, plan.state(), "a2 still runs: the job ends once it answered");
    assertEquals(TargetState.SKIPPED, plan.target("a3").state());
    succeed(plan, "a2");
    assertEquals(JobState.FAILED, plan.state());
  }

  @Test
  void lateAndDuplicateResultsChangeNothing() {
    JobPlan plan = plan(2, new JsonObject().put("parallel", 2));
    plan.dispatch(now, GRACE);
    assertTrue(succeed(plan, "a1"));
    plan.drain();
    assertFalse(fail(plan, "a1"), "a duplicate result");
    assertFalse(plan.result("nobody", TargetState.SUCCEEDED, 0, "", "", now, now, now), "an unknown target");
    assertTrue(plan.drain().isEmpty());
    now += 10_000 + GRACE;
    assertEquals(List.of("a2"), agents(plan.expire(now)));
    assertEquals(TargetState.UNREACHABLE, plan.target("a2").state());
    assertFalse(succeed(plan, "a2"), "a result after the deadline: UNREACHABLE stays");
    assertEquals(JobState.FAILED, plan.state());
    assertEquals(TargetState.SUCCEEDED, plan.target("a1").state());
  }

  @Test
  void noTargetExpiresBeforeItsTimeoutAndGrace() {
    JobPlan plan = plan(1, new JsonObject());
    plan.dispatch(now, GRACE);
    assertEquals(List.of(), plan.expire(now + 10_000 + GRACE - 1));
    assertEquals(1, plan.expire(now + 10_000 + GRACE).size());
  }

  @Test
  void cancelStartsNothingNewAndNamesWhatRuns() {
    JobPlan plan = plan(4, new JsonObject().put("parallel", 2));
    plan.dispatch(now, GRACE);
    assertEquals(List.of("a1", "a2"), agents(plan.cancel(now)));
    assertEquals(List.of(), plan.cancel(now), "cancelled once");
    assertEquals(TargetState.CANCELLED, plan.target("a3").state());
    assertEquals(List.of(), plan.dispatch(now, GRACE));
    assertEquals(JobState.RUNNING, plan.state(), "until the running ones answered");
    plan.result("a1", TargetState.CANCELLED, null, "", "", now, now, now);
    succeed(plan, "a2");
    assertEquals(JobState.CANCELLED, plan.state());
  }

  @Test
  void aPlanRestoredFromItsStoredFormCarriesOn() {
    JobPlan plan = plan(3, new JsonObject().put("parallel", 1));
    plan.dispatch(now, GRACE);
    JobPlan back = JobPlan.restore(plan.header(), plan.targets());
    assertEquals(List.of(), back.dispatch(now, GRACE), "the running target still fills the window: nothing sent twice");
    succeed(back, "a1");
    assertEquals(List.of("a2"), agents(back.dispatch(now, GRACE)));
  }

  @Test
  void outputIsCappedPerTarget() {
    JobPlan plan = plan(1, new JsonObject());
    plan.dispatch(now, GRACE);
    String line = "x".repeat(1_000);
    for (int i = 0; i < 100; i++) {
      plan.output("a1", false, line);
    }
    assertEquals(JobPlan.MAX_OUTPUT, plan.target("a1").stdout().length());
    assertTrue(plan.output("a1", true, "oops"));
    assertEquals("oops\n", plan.target("a1").stderr());
  }

  @Test
  void badRequestsAreRefusedWithTheirReason() {
    JsonObject targets = new JsonObject().put("agents", new JsonArray().add("a1"));
    Map<JsonObject, String> bad = new LinkedHashMap<>();
    bad.put(new JsonObject().put("script", "true"), "targets is required");
    bad.put(new JsonObject().put("script", "true").put("targets", new JsonObject()), "targets selects nothing");
    bad.put(new JsonObject().put("script", " ").put("targets", targets), "script is required");
    bad.put(new JsonObject().put("script", "true").put("targets", targets).put("parallel", 0), "parallel must be");
    bad.put(new JsonObject().put("script", "true").put("targets", targets).put("failRate", 150), "failRate must be");
    bad.put(new JsonObject().put("script", "x".repeat(JobSpec.MAX_SCRIPT_BYTES + 1)).put("targets", targets), "larger than");
    bad.put(new JsonObject().put("script", "true").put("targets", targets).put("env", new JsonObject().put("MIRADOR_X", "1")), "MIRADOR_");
    bad.forEach((request, reason) -> {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobSpec.fromJson(request));
      assertTrue(e.getMessage().contains(reason), e.getMessage() + " should say " + reason);
    });
  }
}
