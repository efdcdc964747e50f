package io.mirador.hub.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class RuleTest {

  private static String refused(String name, String json) {
    return assertThrows(IllegalArgumentException.class, () -> Rule.parse(name, new JsonObject(json))).getMessage();
  }

  @Test
  void theIssuesExamplesParseAndComeBackWithDefaults() {
    Rule cpu = Rule.parse("HighCpu", new JsonObject("""
        {"kind":"threshold","metric":"cpu.usage","tags":{"cpu":"total"},"agg":"avg","window":"1m",
         "op":">","value":90,"for":"2m","keepFiringFor":"0s","severity":"critical",
         "labels":{"team":"ops"},"annotations":{"summary":"CPU {{ $value }}% on {{ $labels.hostname }}"}}"""));
    assertEquals(60_000, cpu.windowMs());
    assertEquals(120_000, cpu.forMs());
    assertEquals(cpu, Rule.fromJson(cpu.toJson()));
    Rule disk = Rule.parse("DiskRoot", new JsonObject("{\"kind\":\"check\",\"check\":\"disk_root\",\"minStatus\":2,\"occurrences\":3,\"severity\":\"warning\"}"));
    assertEquals(3, disk.occurrences());
    Rule down = Rule.parse("AgentDown", new JsonObject("{\"kind\":\"agent\",\"status\":\"down\",\"for\":\"0s\",\"severity\":\"critical\"}"));
    assertEquals("down", down.toJson().getString("status"));
    Rule absent = Rule.parse("NoRequests", new JsonObject("{\"kind\":\"absent\",\"metric\":\"app.requests\",\"tags\":{},\"for\":\"5m\",\"severity\":\"warning\"}"));
    assertEquals(300_000, absent.forMs());
    assertEquals("last", Rule.parse("x", new JsonObject("{\"kind\":\"threshold\",\"metric\":\"m\",\"op\":\"<\",\"value\":1}")).toJson().getString("agg"));
  }

  @Test
  void everyMistakeIsNamed() {
    assertTrue(refused("x", "{}").startsWith("kind is required"));
    assertTrue(refused("x", "{\"kind\":\"magic\"}").contains("kind must be"));
    assertTrue(refused("bad name!", "{\"kind\":\"agent\"}").contains("rule name"));
    assertTrue(refused("x", "{\"kind\":\"agent\",\"metric\":\"m\"}").contains("unknown field 'metric'"));
    assertTrue(refused("x", "{\"kind\":\"threshold\",\"metric\":\"CPU\",\"op\":\">\",\"value\":1}").contains("metric is required"));
    assertTrue(refused("x", "{\"kind\":\"threshold\",\"metric\":\"m\",\"op\":\"=>\",\"value\":1}").contains("op must be"));
    assertTrue(refused("x", "{\"kind\":\"threshold\",\"metric\":\"m\",\"op\":\">\"}").contains("value is required"));
    assertTrue(refused("x", "{\"kind\":\"threshold\",\"metric\":\"m\",\"op\":\">\",\"value\":1,\"agg\":\"avg\"}").contains("needs a window"));
    assertTrue(refused("x", "{\"kind\":\"threshold\",\"metric\":\"m\",\"op\":\">\",\"value\":1,\"agg\":\"median\"}").contains("agg must be"));
    assertTrue(refused("x", "{\"kind\":\"threshold\",\"metric\":\"m\",\"op\":\">\",\"value\":1,\"for\":\"2 minutes\"}").contains("for must be a duration"));
    assertTrue(refused("x", "{\"kind\":\"check\"}").contains("check is required"));
    assertTrue(refused("x", "{\"kind\":\"check\",\"check\":\"c\",\"minStatus\":4}").contains("minStatus"));
    assertTrue(refused("x", "{\"kind\":\"agent\",\"status\":\"gone\"}").contains("status must be"));
    assertTrue(refused("x", "{\"kind\":\"absent\",\"metric\":\"m\",\"for\":\"0s\"}").contains("more than 0s"));
    assertTrue(refused("x", "{\"kind\":\"agent\",\"labels\":{\"agent\":\"x\"}}").contains("must not set 'agent'"));
    assertTrue(refused("x", "{\"kind\":\"agent\",\"labels\":{\"a-b\":\"x\"}}").contains("not a label name"));
  }
}
