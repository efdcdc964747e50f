package io.mirador.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.model.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class UptimeCollectorTest {

  @Test
  void reportsSecondsSinceBoot() {
    assertEquals(List.of(Sample.of("system.uptime", 86_400, 5L)), UptimeCollector.samples(86_400, 5L));
  }

  @Test
  void negativeMeansUnknownAndIsLeftOut() {
    assertEquals(List.of(), UptimeCollector.samples(-1, 5L));
  }
}
