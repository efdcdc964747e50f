package io.mirador.hub.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.alert.AlertState.State;
import io.mirador.model.Sample;
import io.mirador.store.AgentStatus;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rule evaluation and the alert lifecycle on a clock the test drives: no sleeps, every time given. */
class EvaluatorTest {

  private static final long T0 = 1_700_000_000_000L;
  private final Evaluator evaluator = new Evaluator(Evaluator.Limits.DEFAULTS);

  private Rule rule(String name, JsonObject json) {
    return Rule.parse(name, json);
  }

  private Evaluator.Changes samples(double value, long at, Map<String, String> tags) {
    return evaluator.onSamples("a1", List.of(Sample.of("cpu.usage", tags, value, at)), at);
  }

  private Evaluator.Changes sample(double value, long at) {
    return samples(value, at, Map.of("cpu", "total"));
  }

  private static State only(Evaluator.Changes changes) {
    assertEquals(1, changes.changed().size(), changes.toString());
    return changes.changed().get(0).state();
  }

  @Test
  void aFiringAlertsNewValuesAreHandedOutOnceForTheStoreWithoutATransition() {
    evaluator.rules(List.of(rule("HighCpu", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("op", ">").put("value", 90))), T0);
    assertEquals(State.FIRING, only(sample(95, T0)));
    assertTrue(evaluator.refreshed().isEmpty(), "the transition wrote it already");
    assertTrue(sample(97, T0 + 1_000).isEmpty(), "still firing: no transition");
    assertTrue(sample(98, T0 + 2_000).isEmpty());
    List<AlertState> moved = evaluator.refreshed();
    assertEquals(1, moved.size());
    assertEquals(98, moved.get(0).value());
    assertEquals(T0 + 2_000, moved.get(0).lastActiveAt());
    assertTrue(evaluator.refreshed().isEmpty(), "handed out once");
    assertEquals(State.RESOLVED, only(sample(10, T0 + 3_000)));
    assertTrue(evaluator.refreshed().isEmpty(), "a transition writes the whole alert");
  }

  /** The broker redelivers what a dead hub held unacknowledged, after newer samples: last is the newest, not the latest to come. */
  @Test
  void aLateSampleDoesNotStandForTheNewestValue() {
    evaluator.rules(List.of(rule("HighCpu", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("op", ">").put("value", 90))), T0);
    assertEquals(State.FIRING, only(sample(95, T0 + 1000)));
    assertEquals(State.RESOLVED, only(sample(10, T0 + 3000)));
    assertTrue(evaluator.onSamples("a1", List.of(Sample.of("cpu.usage", Map.of("cpu", "total"), 95, T0 + 2000)), T0 + 3500).isEmpty(),
        "a redelivered 95 older than the 10 changes nothing");
    assertEquals(State.FIRING, only(sample(96, T0 + 4000)), "a newer one does");
  }

  @Test
  void forZeroFiresOnTheSampleAndResolvesOnTheFirstGoodOne() {
    evaluator.hostname("a1", "web-1");
    evaluator.rules(List.of(rule("HighCpu", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("op", ">").put("value", 90)
        .put("tags", new JsonObject().put("cpu", "total")).put("severity", "critical").put("labels", new JsonObject().put("team", "ops"))
        .put("annotations", new JsonObject().put("summary", "CPU {{ $value }}% on {{ $labels.hostname }}")))), T0);
    assertTrue(sample(50, T0).isEmpty());
    assertTrue(samples(99, T0, Map.of("cpu", "0")).isEmpty(), "the rule selects cpu=total only");
    Evaluator.Changes fired = sample(95, T0 + 1000);
    assertEquals(State.FIRING, only(fired));
    AlertState alert = fired.changed().get(0);
    assertEquals(Map.of("alertname", "HighCpu", "severity", "critical", "agent", "a1", "hostname", "web-1", "cpu", "total", "team", "ops"),
        alert.labels());
    assertEquals("CPU 95% on web-1", alert.annotations().get("summary"));
    assertEquals(T0 + 1000, alert.firedAt());
    assertTrue(sample(97, T0 + 2000).isEmpty(), "still firing: no transition");
    Evaluator.Changes resolved = sample(10, T0 + 3000);
    assertEquals(State.RESOLVED, only(resolved));
    assertEquals(T0 + 3000, resolved.changed().get(0).resolvedAt());
    assertEquals(alert.fingerprint(), resolved.changed().get(0).fingerprint());
    Evaluator.Changes forgotten = evaluator.tick(T0 + 3000 + Evaluator.Limits.DEFAULTS.resolvedRetentionMs());
    assertEquals(List.of(alert.fingerprint()), forgotten.removed());
  }

  @Test
  void forKeepsItPendingUntilTheTickAfterItsDuration() {
    evaluator.rules(List.of(rule("HighCpu", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("op", ">=").put("value", 90)
        .put("for", "2m"))), T0);
    assertEquals(State.PENDING, only(sample(90, T0)));
    assertTrue(evaluator.tick(T0 + 119_999).isEmpty());
    assertEquals(State.FIRING, only(evaluator.tick(T0 + 120_000)));
  }

  @Test
  void aPendingAlertThatRecoversIsForgottenWithoutATransitionToTell() {
    evaluator.rules(List.of(rule("HighCpu", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("op", ">").put("value", 90)
        .put("for", "1m"))), T0);
    String fingerprint = sample(95, T0).changed().get(0).fingerprint();
    Evaluator.Changes recovered = sample(80, T0 + 10_000);
    assertEquals(List.of(fingerprint), recovered.removed());
    assertTrue(recovered.changed().isEmpty());
    assertTrue(evaluator.alerts().isEmpty());
  }

  @Test
  void keepFiringForHoldsAResolveBack() {
    evaluator.rules(List.of(rule("HighCpu", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("op", ">").put("value", 90)
        .put("keepFiringFor", "30s"))), T0);
    assertEquals(State.FIRING, only(sample(95, T0)));
    assertTrue(sample(50, T0 + 1_000).isEmpty());
    assertTrue(evaluator.tick(T0 + 29_999).isEmpty());
    assertEquals(State.RESOLVED, only(evaluator.tick(T0 + 30_000)));
  }

  @Test
  void windowsAggregateAndAgeOut() {
    evaluator.rules(List.of(rule("AvgCpu", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("agg", "avg")
        .put("window", "1m").put("op", ">").put("value", 50))), T0);
    assertTrue(sample(40, T0).isEmpty());
    assertEquals(State.FIRING, only(sample(70, T0 + 10_000)), "avg(40, 70) = 55");
    assertEquals(State.RESOLVED, only(sample(40, T0 + 20_000)), "avg(40, 70, 40) = 50 is not > 50");
    assertEquals(State.FIRING, only(sample(100, T0 + 30_000)), "avg 62.5");
    // the 40 and 70 leave the window at T0+60s and T0+70s: avg(40, 100) = 70 still fires; then only 100
    assertTrue(evaluator.tick(T0 + 70_001).isEmpty());
    // everything aged out: no data, the condition is false
    assertEquals(State.RESOLVED, only(evaluator.tick(T0 + 90_001)));
  }

  @Test
  void aggregatesComputeAsDocumented() {
    long[] ts = {0, 1000, 2000, 3000};
    double[] v = {10, 20, 5, 45};
    assertEquals(45, Agg.LAST.apply(ts, v, 0, 4));
    assertEquals(20, Agg.AVG.apply(ts, v, 0, 4));
    assertEquals(5, Agg.MIN.apply(ts, v, 0, 4));
    assertEquals(45, Agg.MAX.apply(ts, v, 0, 4));
    assertEquals(80, Agg.SUM.apply(ts, v, 0, 4));
    assertEquals(4, Agg.COUNT.apply(ts, v, 0, 4));
    assertEquals((10 + 5 + 40) / 3.0, Agg.RATE.apply(ts, v, 0, 4), 1e-9, "a drop is a counter reset");
    assertEquals(10, Agg.P50.apply(ts, v, 0, 4));
    assertEquals(45, Agg.P99.apply(ts, v, 0, 4));
  }

  @Test
  void checkRulesCountOccurrencesInTheStoredHistory() {
    evaluator.rules(List.of(rule("DiskRoot", new JsonObject().put("kind", "check").put("check", "disk_root").put("minStatus", 2)
        .put("occurrences", 3))), T0);
    assertTrue(evaluator.onCheck("a1", "disk_root", List.of(0, 2, 2), "DISK CRITICAL", T0).isEmpty());
    Evaluator.Changes fired = evaluator.onCheck("a1", "disk_root", List.of(0, 2, 2, 3), "DISK UNKNOWN", T0 + 1);
    assertEquals(State.FIRING, only(fired));
    assertEquals("disk_root", fired.changed().get(0).labels().get("check"));
    assertEquals("DISK UNKNOWN", fired.changed().get(0).annotations().get("output"));
    assertEquals(State.RESOLVED, only(evaluator.onCheck("a1", "disk_root", List.of(0, 2, 2, 3, 1), "DISK WARNING", T0 + 2)));
    assertTrue(evaluator.onCheck("a1", "other", List.of(2, 2, 2), "", T0 + 3).isEmpty());
  }

  @Test
  void agentRulesFollowTheStatus() {
    evaluator.rules(List.of(rule("AgentDown", new JsonObject().put("kind", "agent").put("severity", "critical"))), T0);
    assertTrue(evaluator.onAgentStatus("a1", AgentStatus.STALE, T0).isEmpty());
    assertEquals(State.FIRING, only(evaluator.onAgentStatus("a1", AgentStatus.DOWN, T0 + 1)));
    assertEquals(State.RESOLVED, only(evaluator.onAgentStatus("a1", AgentStatus.UP, T0 + 2)));
    assertEquals(State.FIRING, only(evaluator.onAgentStatus("a1", AgentStatus.DOWN, T0 + 3)), "the same fingerprint fires again");
  }

  @Test
  void absentRulesFireWhenTheMetricStopsAndResolveWhenItComesBack() {
    evaluator.rules(List.of(rule("NoRequests", new JsonObject().put("kind", "absent").put("metric", "app.requests").put("for", "5m"))), T0);
    assertTrue(evaluator.onSamples("a1", List.of(Sample.of("app.requests", 1, T0)), T0).isEmpty());
    assertTrue(evaluator.tick(T0 + 299_999).isEmpty());
    assertEquals(State.FIRING, only(evaluator.tick(T0 + 300_000)));
    assertEquals(State.RESOLVED, only(evaluator.onSamples("a1", List.of(Sample.of("app.requests", 2, T0 + 400_000)), T0 + 400_000)));
  }

  @Test
  void aRemovedRuleResolvesItsFiringAlerts() {
    evaluator.rules(List.of(rule("HighCpu", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("op", ">").put("value", 90))), T0);
    sample(95, T0);
    assertEquals(State.RESOLVED, only(evaluator.rules(List.of(), T0 + 1)));
    assertTrue(sample(99, T0 + 2).isEmpty(), "no rule names the metric any more");
  }

  @Test
  void restoredAlertsContinueWhereTheyWere() {
    Rule cpu = rule("HighCpu", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("op", ">").put("value", 90));
    evaluator.rules(List.of(cpu), T0);
    AlertState fired = sample(95, T0).changed().get(0);
    Evaluator next = new Evaluator(Evaluator.Limits.DEFAULTS);
    next.restore(List.of(fired), T0 + 5_000);
    next.rules(List.of(cpu), T0 + 5_000);
    assertTrue(next.onSamples("a1", List.of(Sample.of("cpu.usage", Map.of("cpu", "total"), 96, T0 + 6_000)), T0 + 6_000).isEmpty(),
        "still firing: nothing to tell again");
    Evaluator.Changes resolved = next.onSamples("a1", List.of(Sample.of("cpu.usage", Map.of("cpu", "total"), 5, T0 + 7_000)), T0 + 7_000);
    assertEquals(State.RESOLVED, only(resolved));
    assertEquals(fired.firedAt(), resolved.changed().get(0).firedAt());
  }

  @Test
  void boundsAreCountedNotExceeded() {
    Evaluator small = new Evaluator(new Evaluator.Limits(2, 3, 10, 300_000, 900_000));
    small.rules(List.of(rule("Any", new JsonObject().put("kind", "threshold").put("metric", "m").put("op", ">").put("value", 0))), T0);
    for (int i = 0; i < 5; i++) {
      small.onSamples("a1", List.of(Sample.of("m", Map.of("i", "" + i), 1, T0)), T0);
    }
    assertEquals(2, small.alerts().size());
    assertEquals(2, small.seriesRefused.sum());
    assertEquals(1, small.alertsRefused.sum());
  }
}
