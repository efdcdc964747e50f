package io.mirador.agent.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputCaptureTest {

  @Test
  void truncationDropsAHalfCharacterOnly() {
    byte[] text = "aé€😀".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 bytes
    assertEquals(10, OutputCapture.completeUtf8Length(text, 10));
    assertEquals(6, OutputCapture.completeUtf8Length(text, 9));
    assertEquals(6, OutputCapture.completeUtf8Length(text, 7));
    assertEquals(6, OutputCapture.completeUtf8Length(text, 6));
    assertEquals(3, OutputCapture.completeUtf8Length(text, 5));
    assertEquals(1, OutputCapture.completeUtf8Length(text, 2));
    assertEquals(0, OutputCapture.completeUtf8Length(text, 0));
  }
}
