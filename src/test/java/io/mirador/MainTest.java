package io.mirador;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpOfEachCommandListsItsOptionsAndTheEnvironment() {
    assertEquals(0, run("--help"));
    String standalone = out.toString(StandardCharsets.UTF_8);
    for (String option : List.of("--conf FILE", "--http-host HOST", "--http-port PORT", "--data-dir DIR", "--hostname NAME", "MIRADOR_AMQP_URL")) {
      assertTrue(standalone.contains(option), option + " in standalone help");
    }
    out.reset();
    assertEquals(0, run("hub", "--help"));
    String hub = out.toString(StandardCharsets.UTF_8);
    assertTrue(hub.contains("--cluster"));
    for (io.mirador.hub.HubRole role : io.mirador.hub.HubRole.values()) {
      assertTrue(hub.contains(role.roleName() + " ") && hub.contains(role.description()), role + " in hub help");
    }
    out.reset();
    assertEquals(0, run("agent", "-h"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("--data-dir DIR"));
  }

  @Test
  void mistakesExitWithTwoAndSayWhat() {
    assertEquals(2, run("conductor"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'conductor'"));
    err.reset();
    assertEquals(2, run("agent", "--http-port", "80"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option '--http-port'"), "agents serve no HTTP");
    err.reset();
    assertEquals(2, run("--http-port", "eighty"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("needs a number"));
    err.reset();
    assertEquals(2, run("--conf"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--conf needs FILE"));
  }

  @Test
  void anUnknownRoleStopsTheStartAndNamesTheKnownOnes() {
    assertEquals(1, run("hub", "--roles", "engine,scheduler", "--http-port", "0"));
    String said = err.toString(StandardCharsets.UTF_8);
    assertTrue(said.contains("unknown hub role 'scheduler'") && said.contains(io.mirador.hub.HubRole.names()), said);
  }

  @Test
  void aMissingConfigFileIsAStartupErrorNotAHang() {
    assertEquals(1, run("--conf", "/nonexistent/mirador.yaml"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("does not exist"));
  }
}
