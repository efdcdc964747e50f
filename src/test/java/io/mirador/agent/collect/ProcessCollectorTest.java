package io.mirador.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.agent.collect.ProcessCollector.Counts;
import io.mirador.model.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCollectorTest {

  @Test
  void reportsProcessAndThreadCounts() {
    assertEquals(List.of(Sample.of("processes.count", 90, 5L), Sample.of("threads.count", 165, 5L)),
        ProcessCollector.samples(new Counts(90, 165), 5L));
  }
}
