package io.mirador.agent.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mirador.metrics.Meters;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Real processes, real signals; each hanging process carries a unique name so we can look for survivors in /proc. */
@ExtendWith(VertxExtension.class)
class CommandRunnerTest {

  private static final Duration ONE_SECOND = Duration.ofSeconds(1);
  private static final Duration GENEROUS = Duration.ofSeconds(30);

  private static Vertx vertx;
  private static CommandRunner runner;

  private final String marker = "mirador-test-" + UUID.randomUUID();

  @BeforeAll
  static void createRunner() {
    vertx = Vertx.vertx();
    runner = CommandRunner.create(vertx, "exec-test", 4, 16);
  }

  @AfterAll
  static void closeVertx() throws Exception {
    // closing Vert.x closes the runner's worker pool too
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void killStrays() {
    // a failing test must not leave sleep 300s behind for the next worker
    for (long pid : pidsCarrying(marker)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /** Jobs stream what a command writes: each line once, in order, stdout and stderr apart; the result's output is stdout's. */
  @Test
  void linesReachTheListenerInOrderWithStderrApart() {
    List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    CommandResult result = runner.runBlocking(CommandSpec.ofShell("for i in 1 2 3; do echo out$i; done; echo err1 >&2; printf 'no newline'",
        Duration.ofSeconds(10)).withMergeStderr(false), (stderr, line) -> lines.add((stderr ? "E:" : "O:") + line));
    assertEquals(0, result.exitCode());
    assertEquals("out1\nout2\nout3\nno newline", result.output());
    assertEquals(List.of("O:out1", "O:out2", "O:out3", "O:no newline"), lines.stream().filter(l -> l.startsWith("O:")).toList());
    assertEquals(List.of("E:err1"), lines.stream().filter(l -> l.startsWith("E:")).toList());
  }

  @Test
  void reportsExitCodes() {
    for (int code = 0; code <= 3; code++) {
      CommandResult result = runner.runBlocking(CommandSpec.ofShell("exit " + code, GENEROUS));
      assertEquals(code, result.exitCode());
      assertFalse(result.timedOut());
      assertNull(result.error());
    }
  }

  @Test
  void mergesStderrIntoOutputOrDropsIt() {
    CommandSpec spec = CommandSpec.ofShell("echo out; echo err >&2; echo more; exit 3", GENEROUS);
    CommandResult merged = runner.runBlocking(spec);
    assertEquals("out\nerr\nmore\n", merged.output());
    assertEquals(3, merged.exitCode());
    assertEquals(13, merged.outputBytes());
    assertFalse(merged.truncated());

    assertEquals("out\nmore\n", runner.runBlocking(spec.withMergeStderr(false)).output());
  }

  @Test
  void argvIsNotInterpretedByAShell() {
    CommandResult result = runner.runBlocking(CommandSpec.ofArgv(List.of("echo", "$HOME; echo injected", "*"), GENEROUS));
    assertEquals("$HOME; echo injected *\n", result.output());
    assertEquals(0, result.exitCode());

    assertEquals("3\n", runner.runBlocking(CommandSpec.ofShell("echo $((1 + 2))", GENEROUS)).output());
  }

  @Test
  void passesOnlyTheMinimalEnvironmentAndTheSpecsVariables() {
    CommandResult result = runner.runBlocking(CommandSpec.ofArgv(List.of("env"), GENEROUS).withEnv(Map.of("FOO", "bar baz")));
    Map<String, String> seen = result.output().lines()
        .map(line -> line.split("=", 2))
        .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1]));
    assertEquals("bar baz", seen.get("FOO"));
    assertTrue(Set.of("PATH", "HOME", "LANG", "TZ", "FOO", "MIRADOR_EXEC_ID").containsAll(seen.keySet()), seen.keySet().toString());
    assertTrue(seen.containsKey("PATH"));
  }

  @Test
  void agentSecretsAreNotInherited() {
    Map<String, String> agent = Map.of("HOME", "/home/agent", "MIRADOR_REDIS_PASSWORD", "secret", "LANG", "C.UTF-8");
    Map<String, String> child = CommandRunner.childEnvironment(agent, Map.of("LANG", "de_DE.UTF-8"), "cookie");
    assertEquals(Map.of("HOME", "/home/agent", "LANG", "de_DE.UTF-8", "MIRADOR_EXEC_ID", "cookie",
        "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), child);
  }

  @Test
  void runsInTheWorkingDirectory(@TempDir Path dir) throws IOException {
    Path script = Files.writeString(dir.resolve("hello.sh"), "#!/bin/sh\necho hello from \"$(pwd)\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

    CommandResult result = runner.runBlocking(CommandSpec.ofArgv(List.of("./hello.sh"), GENEROUS).withWorkingDir(dir));
    assertEquals("hello from " + dir.toRealPath() + "\n", result.output());
  }

  @Test
  void aMissingProgramIsAnErrorResult(@TempDir Path dir) throws IOException {
    CommandResult missing = runner.runBlocking(CommandSpec.ofArgv(List.of("mirador-no-such-command", "-v"), GENEROUS));
    assertEquals("command not found: mirador-no-such-command", missing.error());
    assertNull(missing.exitCode());
    assertEquals("", missing.output());

    Path notExecutable = Files.writeString(dir.resolve("plain.txt"), "echo hi\n");
    CommandResult refused = runner.runBlocking(CommandSpec.ofArgv(List.of(notExecutable.toString()), GENEROUS));
    assertEquals("not executable: " + notExecutable, refused.error());
  }

  @Test
  void stdinIsEmpty() {
    CommandResult result = runner.runBlocking(CommandSpec.ofArgv(List.of("cat"), GENEROUS));
    assertEquals(0, result.exitCode());
    assertEquals("", result.output());
  }

  @Test
  void killsAHangingCommandAtItsTimeout() {
    CommandResult result = runExpectingMarkers(
        CommandSpec.ofArgv(List.of("bash", "-c", "exec -a " + marker + " sleep 300"), ONE_SECOND), 1);

    assertTrue(result.timedOut());
    assertNull(result.exitCode());
    assertTrue(result.duration().compareTo(Duration.ofSeconds(5)) < 0, result.duration().toString());
    assertNoSurvivors();
  }

  @Test
  void killsChildrenAndDoubleForkedGrandchildren() {
    // (... &) is a double fork: the inner sleep is re-parented to init and no longer a descendant
    String hang = "bash -c 'exec -a " + marker + " sleep 300'";
    CommandResult result = runExpectingMarkers(CommandSpec.ofShell("(" + hang + " &); " + hang, ONE_SECOND), 2);

    assertTrue(result.timedOut());
    assertNoSurvivors();
  }

  @Test
  void killsADaemonThatLeftTheSession() {
    // setsid -f: a new session, and the parent exits at once; only the environment still ties it to us
    String hang = "bash -c 'exec -a " + marker + " sleep 300'";
    String script = "setsid -f " + hang + " >/dev/null 2>&1; nohup " + hang + " >/dev/null 2>&1 & " + hang;
    CommandResult result = runExpectingMarkers(CommandSpec.ofShell(script, ONE_SECOND), 3);

    assertTrue(result.timedOut());
    assertNoSurvivors();
  }

  @Test
  void interruptingTheCallerKillsTheCommandAtOnce() throws Exception {
    CompletableFuture<CommandResult> result = new CompletableFuture<>();
    CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      result.complete(runner.runBlocking(CommandSpec.ofArgv(List.of("bash", "-c", "exec -a " + marker + " sleep 300"), GENEROUS)));
      stillInterrupted.complete(Thread.currentThread().isInterrupted());
    });
    caller.start();
    awaitTrue(() -> pidsCarrying(marker).size() == 1, "the command to start");
    caller.interrupt();

    CommandResult interrupted = result.get(10, TimeUnit.SECONDS);
    assertEquals("interrupted: command killed", interrupted.error());
    assertNull(interrupted.exitCode());
    assertFalse(interrupted.timedOut());
    assertTrue(stillInterrupted.get(10, TimeUnit.SECONDS));
    assertNoSurvivors();
  }

  @Test
  void leavesOtherCommandsAlone() {
    String other = "mirador-test-" + UUID.randomUUID();
    try {
      CompletableFuture<CommandResult> longer = CompletableFuture.supplyAsync(() ->
          runner.runBlocking(CommandSpec.ofArgv(List.of("bash", "-c", "exec -a " + other + " sleep 300"), Duration.ofSeconds(3))));
      awaitTrue(() -> pidsCarrying(other).size() == 1, "the other command to start");

      CommandResult shorter = runExpectingMarkers(CommandSpec.ofArgv(List.of("bash", "-c", "exec -a " + marker + " sleep 300"), ONE_SECOND), 1);
      assertTrue(shorter.timedOut());
      assertNoSurvivors();
      assertEquals(1, pidsCarrying(other).size());
      assertTrue(longer.join().timedOut());
    } finally {
      pidsCarrying(other).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }
  }

  @Test
  void keepsTheFirstBytesOfAFloodAndCountsTheRest() {
    CommandResult result = runner.runBlocking(CommandSpec.ofShell("head -c 50000000 /dev/zero | tr '\\0' x", GENEROUS));

    assertEquals(0, result.exitCode());
    assertFalse(result.timedOut());
    assertTrue(result.truncated());
    assertEquals(50_000_000, result.outputBytes());
    assertEquals(CommandSpec.DEFAULT_MAX_OUTPUT_BYTES, result.output().length());
    assertTrue(result.output().chars().allMatch(c -> c == 'x'));
  }

  @Test
  void aBackgroundJobHoldingStdoutDoesNotHangTheRunner() {
    CommandResult result = runner.runBlocking(CommandSpec.ofShell("bash -c 'exec -a " + marker + " sleep 300' & echo started", GENEROUS));

    assertEquals(0, result.exitCode());
    assertEquals("started\n", result.output());
    assertFalse(result.timedOut());
    assertTrue(result.duration().compareTo(Duration.ofSeconds(5)) < 0, result.duration().toString());
    assertNoSurvivors();
  }

  @Test
  void whatACommandLeavesBehindIsKilled() {
    CommandResult result = runner.runBlocking(
        CommandSpec.ofShell("bash -c 'exec -a " + marker + " sleep 300' >/dev/null 2>&1 & echo started", GENEROUS));

    assertEquals(0, result.exitCode());
    assertNoSurvivors();
  }

  @Test
  void runsOnAWorkerAndRefusesBeyondItsBound(Vertx testVertx, VertxTestContext test) {
    CommandRunner small = CommandRunner.create(testVertx, "exec-test-small", 1, 1);
    CommandSpec hang = CommandSpec.ofArgv(List.of("bash", "-c", "exec -a " + marker + " sleep 300"), ONE_SECOND);
    var first = small.run(hang);
    small.run(CommandSpec.ofShell("true", GENEROUS)).onComplete(test.succeeding(refused -> test.verify(() -> {
      assertEquals("runner busy: 1 commands already running or waiting", refused.error());
      assertEquals(1.0, Meters.of(testVertx).value("mirador_exec_rejected_total", Map.of("runner", "exec-test-small")));
    })));
    first.compose(timedOut -> {
      test.verify(() -> assertTrue(timedOut.timedOut()));
      return small.run(CommandSpec.ofShell("echo again", GENEROUS));
    }).onComplete(test.succeeding(again -> test.verify(() -> {
      assertEquals("again\n", again.output());
      small.close().onComplete(test.succeedingThenComplete());
    })));
  }

  /** Runs {@code spec} on another thread and checks that {@code count} marked processes existed before it ended. */
  private CommandResult runExpectingMarkers(CommandSpec spec, int count) {
    CompletableFuture<CommandResult> result = CompletableFuture.supplyAsync(() -> runner.runBlocking(spec));
    awaitTrue(() -> pidsCarrying(marker).size() == count || result.isDone(), count + " marked processes to start");
    assertFalse(result.isDone(), "the command ended before its " + count + " marked processes were seen");
    return result.join();
  }

  private void assertNoSurvivors() {
    // SIGKILL is delivered at once but a process takes a moment to disappear from /proc
    awaitTrue(() -> pidsCarrying(marker).isEmpty(), "no process named " + marker);
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 5 s for " + what);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  /** Processes whose command line mentions {@code marker}; zombies have an empty one and do not count. */
  private static List<Long> pidsCarrying(String marker) {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), name -> name.getFileName().toString().matches("\\d+"))) {
      for (Path entry : entries) {
        try {
          String commandLine = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.ISO_8859_1);
          if (Arrays.asList(commandLine.split("\0")).contains(marker)) {
            pids.add(Long.parseLong(entry.getFileName().toString()));
          }
        } catch (IOException gone) {
          // exited while we looked
        }
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return pids;
  }
}
