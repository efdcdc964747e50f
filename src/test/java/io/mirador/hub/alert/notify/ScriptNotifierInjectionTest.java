package io.mirador.hub.alert.notify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A script notifier's argv goes to the program as it is: no shell ever reads {@code ; touch} or {@code $(touch)} in it. */
class ScriptNotifierInjectionTest {

  @TempDir
  Path traps;

  @Test
  void argumentsAreNotInterpretedByAShell() throws Exception {
    Path semicolon = traps.resolve("semicolon");
    Path substitution = traps.resolve("substitution");
    Path out = traps.resolve("out");
    // the program writes its arguments to a file and fails, so the failure's text shows what it got
    IllegalStateException failed = assertThrows(IllegalStateException.class, () -> ScriptNotifier.run(
        List.of("/bin/sh", "-c", "printf '%s|' \"$@\" > " + out + "; exit 3", "notifier", "; touch " + semicolon, "$(touch " + substitution + ")"),
        "{}".getBytes(StandardCharsets.UTF_8), 10_000));
    assertTrue(failed.getMessage().startsWith("exited 3"), failed.getMessage());
    assertTrue(Files.readString(out).equals("; touch " + semicolon + "|$(touch " + substitution + ")|"), Files.readString(out));
    assertFalse(Files.exists(semicolon));
    assertFalse(Files.exists(substitution));
  }
}
