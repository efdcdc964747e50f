package io.mirador.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mirador.Mirador;
import io.mirador.testing.Await;
import io.mirador.testing.RunningMirador;
import io.mirador.testing.TestConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameters that are not meant as shell reach the program as they are: a check's {@code argv} and {@code env} with
 * {@code ; touch}, {@code $(touch)} and backquotes in them, defined over REST and run by the standalone's agent, run
 * nothing but the program named (the file those would create does not appear), and the program sees the text as given.
 */
class ShellInjectionTest {

  @TempDir
  static Path dataDir;

  @TempDir
  static Path traps;

  @Test
  void checkArgvAndEnvAreNeverInterpretedByAShell() {
    Path semicolon = traps.resolve("semicolon");
    Path substitution = traps.resolve("substitution");
    Path backquote = traps.resolve("backquote");
    Path viaEnv = traps.resolve("env");
    String first = "; touch " + semicolon;
    String second = "$(touch " + substitution + ")";
    String third = "`touch " + backquote + "`";
    try (RunningMirador app = RunningMirador.start(Mirador.Mode.STANDALONE, TestConfig.standalone(dataDir))) {
      JsonObject definition = new JsonObject()
          .put("argv", new JsonArray(List.of("/bin/echo", first, second, third)))
          .put("env", new JsonObject().put("TRAP", "$(touch " + viaEnv + ")"))
          .put("interval", 1);
      assertEquals(201, Await.result(app.http.put("/api/v1/checks/injection").sendJsonObject(definition)).statusCode());
      JsonObject result = Await.until(app.clientVertx, "the check's first result", Duration.ofSeconds(30), () ->
          app.http.get("/api/v1/results?check=injection").send().map(answer -> {
            JsonArray rows = answer.bodyAsJsonObject().getJsonArray("results");
            return rows.isEmpty() ? Optional.<JsonObject>empty() : Optional.of(rows.getJsonObject(0));
          }));
      assertEquals(first + " " + second + " " + third, result.getString("output").strip(), "echo got its arguments as they were");
      // a shell check may use the variable; its value is data there too, never evaluated again
      assertEquals(201, Await.result(app.http.put("/api/v1/checks/injection_env").sendJsonObject(new JsonObject()
          .put("command", "echo \"$TRAP\"").put("env", new JsonObject().put("TRAP", "$(touch " + viaEnv + ")")).put("interval", 1)))
          .statusCode());
      JsonObject env = Await.until(app.clientVertx, "the env check's first result", Duration.ofSeconds(30), () ->
          app.http.get("/api/v1/results?check=injection_env").send().map(answer -> {
            JsonArray rows = answer.bodyAsJsonObject().getJsonArray("results");
            return rows.isEmpty() ? Optional.<JsonObject>empty() : Optional.of(rows.getJsonObject(0));
          }));
      assertEquals("$(touch " + viaEnv + ")", env.getString("output").strip());
    }
    for (Path trap : List.of(semicolon, substitution, backquote, viaEnv)) {
      assertFalse(Files.exists(trap), trap + " was created: a shell ran");
    }
  }
}
