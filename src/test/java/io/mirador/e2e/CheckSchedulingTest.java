package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.Mirador;
import io.mirador.testing.Await;
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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's scheduler on real processes: three checks of 0.7 s every second with {@code maxConcurrent: 2} never
 * run more than two at once, and no check ever overlaps itself. Each run logs its start and end in one file.
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
}
