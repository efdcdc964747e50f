package io.mirador.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.hub.checks.CheckHistory;
import io.mirador.hub.checks.CheckStore;
import io.mirador.hub.checks.DefinitionChange;
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

/** What every {@link io.mirador.hub.checks.CheckStore} promises. */
public abstract class CheckStoreContractTest extends StoreContractSupport {

  @Test
  void checkDefinitionsAreCreatedReplacedAndRemovedWithARevision() {
    assertEquals(0L, await(checks.checkDefinitionsRevision()));
    assertEquals(List.of(), await(checks.checkDefinitions()));

    assertEquals(new DefinitionChange(false, 1), await(checks.putCheckDefinition(definition("load", "check_load", 60))));
    assertEquals(new DefinitionChange(false, 2), await(checks.putCheckDefinition(definition("disk", "check_disk", 30))));
    CheckDefinition changed = definition("load", "check_load -w 5", 10);
    assertEquals(new DefinitionChange(true, 3), await(checks.putCheckDefinition(changed)));

    assertEquals(List.of("disk", "load"), await(checks.checkDefinitions()).stream().map(CheckDefinition::name).toList());
    assertEquals(Optional.of(changed), await(checks.checkDefinition("load")));
    assertEquals(Optional.empty(), await(checks.checkDefinition("nope")));
    assertEquals(3L, await(checks.checkDefinitionsRevision()));

    assertEquals(new DefinitionChange(true, 4), await(checks.removeCheckDefinition("disk")));
    assertEquals(new DefinitionChange(false, 4), await(checks.removeCheckDefinition("disk")));
    assertEquals(List.of(changed), await(checks.checkDefinitions()));
    assertEquals(4L, await(checks.checkDefinitionsRevision()));
  }

  @Test
  void latestCheckResultIsTheNewestByExecutionTime() {
    CheckResult ok = new CheckResult("disk_root", 0, "DISK OK", List.of(Sample.of("disk.free", Map.of(), 12.5, base)), 12, base + 2_000);
    CheckResult older = new CheckResult("disk_root", 2, "DISK CRITICAL", List.of(), 3, base + 1_000);
    write(AGENT, 1, new WriteBatch(base).checkResult(ok));
    write(AGENT, 2, new WriteBatch(base).checkResult(older));
    assertEquals(Map.of("disk_root", ok), await(checks.latestCheckResults(AGENT)));
    assertEquals(Map.of(), await(checks.latestCheckResults("ghost")));
  }

  @Test
  void checkHistoryKeepsTheLast21StatusesOldestFirst() {
    write(AGENT, 1, new WriteBatch(base).agentInfo(info(AGENT, "web-1", false)));
    List<Integer> expected = new ArrayList<>();
    List<Integer> last = List.of();
    for (int i = 0; i < 25; i++) {
      int status = i % 4;
      expected.add(status);
      last = await(checks.appendCheckStatus(AGENT, "load", status));
    }
    List<Integer> newest21 = expected.subList(4, 25);
    assertEquals(newest21, last);
    await(checks.appendCheckStatus(AGENT, "disk", 2));
    await(checks.setCheckFlapping(AGENT, "load", true));

    Map<String, CheckHistory> histories = await(checks.checkHistories(AGENT));
    assertEquals(new CheckHistory(newest21, true), histories.get("load"));
    assertEquals(new CheckHistory(List.of(2), false), histories.get("disk"));

    await(checks.setCheckFlapping(AGENT, "load", false));
    assertFalse(await(checks.checkHistories(AGENT)).get("load").flapping());
  }

  @Test
  void removingAnAgentForgetsItsCheckResultsAndHistory() {
    write(AGENT, 1, new WriteBatch(base).checkResult(new CheckResult("load", 1, "LOAD WARNING", List.of(), 3, base)));
    await(checks.appendCheckStatus(AGENT, "load", 1));
    await(checks.setCheckFlapping(AGENT, "load", true));
    assertTrue(await(registry.removeAgent(AGENT)));
    assertEquals(Map.of(), await(checks.latestCheckResults(AGENT)));
    assertEquals(Map.of(), await(checks.checkHistories(AGENT)));
  }

  private static CheckDefinition definition(String name, String command, int interval) {
    return CheckDefinition.parse(name, new JsonObject().put("command", command).put("interval", interval)
        .put("subscriptions", new JsonArray().add("web")).put("env", new JsonObject().put("A", "1")));
  }}
