package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.metrics.Meters;
import io.mirador.model.AgentInfo;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's scheduler on real processes: three checks of 0.7 s every second with {@code maxConcurrent: 2} never
 * run more than two at once, and no check ever overlaps itself; a check of 2.5 s every second with a 5 s timeout
 * runs to its end, and the runs due meanwhile are skipped and counted up to the hub. Each run logs its start and end
 * in a file.
 */
class CheckSchedulingTest {

  @TempDir
  static Path dataDir;

  @TempDir
  static Path work;

  @Test
  void atMostMaxConcurrentRunAndNoCheckOverlapsItself() throws Exception {
    Path log = work.resolve("runs.log");
    JsonObject local = new JsonObject();
    for (String name : List.of("slow_a", "slow_b", "slow_c")) {
      local.put(name, new JsonObject().put("interval", 1).put("env", new JsonObject().put("LOG", log.toString()).put("NAME", name))
          .put("command", "echo \"$NAME start $(date +%s%N)\" >> \"$LOG\"; sleep 0.7; echo \"$NAME end $(date +%s%N)\" >> \"$LOG\"; echo OK"));
    }
    JsonObject config = TestConfig.standalone(dataDir);
    config.getJsonObject("agent").put("checks", new JsonObject().put("maxConcurrent", 2).put("local", local));
    Mirador mirador = Await.result(Mirador.start(Mirador.Mode.STANDALONE, config));
    try {
      Await.untilTrue(mirador.vertx(), "every check to finish three runs", Duration.ofSeconds(40), () -> {
        if (!Files.exists(log)) {
          return false;
        }
        List<String> lines = Files.readAllLines(log);
        return List.of("slow_a", "slow_b", "slow_c").stream()
            .allMatch(name -> lines.stream().filter(line -> line.startsWith(name + " end ")).count() >= 3);
      });
    } finally {
      Await.result(mirador.close());
    }

    List<String[]> events = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      events.add(line.split(" "));
    }
    events.sort((x, y) -> Long.compare(Long.parseLong(x[2]), Long.parseLong(y[2])));
    Set<String> running = new HashSet<>();
    Map<String, Integer> runs = new HashMap<>();
    int most = 0;
    for (String[] event : events) {
      if (event[1].equals("start")) {
        assertTrue(running.add(event[0]), event[0] + " started while it was running: " + String.join(" ", event));
        runs.merge(event[0], 1, Integer::sum);
        most = Math.max(most, running.size());
      } else {
        running.remove(event[0]);
      }
    }
    assertTrue(most <= 2, "at most maxConcurrent (2) at once, saw " + most);
    assertTrue(runs.values().stream().allMatch(n -> n >= 3), "every check ran: " + runs);
  }

  @Test
  void aTimeoutLongerThanTheIntervalSkipsTheRunsDueMeanwhile(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("slow.log");
    JsonObject config = TestConfig.standalone(dir.resolve("agent"));
    config.getJsonObject("agent").put("checks", new JsonObject().put("local", new JsonObject().put("slow", new JsonObject()
        .put("interval", 1).put("timeout", 5).put("env", new JsonObject().put("LOG", log.toString()))
        .put("command", "echo \"start $(date +%s%N)\" >> \"$LOG\"; sleep 2.5; echo \"end $(date +%s%N)\" >> \"$LOG\"; echo OK"))));
    long skippedOnHub;
    double skippedHere;
    try (RunningMirador app = RunningMirador.start(Mirador.Mode.STANDALONE, config)) {
      String agent = app.mirador.agentId();
      // a run of 2.5 s spans two points of the 1 s grid, each skipped and counted: about two skips a run (four after
      // three runs leaves room for a late timer)
      skippedOnHub = Await.until(app.clientVertx, "three whole runs of slow, and the runs skipped meanwhile counted on the hub",
          Duration.ofSeconds(60), () -> app.clientVertx.executeBlocking(() -> ends(log))
              .compose(ends -> app.http.get("/api/v1/agents/" + agent).send().map(response -> {
                long skipped = response.bodyAsJsonObject().getJsonObject("counters", new JsonObject())
                    .getLong(AgentInfo.CHECKS_SKIPPED_OVERLAP, 0L);
                return Optional.ofNullable(ends >= 3 && skipped >= 4 ? skipped : null);
              })));
      skippedHere = Meters.of(app.mirador.vertx()).value("mirador_check_skipped_total", Map.of("agent", agent, "check", "slow"));
    }

    assertTrue(skippedHere >= skippedOnHub, "the agent's own counter (" + skippedHere + ") is at least what its heartbeat told the hub ("
        + skippedOnHub + ")");
    List<String> lines = Files.readAllLines(log);
    long lastEnd = 0;
    int runs = 0;
    for (int i = 0; i + 1 < lines.size(); i += 2) {
      String[] start = lines.get(i).split(" ");
      String[] end = lines.get(i + 1).split(" ");
      assertEquals("start", start[0], "line " + (i + 1) + " of " + lines);
      assertEquals("end", end[0], "a run ends before the next one starts: line " + (i + 2) + " of " + lines);
      long startedNs = Long.parseLong(start[1]);
      long endedNs = Long.parseLong(end[1]);
      assertTrue(startedNs > lastEnd, "run " + (runs + 1) + " started after the previous one ended: " + lines);
      assertTrue(endedNs - startedNs >= 2_500_000_000L, "run " + (runs + 1) + " ran its 2.5 s, not cut at the 1 s interval: " + lines);
      lastEnd = endedNs;
      runs++;
    }
    assertTrue(runs >= 3, "three whole runs: " + lines);
  }

  private static long ends(Path log) throws java.io.IOException {
    return Files.exists(log) ? Files.readAllLines(log).stream().filter(line -> line.startsWith("end ")).count() : 0;
  }
}
