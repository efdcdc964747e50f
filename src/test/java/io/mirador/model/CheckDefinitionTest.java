package io.mirador.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class CheckDefinitionTest {

  @Test
  void defaultsAreFilledIn() {
    CheckDefinition check = CheckDefinition.parse("disk_root", new JsonObject().put("command", "check_disk -p /").put("interval", 60));
    assertEquals("check_disk -p /", check.command());
    assertNull(check.argv());
    assertEquals(60_000, check.timeoutMs(), "timeout defaults to the interval");
    assertEquals("nagios", check.format());
    assertEquals(List.of("all"), check.subscriptions());
    assertEquals(Map.of(), check.env());
    assertNull(check.workdir());
    assertEquals(CheckDefinition.DEFAULT_MAX_OUTPUT_BYTES, check.maxOutputBytes());
    assertEquals(List.of(), check.allow());
    assertTrue(check.enabled());
  }

  @Test
  void everyFieldRoundTripsThroughJson() {
    JsonObject json = new JsonObject().put("argv", new JsonArray().add("/bin/echo").add("x")).put("interval", 10).put("timeout", 2.5)
        .put("format", "Graphite").put("subscriptions", new JsonArray().add("web").add("db")).put("env", new JsonObject().put("A", "1"))
        .put("workdir", "/tmp").put("maxOutputBytes", 4096).put("allow", new JsonArray().add("cpu\\..*")).put("deny", new JsonArray().add(".*idle"))
        .put("enabled", false);
    CheckDefinition check = CheckDefinition.parse("echo", json);
    assertEquals(2_500, check.timeoutMs());
    assertEquals("graphite", check.format());
    assertEquals(2.5, check.toJson().getValue("timeout"));
    assertEquals(check, CheckDefinition.fromJson(check.toJson()));
    assertEquals("10", String.valueOf(CheckDefinition.parse("t", new JsonObject().put("command", "x").put("interval", 10)).toJson().getValue("timeout")));
  }

  @Test
  void timeoutMayExceedTheInterval() {
    // Sensu and Nagios accept it; the agent skips (and counts) a run due while the last one is still going
    CheckDefinition check = CheckDefinition.parse("slow", new JsonObject().put("command", "x").put("interval", 1).put("timeout", 5));
    assertEquals(1, check.interval());
    assertEquals(5_000, check.timeoutMs());
    assertEquals(check, CheckDefinition.fromJson(check.toJson()));
    assertEquals(86_400_000, CheckDefinition.parse("day", new JsonObject().put("command", "x").put("interval", 60)
        .put("timeout", CheckDefinition.MAX_TIMEOUT)).timeoutMs());
  }

  @Test
  void subscriptionsTargetAgents() {
    CheckDefinition web = CheckDefinition.parse("w", new JsonObject().put("command", "x").put("interval", 1).put("subscriptions", new JsonArray().add("web")));
    assertTrue(web.targets(List.of("all", "web")));
    assertFalse(web.targets(List.of("db")));
    assertFalse(web.targets(List.of()), "an agent that declares nothing is [all]");
    CheckDefinition all = CheckDefinition.parse("a", new JsonObject().put("command", "x").put("interval", 1));
    assertTrue(all.targets(List.of()));
    assertTrue(all.targets(null));
  }

  static Stream<Arguments> bad() {
    return Stream.of(
        Arguments.of("ok", new JsonObject().put("interval", 10), "command"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("argv", new JsonArray().add("y")).put("interval", 10), "not both"),
        Arguments.of("ok", new JsonObject().put("command", " ").put("interval", 10), "command"),
        Arguments.of("ok", new JsonObject().put("argv", new JsonArray()).put("interval", 10), "argv"),
        Arguments.of("ok", new JsonObject().put("argv", new JsonArray().add(1)).put("interval", 10), "argv"),
        Arguments.of("ok", new JsonObject().put("command", "x"), "interval"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", -1), "interval"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 0), "interval"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 1.5), "interval"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", "10"), "interval"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("timeout", 0), "timeout"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("timeout", -1), "timeout"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("timeout", Double.NaN), "timeout"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("timeout", 86_400.5), "at most 86400 s"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("timeout", "5"), "timeout"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("format", "xml"), "unknown format"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("subscriptions", new JsonArray()), "subscriptions"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("subscriptions", new JsonArray().add("a b")), "subscription"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("env", new JsonObject().put("A=B", "1")), "environment"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("env", new JsonObject().put("A", 1)), "env.A"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("workdir", "relative"), "workdir"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("maxOutputBytes", 0), "maxOutputBytes"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("allow", new JsonArray().add("(")), "regular expression"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("deny", new JsonArray().add("*x")), "regular expression"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("enabled", "yes"), "enabled"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("colour", "red"), "unknown field"),
        Arguments.of("ok", new JsonObject().put("command", "x").put("interval", 10).put("name", "other"), "differs"),
        Arguments.of("-dash", new JsonObject().put("command", "x").put("interval", 10), "check name"),
        Arguments.of("a".repeat(129), new JsonObject().put("command", "x").put("interval", 10), "check name"),
        Arguments.of("sp ace", new JsonObject().put("command", "x").put("interval", 10), "check name"));
  }

  @ParameterizedTest
  @MethodSource("bad")
  void badDefinitionsSayWhatIsWrong(String name, JsonObject json, String mentioned) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckDefinition.parse(name, json));
    assertTrue(e.getMessage().contains(mentioned), e.getMessage() + " should mention " + mentioned);
  }
}
