package io.mirador.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written name checks of {@link Sample#validate} accept exactly what the documented patterns accept. */
class SampleNameTest {

  private static final List<String> CASES = List.of("cpu.usage", "a", "a.b.c", "disk_io.read_bytes", "m0.1", "_", "",
      ".", "a.", ".a", "a..b", "Cpu.usage", "cpu-usage", "cpu usage", "cpu.usage!", "é", "a_b.c_d.e9", "-a", "a-b", "A", "_x.y-z",
      "9a", "a.B");

  @Test
  void metricNamesFollowThePattern() {
    for (String name : CASES) {
      assertEquals(Sample.NAME.matcher(name).matches(), Sample.isMetricName(name), name);
    }
  }

  @Test
  void tagKeysFollowThePattern() {
    for (String key : CASES) {
      assertEquals(Sample.TAG_KEY.matcher(key).matches(), Sample.isTagKey(key), key);
    }
  }
}
