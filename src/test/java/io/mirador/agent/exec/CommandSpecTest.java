package io.mirador.agent.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class CommandSpecTest {

  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

  @Test
  void defaultsKeepOneMebibyteAndMergeStderr() {
    CommandSpec spec = CommandSpec.ofArgv(List.of("true"), TEN_SECONDS);
    assertEquals(1024 * 1024, spec.maxOutputBytes());
    assertTrue(spec.mergeStderr());
    assertEquals(Map.of(), spec.env());
  }

  @Test
  void refusesWhatCannotRun() {
    assertMessage("argv must not be empty", () -> CommandSpec.ofArgv(List.of(), TEN_SECONDS));
    assertMessage("argv[0] (the program) must not be blank", () -> CommandSpec.ofArgv(List.of(" "), TEN_SECONDS));
    assertMessage("give either argv or shell, not both",
        () -> new CommandSpec(List.of("true"), "true", Map.of(), null, TEN_SECONDS, 10, true));
    assertMessage("give either argv or shell", () -> new CommandSpec(null, null, Map.of(), null, TEN_SECONDS, 10, true));
    assertMessage("shell command must not be blank", () -> CommandSpec.ofShell("", TEN_SECONDS));
    assertMessage("timeout is required", () -> CommandSpec.ofShell("true", null));
    assertMessage("timeout must be positive, got PT0S", () -> CommandSpec.ofShell("true", Duration.ZERO));
    assertMessage("timeout must be positive, got PT-1S", () -> CommandSpec.ofShell("true", Duration.ofSeconds(-1)));
    assertMessage("working directory does not exist: /no/such/mirador/dir",
        () -> CommandSpec.ofShell("true", TEN_SECONDS).withWorkingDir(Path.of("/no/such/mirador/dir")));
    assertMessage("maxOutputBytes must not be negative, got -1", () -> CommandSpec.ofShell("true", TEN_SECONDS).withMaxOutputBytes(-1));
    assertMessage("invalid environment variable name: 'A=B'", () -> CommandSpec.ofShell("true", TEN_SECONDS).withEnv(Map.of("A=B", "x")));
    assertMessage("MIRADOR_EXEC_ID is reserved: the runner sets it to track the command's processes",
        () -> CommandSpec.ofShell("true", TEN_SECONDS).withEnv(Map.of("MIRADOR_EXEC_ID", "x")));
  }

  @Test
  void namesOnlyTheProgramNeverItsArguments() {
    assertEquals("check_mysql", CommandSpec.ofArgv(List.of("check_mysql", "--password", "secret"), TEN_SECONDS).program());
    assertEquals("/bin/sh -c", CommandSpec.ofShell("curl -u admin:secret localhost", TEN_SECONDS).program());
  }

  private static void assertMessage(String message, Executable executable) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, executable).getMessage());
  }
}
