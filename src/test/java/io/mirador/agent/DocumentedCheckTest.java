package io.mirador.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.agent.exec.CommandResult;
import io.mirador.agent.exec.CommandRunner;
import io.mirador.agent.exec.CommandSpec;
import io.mirador.model.CheckDefinition;
import io.mirador.model.CheckResult;
import io.mirador.model.Sample;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The script plugin example of docs/CHECKS.md does what the page says the user sees. */
class DocumentedCheckTest {

  private static final Path SCRIPT = Path.of("docs/examples/check_spool.sh").toAbsolutePath();

  @Test
  void theSpoolExampleGivesTheDocumentedResult(@TempDir Path spool) throws Exception {
    Files.writeString(spool.resolve("a"), "hello\n");
    Files.writeString(spool.resolve("b"), "");
    Files.writeString(spool.resolve("c"), "");
    assertTrue(Files.readString(Path.of("docs/CHECKS.md")).contains("check_spool.sh"), "the page shows the example");
    CheckDefinition check = CheckDefinition.parse("spool", new JsonObject()
        .put("argv", new JsonArray().add(SCRIPT.toString()).add(spool.toString()).add("2").add("5")).put("interval", 60).put("timeout", 10));
    Vertx vertx = Vertx.vertx();
    try {
      CommandRunner runner = CommandRunner.create(vertx, "documented-check", 1, 1);
      CommandResult ran = runner.runBlocking(CommandSpec.ofArgv(check.argv(), Duration.ofMillis(check.timeoutMs())));
      CheckResult result = AgentCheckVerticle.result(check, ran, System.currentTimeMillis(), List.of(), List.of());
      assertEquals(1, result.status());
      assertEquals("SPOOL WARNING - 3 files waiting in " + spool, result.output());
      Map<String, Double> perfdata = result.perfdata().stream().collect(Collectors.toMap(Sample::name, Sample::value));
      assertEquals(Map.of("check.spool.files", 3.0, "check.spool.files.warn", 2.0, "check.spool.files.crit", 5.0,
          "check.spool.files.min", 0.0, "check.spool.size", 6.0), perfdata);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }
}
