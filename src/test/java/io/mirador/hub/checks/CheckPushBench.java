package io.mirador.hub.checks;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mirador.Addresses;
import io.mirador.Mirador;
import io.mirador.metrics.Meters;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What check pushes cost the hub's event loops: {@code bench.agents} agents known, then {@code bench.checks} check
 * definitions of {@code bench.kb} KB each PUT one after the other, every PUT pushing the whole assignment to every
 * agent. Reports the largest event-loop lag the hub's own probe saw ({@code mirador_event_loop_lag_max_seconds}) and
 * the time the PUTs took. Not a test: {@code scripts/bench-check-push.sh} (or {@code mvn -q test -Dtest=CheckPushBench
 * -Dmirador.bench=true -Dbench.agents=100 -Dbench.checks=100 -Dbench.kb=50}).
 */
class CheckPushBench {

  private static double pushes(Meters meters) {
    return meters.value("mirador_check_assignments_pushed_total", Map.of()) + meters.value("mirador_check_assignments_failed_total", Map.of());
  }

  @Test
  void checkPushes() throws InterruptedException {
    assumeTrue(Boolean.getBoolean("mirador.bench"), "a benchmark; run with -Dmirador.bench=true");
    int agents = Integer.getInteger("bench.agents", 100);
    int checks = Integer.getInteger("bench.checks", 100);
    int kb = Integer.getInteger("bench.kb", 50);
    JsonObject config = TestConfig.hubOnly();
    config.getJsonObject("http").put("limits", new JsonObject().put("maxDefinitionBytes", (kb + 4) * 1024));
    config.put("hub", new JsonObject().put("checks", new JsonObject().put("max", checks + 1)));
    try (RunningMirador hub = RunningMirador.start(Mirador.Mode.HUB, config)) {
      long now = System.currentTimeMillis();
      for (int i = 0; i < agents; i++) {
        String envelope = "{\"v\":1,\"type\":\"metrics\",\"agent\":\"bench-" + i + "\",\"seq\":1,\"ts\":" + now
            + ",\"body\":{\"samples\":[{\"name\":\"up\",\"tags\":{},\"value\":1,\"ts\":" + now + "}]}}";
        Await.result(hub.mirador.vertx().eventBus().request(Addresses.INGEST, Buffer.buffer(envelope)));
      }
      Meters meters = Meters.of(hub.mirador.vertx());
      double lagBefore = meters.value("mirador_event_loop_lag_max_seconds", Map.of());
      String pad = "x".repeat(kb * 1024);
      long start = System.nanoTime();
      for (int i = 0; i < checks; i++) {
        JsonObject definition = new JsonObject().put("argv", new JsonArray().add("true")).put("interval", 60)
            .put("env", new JsonObject().put("PAD", pad));
        int status = Await.result(hub.http.put("/api/v1/checks/bench" + i).sendJsonObject(definition)).statusCode();
        if (status != 201) {
          throw new AssertionError("PUT answered " + status);
        }
      }
      double puts = (System.nanoTime() - start) / 1e9;
      // every PUT pushes to every agent (these have no command consumer: each push fails after it was built and encoded)
      long expected = (long) agents * checks;
      try {
        Await.condition(java.time.Duration.ofMinutes(Long.getLong("bench.minutes", 10)), java.time.Duration.ofMillis(100),
            () -> pushes(meters) >= expected, () -> "pushes done");
      } catch (AssertionError notDone) {
        System.out.printf("check pushes: NOT DONE after %d min: %.0f of %d%n", Long.getLong("bench.minutes", 10), pushes(meters), expected);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double lag = meters.value("mirador_event_loop_lag_max_seconds", Map.of());
      System.out.printf("check pushes: %d agents, %d checks of %d KB: PUTs took %.1f s, all %d pushes done after %.1f s;"
          + " event-loop lag max %.3f s (before the PUTs %.3f s)%n", agents, checks, kb, puts, expected, seconds, lag, lagBefore);
    }
  }
}
