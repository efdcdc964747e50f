package io.mirador.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.agent.exec.CommandResult;
import io.mirador.model.CheckDefinition;
import io.mirador.model.CheckResult;
import io.mirador.model.Sample;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** How one run of a check becomes its result: status, output, perfdata through allow/deny. */
class AgentCheckResultTest {

  private static final long NOW = 1_763_712_000_000L;

  private static CheckDefinition check(JsonObject extra) {
    return CheckDefinition.parse("c", new JsonObject().put("command", "x").put("interval", 10).mergeIn(extra));
  }

  private static CommandResult exited(int code, String output) {
    return new CommandResult(code, output, false, output.length(), false, Duration.ofMillis(12), null);
  }

  @Test
  void nagiosOutputGivesStatusTextAndPerfdata() {
    CheckResult result = AgentCheckVerticle.result(check(new JsonObject()),
        exited(1, "LOAD WARNING - load average: 5.1, 4.0, 3.0|load1=5.1;5;10;0; load5=4.0;4;8;0;\n"), NOW, List.of(), List.of());
    assertEquals(1, result.status());
    assertEquals("LOAD WARNING - load average: 5.1, 4.0, 3.0", result.output());
    assertTrue(names(result).stream().anyMatch(name -> name.contains("load1")), names(result).toString());
    assertTrue(names(result).stream().anyMatch(name -> name.contains("load5")), names(result).toString());
    assertEquals(12, result.durationMs());
    assertEquals(NOW, result.executed());
  }

  @Test
  void allowAndDenyFilterPerfdataByWholeName() {
    String output = "OK|a=1 b=2 c=3\n";
    List<String> all = names(AgentCheckVerticle.result(check(new JsonObject()), exited(0, output), NOW, List.of(), List.of()));
    assertEquals(3, all.size());
    String a = all.get(0);
    List<String> allowed = names(AgentCheckVerticle.result(check(new JsonObject().put("allow", new JsonArray().add(Pattern.quote(a)))),
        exited(0, output), NOW, List.of(), List.of()));
    assertEquals(List.of(a), allowed);
    List<String> denied = names(AgentCheckVerticle.result(check(new JsonObject()), exited(0, output), NOW, List.of(),
        List.of(Pattern.compile(Pattern.quote(a)))));
    assertEquals(all.subList(1, 3), denied);
    assertTrue(AgentCheckVerticle.passes("cpu.usage", List.of(), List.of()));
    assertFalse(AgentCheckVerticle.passes("cpu.usage", List.of(Pattern.compile("cpu")), List.of()), "whole-name match");
  }

  @Test
  void timeoutAndNotStartedAreUnknown() {
    CommandResult timedOut = new CommandResult(null, "partial", false, 7, true, Duration.ofMillis(2500), null);
    CheckResult result = AgentCheckVerticle.result(check(new JsonObject().put("timeout", 2.5)), timedOut, NOW, List.of(), List.of());
    assertEquals(3, result.status());
    assertEquals("timed out after 2.5 s", result.output());
    CheckResult missing = AgentCheckVerticle.result(check(new JsonObject()), CommandResult.notStarted("command not found: nope", Duration.ZERO),
        NOW, List.of(), List.of());
    assertEquals(3, missing.status());
    assertEquals("could not run: command not found: nope", missing.output());
  }

  @Test
  void metricFormatsTakeTheExitCodeAndTellParseErrorsInTheOutputTail() {
    CheckResult result = AgentCheckVerticle.result(check(new JsonObject().put("format", "graphite")),
        exited(0, "app.requests 12 1763712000\nthis is not graphite\napp.errors 1 1763712000\n"), NOW, List.of(), List.of());
    assertEquals(0, result.status());
    assertEquals(2, result.perfdata().size());
    assertTrue(result.output().startsWith("2 metrics\n[parse] line 2: "), result.output());
    CheckResult failed = AgentCheckVerticle.result(check(new JsonObject().put("format", "graphite")), exited(7, ""), NOW, List.of(), List.of());
    assertEquals(3, failed.status());
    assertEquals("0 metrics, exit code 7", failed.output());
  }

  @Test
  void cutOutputIsSaid() {
    CommandResult cut = new CommandResult(0, "OK fine\n", true, 50_000_000, false, Duration.ofMillis(5), null);
    CheckResult result = AgentCheckVerticle.result(check(new JsonObject().put("maxOutputBytes", 8)), cut, NOW, List.of(), List.of());
    assertEquals("OK fine\n[output cut at 8 of 50000000 bytes]", result.output());
  }

  @Test
  void splayIsDeterministicAndWithinTheInterval() {
    long first = AgentCheckVerticle.splayMs("disk_root", 60_000);
    assertEquals(first, AgentCheckVerticle.splayMs("disk_root", 60_000));
    for (String name : List.of("a", "load", "disk_root", "x".repeat(128))) {
      long splay = AgentCheckVerticle.splayMs(name, 10_000);
      assertTrue(splay >= 0 && splay < 10_000, name + " → " + splay);
    }
    assertTrue(AgentCheckVerticle.splayMs("load", 60_000) != AgentCheckVerticle.splayMs("disk_root", 60_000));
  }

  private static List<String> names(CheckResult result) {
    return result.perfdata().stream().map(Sample::name).toList();
  }
}
