package io.mirador.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.alert.AlertState;
import io.mirador.hub.alert.AlertStore;
import io.mirador.hub.alert.LogEntry;
import io.mirador.hub.alert.NotificationRecord;
import io.mirador.hub.alert.Rule;
import io.mirador.hub.alert.Silence;
import io.mirador.hub.alert.notify.NotifierConfig;
import io.mirador.hub.alert.notify.Notifiers;
import io.mirador.hub.cluster.Fence;
import io.mirador.hub.cluster.Lease;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link AlertStore} promises: configuration kept as given, state and log written only under a fence that holds. */
public abstract class AlertStoreContractTest extends StoreContractSupport {

  private AlertStore alerts;
  private Fence fence;

  @BeforeEach
  void holdTheLease() {
    alerts = stores.alerts();
    Lease lease = await(stores.leases().acquire("alert-test", "owner-a", 60_000)).orElseThrow();
    fence = lease.fence();
  }

  @Test
  void rulesAreCreatedReplacedListedAndRemoved() {
    Rule cpu = Rule.parse("HighCpu", new JsonObject().put("kind", "threshold").put("metric", "cpu.usage").put("op", ">").put("value", 90)
        .put("tags", new JsonObject().put("cpu", "total")).put("agg", "avg").put("window", "1m").put("labels", new JsonObject().put("team", "ops")));
    Rule down = Rule.parse("AgentDown", new JsonObject().put("kind", "agent"));
    assertFalse(await(alerts.putRule(cpu)));
    assertFalse(await(alerts.putRule(down)));
    assertTrue(await(alerts.putRule(cpu)));
    assertEquals(List.of(down, cpu), await(alerts.rules()));
    assertEquals(Optional.of(cpu), await(alerts.rule("HighCpu")));
    assertTrue(await(alerts.removeRule("HighCpu")));
    assertFalse(await(alerts.removeRule("HighCpu")));
    assertEquals(List.of(down), await(alerts.rules()));
  }

  @Test
  void notifiersKeepTheirSecretsInTheStore() {
    NotifierConfig hook = NotifierConfig.parse("ops", new JsonObject().put("type", "webhook").put("url", "http://127.0.0.1:9/hook")
        .put("headers", new JsonObject().put("Authorization", "Bearer s3cret")), Notifiers.load(), null);
    assertFalse(await(alerts.putNotifier(hook)));
    NotifierConfig back = await(alerts.notifier("ops")).orElseThrow();
    assertEquals(hook.toStored(), back.toStored());
    assertEquals(List.of("ops"), await(alerts.notifiers()).stream().map(NotifierConfig::name).toList());
    assertTrue(await(alerts.removeNotifier("ops")));
    assertEquals(Optional.empty(), await(alerts.notifier("ops")));
  }

  @Test
  void silencesAreKeptExpiredAndRemoved() {
    long now = System.currentTimeMillis() / 1000 * 1000;
    Silence silence = Silence.parse("s1", new JsonObject().put("matchers", new JsonArray().add(new JsonObject().put("name", "alertname")
        .put("value", "HighCpu"))).put("endsAt", java.time.Instant.ofEpochMilli(now + 3_600_000).toString()).put("createdBy", "ann"), now);
    await(alerts.putSilence(silence));
    assertEquals(List.of(silence), await(alerts.silences()));
    Silence expired = silence.expired(now + 1000);
    await(alerts.putSilence(expired));
    assertEquals(List.of(expired), await(alerts.silences()));
    await(alerts.removeSilences(List.of("s1")));
    assertEquals(List.of(), await(alerts.silences()));
  }

  @Test
  void alertStatesAndTheLogAreWrittenOnlyUnderAFenceThatHolds() {
    AlertState firing = new AlertState("00000000000000aa", "HighCpu", Map.of("alertname", "HighCpu", "agent", "a1"), Map.of("summary", "hot"),
        AlertState.State.FIRING, 95.5, 1_000, 2_000, 0, 2_000, true);
    assertTrue(await(alerts.saveAlerts(List.of(firing), List.of(), fence)));
    assertEquals(List.of(firing), await(alerts.alerts()));

    LogEntry entry = new LogEntry("ops", "{}:{alertname=\"HighCpu\"}", Set.of("00000000000000aa"), Set.of(), 3_000, 0);
    NotificationRecord sent = new NotificationRecord("ops", "firing", "sent", 3_000, 1, null);
    assertTrue(await(alerts.log(entry, Map.of("00000000000000aa", sent), fence)));
    assertEquals(Optional.of(entry), await(alerts.logEntry("ops", entry.groupKey())));
    assertEquals(Map.of("00000000000000aa", List.of(sent)), await(alerts.notifications()));

    // another owner takes the lease: the old token writes nothing any more
    await(stores.leases().release("alert-test", "owner-a", fence.token()));
    Fence newer = await(stores.leases().acquire("alert-test", "owner-b", 60_000)).orElseThrow().fence();
    AlertState resolved = firing.with(AlertState.State.RESOLVED, 10, 1_000, 2_000, 5_000, 2_000, false);
    assertFalse(await(alerts.saveAlerts(List.of(resolved), List.of(), fence)));
    assertFalse(await(alerts.log(entry, Map.of("00000000000000aa", sent), fence)));
    assertEquals(List.of(firing), await(alerts.alerts()));
    assertEquals(1, await(alerts.notifications()).get("00000000000000aa").size());

    assertTrue(await(alerts.saveAlerts(List.of(resolved), List.of(), newer)));
    assertEquals(List.of(resolved), await(alerts.alerts()));
    assertTrue(await(alerts.saveAlerts(List.of(), List.of("00000000000000aa"), newer)));
    assertEquals(List.of(), await(alerts.alerts()));
    assertEquals(Map.of(), await(alerts.notifications()), "a forgotten alert takes its records along");
  }

  @Test
  void notificationRecordsAreKeptToTheLastTwenty() {
    LogEntry entry = new LogEntry("ops", "g", Set.of("f1"), Set.of(), 1, 0);
    for (int i = 1; i <= AlertStore.MAX_RECORDS_PER_ALERT + 5; i++) {
      assertTrue(await(alerts.log(entry, Map.of("f1", new NotificationRecord("ops", "firing", "failed", i, i, "refused " + i)), fence)));
    }
    List<NotificationRecord> kept = await(alerts.notifications()).get("f1");
    assertEquals(AlertStore.MAX_RECORDS_PER_ALERT, kept.size());
    assertEquals(6, kept.get(0).at());
    assertEquals(AlertStore.MAX_RECORDS_PER_ALERT + 5, kept.get(kept.size() - 1).at());
  }
}
