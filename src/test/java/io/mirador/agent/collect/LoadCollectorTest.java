package io.mirador.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.model.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadCollectorTest {

  private static final long NOW = 1_700_000_000_000L;

  @Test
  void reportsTheThreeAverages() {
    assertEquals(List.of(Sample.of("load.1", 0.5, NOW), Sample.of("load.5", 1.25, NOW), Sample.of("load.15", 2.0, NOW)),
        LoadCollector.samples(new double[] {0.5, 1.25, 2.0}, NOW));
  }

  @Test
  void negativeMeansUnavailableAndIsLeftOut() {
    assertEquals(List.of(Sample.of("load.1", 0.0, NOW)), LoadCollector.samples(new double[] {0.0, -1, -1}, NOW));
    assertEquals(List.of(), LoadCollector.samples(new double[] {-1, -1, -1}, NOW));
  }
}
