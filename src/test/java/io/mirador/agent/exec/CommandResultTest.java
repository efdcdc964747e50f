package io.mirador.agent.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CommandResultTest {

  @Test
  void timeoutMessageReadsInSeconds() {
    assertEquals("timed out after 1 s", CommandResult.timedOutMessage(Duration.ofSeconds(1)));
    assertEquals("timed out after 30 s", CommandResult.timedOutMessage(Duration.ofSeconds(30)));
    assertEquals("timed out after 0.5 s", CommandResult.timedOutMessage(Duration.ofMillis(500)));
  }
}
