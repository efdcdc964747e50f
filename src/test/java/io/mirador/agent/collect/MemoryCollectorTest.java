package io.mirador.agent.collect;

import static io.mirador.agent.collect.SampleLookup.value;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mirador.agent.collect.MemoryCollector.Reading;
import io.mirador.model.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryCollectorTest {

  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;
  private static final long NOW = 1_700_000_000_000L;

  @Test
  void usedIsTotalMinusAvailable() {
    List<Sample> samples = MemoryCollector.samples(new Reading(16 * GIB, 4 * GIB, 2 * GIB, 512 * MIB), NOW);

    assertEquals(16.0 * GIB, value(samples, "memory.total"));
    assertEquals(12.0 * GIB, value(samples, "memory.used"));
    assertEquals(4.0 * GIB, value(samples, "memory.available"));
    assertEquals(75.0, value(samples, "memory.used_pct"), 1e-9);
    assertEquals(2.0 * GIB, value(samples, "swap.total"));
    assertEquals(512.0 * MIB, value(samples, "swap.used"));
    assertEquals(25.0, value(samples, "swap.used_pct"), 1e-9);
    assertEquals(7, samples.size());
  }

  @Test
  void noSwapIsZeroPercentUsed() {
    List<Sample> samples = MemoryCollector.samples(new Reading(8 * GIB, 6 * GIB, 0, 0), NOW);

    assertEquals(0.0, value(samples, "swap.total"));
    assertEquals(0.0, value(samples, "swap.used"));
    assertEquals(0.0, value(samples, "swap.used_pct"));
    assertEquals(25.0, value(samples, "memory.used_pct"), 1e-9);
  }
}
