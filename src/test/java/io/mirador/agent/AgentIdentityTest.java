package io.mirador.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentIdentityTest {

  @TempDir
  Path dir;

  @Test
  void idIsMadeOnceAndKeptPerDataDirectory() {
    String first = AgentIdentity.loadOrCreate(dir.resolve("a"));
    assertEquals(first, AgentIdentity.loadOrCreate(dir.resolve("a")), "the same directory is the same agent");
    assertNotEquals(first, AgentIdentity.loadOrCreate(dir.resolve("b")), "another directory is another agent");
    assertTrue(io.mirador.model.Envelope.AGENT_ID.matcher(first).matches());
  }

  @Test
  void aDamagedIdFileIsAnErrorNotANewIdentity() throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(AgentIdentity.FILE), "not/a valid id");
    assertThrows(IllegalStateException.class, () -> AgentIdentity.loadOrCreate(dir));
  }

  @Test
  void sequenceNumbersKeepIncreasingAcrossRestarts() throws Exception {
    SequenceFile seq = new SequenceFile(dir);
    assertEquals(0, seq.last());
    assertEquals(1, seq.next(1));
    assertEquals(2, seq.next(3));
    SequenceFile restarted = new SequenceFile(dir);
    assertEquals(4, restarted.last());
    assertEquals(5, restarted.next(1));
    Files.writeString(dir.resolve(SequenceFile.FILE), "garbage");
    assertThrows(IllegalStateException.class, () -> new SequenceFile(dir));
  }
}
